// SPDX-License-Identifier: MIT
/*
 * The FP/SIMD isolation canary ("fpcanary=N" on the command line: N rounds).
 *
 * First every register must read as after a reset (data zero, control registers at their reset
 * values): a fresh vCPU must not see what another VM left there. Then each round puts a pattern
 * made from this VM's id and the round number into every FP/SIMD data and control register
 * (arch/<arch>/fpregs.S), makes exits (hypercalls, reads of the emulated UART's status
 * register), spins, and reads every register back. Nothing in this guest but fpregs.S touches
 * those registers (it is built without FP), so a difference means the hypervisor lost or leaked
 * FP state: two VMs sharing a pCPU run this at the same time (tests/configs/<arch>/fpcanary.toml)
 * and a missing switch shows one VM's pattern in the other. Every WAIT_EVERY-th round spins
 * until its vCPU has been off the pCPU, so that many rounds hold their pattern across the other
 * VM's time slice (10 ms), not only across exits.
 *
 * Prints "fpcanary: round R ok ..." every REPORT_EVERY rounds, then
 * "fpcanary: ok N rounds, M exits, P rounds preempted", or "fpcanary: MISMATCH reg ..." lines
 * and "fpcanary: FAILED ..." at the first check that reads back anything else.
 */
#include <string.h>
#include <axvm/hypercall.h>
#include <axvm/format.h>
#include "fpregs.h"
#include "guest.h"

#define DEFAULT_ROUNDS  2000
#define EXITS_PER_ROUND 8    /* hypercalls, and as many UART status reads */
#define SPIN_US         200  /* every round: live registers while the counter runs */
#define WAIT_EVERY      16   /* these rounds spin until their vCPU was off the pCPU ... */
#define WAIT_MAX_MS     100  /* ... for at most this long (the other VM may have finished) */
#define OFF_CPU_US      2000 /* a counter jump this long between two reads: off the pCPU */
#define REPORT_EVERY    500
#define MAX_REPORTED    4 /* MISMATCH lines per failed round */

/* What the registers should hold, and what they were read back as (16-byte aligned for q). */
static struct fpregs want __attribute__((aligned(16)));
static struct fpregs got __attribute__((aligned(16)));

struct canary {
    uint64_t vm;
    uint64_t spin_ticks, wait_ticks, off_ticks;
    uint64_t last_seen; /* counter at the previous look, for off-pCPU gaps */
    bool off;           /* this round saw a gap */
    bool hypercall_bad;
    unsigned long exits, preempted;
};

/* splitmix64's finaliser: every input bit reaches every output bit, so patterns of other VMs,
 * other rounds and other registers all differ. */
static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static void pattern_make(uint64_t vm, unsigned long round)
{
    const struct fpregs_shape *s = &fpregs_shape;
    uint64_t seed = vm << 48 ^ (uint64_t)round << 8;
    memset(&want, 0, sizeof(want));
    for (unsigned n = 0; n < s->regs; n++)
        for (unsigned l = 0; l < s->lanes; l++)
            want.reg[n][l] = mix(seed | (n * FPREGS_MAX_LANES + l));
    for (unsigned k = 0; k < s->ctls; k++)
        want.ctl[k] = s->ctl_fixed[k] | (mix(seed | 0x80 | k) & s->ctl_bits[k]);
}

/* The state a reset vCPU starts from: data registers zero, control registers at their
 * reset values (which ctl_fixed holds). */
static void pattern_reset(void)
{
    const struct fpregs_shape *s = &fpregs_shape;
    memset(&want, 0, sizeof(want));
    for (unsigned k = 0; k < s->ctls; k++)
        want.ctl[k] = s->ctl_fixed[k];
}

static void report(unsigned *bad, const char *what, const char *when, uint64_t expected,
                   uint64_t read)
{
    if (++*bad <= MAX_REPORTED)
        guest_printf("fpcanary: MISMATCH reg %s %s: expected 0x%016llx, read 0x%016llx\n", what,
                     when, (unsigned long long)expected, (unsigned long long)read);
}

/* The number of registers (lanes and control registers counted one by one) that differ
 * between got and want. */
