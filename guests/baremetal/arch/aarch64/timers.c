// SPDX-License-Identifier: MIT
/*
 * The EL1 timers' interrupts (ARM ARM D11.2.4): the virtual timer (CNTV, PPI 27) and the
 * physical timer (CNTP, PPI 30). A timer's interrupt is a level, its condition: asserted while
 * the timer is enabled, not masked and expired (CNTx_CTL ENABLE, !IMASK, ISTATUS). For each
 * timer, three checks:
 *
 * - interrupt: armed 1 ms ahead with IRQs unmasked, the interrupt comes through the guest's IRQ
 *   vector with the timer's INTID from ICC_IAR1_EL1; the handler disables the timer and ends
 *   the interrupt, and nothing more comes while the guest makes exits. Then, with IRQs masked,
 *   the timer is armed in the past: its interrupt becomes pending (ICC_HPPIR1_EL1). Disabling
 *   the timer drops the line: after one exit (where the hypervisor looks at the timer) it is
 *   not pending any more, and unmasking IRQs brings nothing. A hypervisor that latches the
 *   interrupt like an edge delivers it here anyway.
 * - masked by IMASK: the handler masks the timer instead of disabling it (as Linux's arch timer
 *   handler does first); the line drops all the same, so nothing more may come.
 * - re-armed: the handler re-arms the timer 1 ms further, four times, while the guest spins
 *   without exits: all five interrupts must come (the hypervisor must hear the timer again
 *   without waiting for an exit of the guest's own).
 *
 * Waits for an interrupt give up after ARRIVE_MS: only a failing run waits that long.
 */
#include <axvm/format.h>
#include <axvm/hypercall.h>
#include "../../faults.h"
#include "../../guest.h"
#include "gic.h"
#include "timers.h"
#include "traps.h"

#define PPI_VTIMER  27
#define PPI_PTIMER  30
#define CTL_ENABLE  1
#define CTL_IMASK   2
#define ARRIVE_MS   2000 /* an interrupt due now must have come by then */
#define QUIET_EXITS 1000 /* exits made while nothing more may come */
#define REARMS      4

enum handler_action { HANDLER_DISABLE, HANDLER_MASK, HANDLER_REARM };

static volatile unsigned taken[32];
static volatile unsigned other_irqs;
static volatile enum handler_action action;
static volatile unsigned rearms_left;
static uint64_t period; /* counter ticks of 1 ms */

static uint64_t counter(bool phys)
{
    uint64_t v;
    if (phys)
        __asm__ volatile("isb; mrs %0, cntpct_el0" : "=r"(v));
    else
        __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
    return v;
}

static void timer_set(bool phys, uint64_t cval, uint64_t ctl)
{
    if (phys)
        __asm__ volatile("msr cntp_cval_el0, %0; msr cntp_ctl_el0, %1; isb" ::"r"(cval), "r"(ctl));
    else
        __asm__ volatile("msr cntv_cval_el0, %0; msr cntv_ctl_el0, %1; isb" ::"r"(cval), "r"(ctl));
}

static uint64_t timer_cval(bool phys)
{
    uint64_t v;
    if (phys)
        __asm__ volatile("mrs %0, cntp_cval_el0" : "=r"(v));
    else
        __asm__ volatile("mrs %0, cntv_cval_el0" : "=r"(v));
    return v;
}

static void timer_disable(bool phys)
{
    if (phys)
        __asm__ volatile("msr cntp_ctl_el0, xzr; isb");
    else
        __asm__ volatile("msr cntv_ctl_el0, xzr; isb");
}

/* The IRQ handler (traps.c acknowledges and ends the interrupt): stop, mask or re-arm the
 * timer, and count. */
static void timer_irq(unsigned intid)
{
    if (intid != PPI_VTIMER && intid != PPI_PTIMER) {
        other_irqs++;
        return;
    }
    bool phys = intid == PPI_PTIMER;
    if (action == HANDLER_MASK) {
        timer_set(phys, timer_cval(phys), CTL_ENABLE | CTL_IMASK);
    } else if (action == HANDLER_REARM && rearms_left) {
        rearms_left--;
        timer_set(phys, timer_cval(phys) + period, CTL_ENABLE);
    } else {
        timer_disable(phys);
    }
    taken[intid]++;
}

static void irqs_unmask(void)
{
    __asm__ volatile("msr daifclr, #2; isb" ::: "memory");
}

static void irqs_mask(void)
{
    __asm__ volatile("msr daifset, #2; isb" ::: "memory");
}

/* Spin without exits until *count reaches 'until', for at most ARRIVE_MS. */
static void wait_for(const struct fault_env *env, volatile unsigned *count, unsigned until)
{
    uint64_t end = guest_cycles() + env->counter_hz / 1000 * ARRIVE_MS;
    while (*count < until && guest_cycles() < end)
        guest_relax();
}