static unsigned pattern_check(const char *when)
{
    const struct fpregs_shape *s = &fpregs_shape;
    char what[32];
    unsigned bad = 0;
    for (unsigned n = 0; n < s->regs; n++)
        for (unsigned l = 0; l < s->lanes; l++)
            if (got.reg[n][l] != want.reg[n][l]) {
                if (s->lanes > 1)
                    format_snprintf(what, sizeof(what), "%u (%s%u, bits %u-%u)", n, s->reg_prefix,
                                    n, l * 64, l * 64 + 63);
                else
                    format_snprintf(what, sizeof(what), "%u (%s%u)", n, s->reg_prefix, n);
                report(&bad, what, when, want.reg[n][l], got.reg[n][l]);
            }
    for (unsigned k = 0; k < s->ctls; k++)
        if (got.ctl[k] != want.ctl[k]) {
            format_snprintf(what, sizeof(what), "%u (%s)", s->regs + k, s->ctl_name[k]);
            report(&bad, what, when, want.ctl[k], got.ctl[k]);
        }
    return bad;
}

/* Notes a jump of the counter since the last look: the vCPU was not running in between. */
static void watch_counter(struct canary *c)
{
    uint64_t now = guest_cycles();
    if (now - c->last_seen >= c->off_ticks)
        c->off = true;
    c->last_seen = now;
}

static void make_exits(struct canary *c)
{
    for (unsigned i = 0; i < EXITS_PER_ROUND; i++) {
        uint32_t status;
        if ((uint64_t)guest_hypercall(AXVM_HC_VM_ID, 0, 0) != c->vm)
            c->hypercall_bad = true;
        c->exits++;
        watch_counter(c);
        if (console_status(&status))
            c->exits++;
        watch_counter(c);
    }
}

static void spin(struct canary *c, bool until_off)
{
    uint64_t start = guest_cycles();
    uint64_t ticks = until_off ? c->wait_ticks : c->spin_ticks;
    while (guest_cycles() - start < ticks && !(until_off && c->off))
        watch_counter(c);
}

static unsigned registers_total(void)
{
    return fpregs_shape.regs * fpregs_shape.lanes + fpregs_shape.ctls;
}

/* One round: false when a register did not keep its pattern. */
static bool round_run(struct canary *c, unsigned long round)
{
    char when[32];
    pattern_make(c->vm, round);
    memset(&got, 0, sizeof(got));
    c->off = false;
    c->last_seen = guest_cycles();

    fpregs_load(&want);
    make_exits(c);
    spin(c, round % WAIT_EVERY == WAIT_EVERY - 1);
    fpregs_save(&got);

    c->preempted += c->off;
    format_snprintf(when, sizeof(when), "in round %lu", round);
    unsigned bad = pattern_check(when);
    if (bad)
        guest_printf("fpcanary: FAILED in round %lu: %u of %u registers changed\n", round, bad,
                     registers_total());
    return bad == 0;
}

/* A vCPU that has just been reset must not see what another VM (or its own earlier boot) left
 * in the registers. */
static bool start_check(void)
{
    pattern_reset();
    fpregs_save(&got);
    unsigned bad = pattern_check("at start (not the reset state)");
    if (bad)
        guest_printf("fpcanary: FAILED at start: %u of %u registers hold something else than "
                     "the reset state\n",
                     bad, registers_total());
    return bad == 0;
}

void fpcanary_run(unsigned long rounds, uint64_t hz)
{
    const struct fpregs_shape *s = &fpregs_shape;
    struct canary c = {.vm = (uint64_t)guest_hypercall(AXVM_HC_VM_ID, 0, 0)};
    if (!hz) {
        guest_printf("fpcanary: FAILED: no counter frequency to pace the rounds by\n");
        return;
    }
    c.spin_ticks = hz * SPIN_US / 1000000;
    c.wait_ticks = hz * WAIT_MAX_MS / 1000;
    c.off_ticks = hz * OFF_CPU_US / 1000000;
    rounds = rounds ? rounds : DEFAULT_ROUNDS;
    fpregs_enable();
    guest_printf("fpcanary: vm%llu checks %s0-%s%u, %s%s%s for %lu rounds\n",
                 (unsigned long long)c.vm, s->reg_prefix, s->reg_prefix, s->regs - 1,
                 s->ctl_name[0], s->ctls > 1 ? ", " : "", s->ctls > 1 ? s->ctl_name[1] : "",
                 rounds);
    if (!start_check())
        return;

    for (unsigned long round = 1; round <= rounds; round++) {
        if (!round_run(&c, round))
            return;
        if (c.hypercall_bad) {
            guest_printf("fpcanary: FAILED in round %lu: a hypercall returned another VM id\n",
                         round);
            return;
        }
        if (round % REPORT_EVERY == 0 && round < rounds)
            guest_printf("fpcanary: round %lu ok, %lu exits, %lu rounds preempted\n", round,
                         c.exits, c.preempted);
    }
    guest_printf("fpcanary: ok %lu rounds, %lu exits, %lu rounds preempted\n", rounds, c.exits,
                 c.preempted);
}