/* Exits, each a chance for the hypervisor to deliver an interrupt it still holds (as an
 * operating system's own exits would be). */
static void make_exits(unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        guest_hypercall(AXVM_HC_VCPU_ID, 0, 0);
}

static unsigned ppi_of(bool phys)
{
    return phys ? PPI_PTIMER : PPI_VTIMER;
}

static bool ready(const struct fault_env *env, char *detail, size_t size)
{
    static bool done;
    if (!done && !gic_cpu_init(env->fdt, (1U << PPI_VTIMER) | (1U << PPI_PTIMER))) {
        format_snprintf(detail, size, "no GIC in the device tree, or a redistributor that sleeps");
        return false;
    }
    trap_irq_handler(timer_irq);
    period = env->counter_hz / 1000;
    done = true;
    return true;
}

/* The handler does 'how'; the timer is armed 1 ms ahead. The interrupts taken by the time
 * 'until' have been, or ARRIVE_MS has passed. */
static unsigned fire(const struct fault_env *env, bool phys, enum handler_action how,
                     unsigned until)
{
    unsigned ppi = ppi_of(phys);
    taken[ppi] = 0;
    action = how;
    irqs_unmask();
    timer_set(phys, counter(phys) + period, CTL_ENABLE);
    wait_for(env, &taken[ppi], until);
    return taken[ppi];
}

static void stop(bool phys)
{
    irqs_mask();
    timer_disable(phys);
    action = HANDLER_DISABLE;
}

static bool check_interrupt(const struct fault_env *env, bool phys, char *detail, size_t size)
{
    unsigned ppi = ppi_of(phys);
    if (!ready(env, detail, size))
        return false;

    unsigned first = fire(env, phys, HANDLER_DISABLE, 1);
    make_exits(QUIET_EXITS);
    unsigned again = taken[ppi] - first;
    stop(phys);

    timer_set(phys, counter(phys), CTL_ENABLE); /* expired at once, IRQs masked */
    uint64_t end = guest_cycles() + env->counter_hz / 1000 * ARRIVE_MS;
    while (gic_pending() != ppi && guest_cycles() < end)
        guest_relax();
    bool was_pending = gic_pending() == ppi;
    timer_disable(phys);
    make_exits(1); /* where the hypervisor samples the timer */
    unsigned pending_after = gic_pending();
    unsigned before = taken[ppi];
    irqs_unmask();
    make_exits(QUIET_EXITS);
    unsigned late = taken[ppi] - before;
    stop(phys);

    format_snprintf(detail, size,
                    "INTID %u taken %u time(s), %u more after disabling; masked: %s, then %s "
                    "(%u taken); %u other IRQs",
                    ppi, first, again, was_pending ? "pending" : "NOT PENDING",
                    pending_after == ppi ? "STILL PENDING" : "taken back", late, other_irqs);
    return first == 1 && again == 0 && was_pending && pending_after != ppi && late == 0 &&
           other_irqs == 0;
}

static bool check_imask(const struct fault_env *env, bool phys, char *detail, size_t size)
{
    unsigned ppi = ppi_of(phys);
    if (!ready(env, detail, size))
        return false;
    unsigned first = fire(env, phys, HANDLER_MASK, 1);
    make_exits(QUIET_EXITS);
    unsigned again = taken[ppi] - first;
    stop(phys);
    format_snprintf(detail, size, "INTID %u taken %u time(s), %u more while masked by IMASK", ppi,
                    first, again);
    return first == 1 && again == 0;
}

static bool check_rearm(const struct fault_env *env, bool phys, char *detail, size_t size)
{
    unsigned ppi = ppi_of(phys);
    if (!ready(env, detail, size))
        return false;
    rearms_left = REARMS;
    unsigned n = fire(env, phys, HANDLER_REARM, REARMS + 1);
    stop(phys);
    format_snprintf(detail, size, "INTID %u taken %u time(s), re-armed by its handler %u times",
                    ppi, n, REARMS - rearms_left);
    return n == REARMS + 1 && rearms_left == 0;
}

bool timer_check_virtual(const struct fault_env *env, char *detail, size_t size)
{
    return check_interrupt(env, false, detail, size);
}

bool timer_check_physical(const struct fault_env *env, char *detail, size_t size)
{
    return check_interrupt(env, true, detail, size);
}

bool timer_check_virtual_imask(const struct fault_env *env, char *detail, size_t size)
{
    return check_imask(env, false, detail, size);
}

bool timer_check_physical_imask(const struct fault_env *env, char *detail, size_t size)
{
    return check_imask(env, true, detail, size);
}

bool timer_check_virtual_rearm(const struct fault_env *env, char *detail, size_t size)
{
    return check_rearm(env, false, detail, size);
}

bool timer_check_physical_rearm(const struct fault_env *env, char *detail, size_t size)
{
    return check_rearm(env, true, detail, size);
}
