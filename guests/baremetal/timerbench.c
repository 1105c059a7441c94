// SPDX-License-Identifier: MIT
/*
 * Timer-interrupt latency ("timerbench" on the command line, for `make bench`): the guest arms
 * its timer for a deadline a little ahead, waits for the interrupt in its idle instruction (WFI,
 * HLT) as an operating system's idle loop does, and its handler reads the counter before
 * anything else. The latency is that reading minus the deadline, in counter ticks: what the
 * timer, the interrupt's way to the guest and the wake-up from the idle instruction add. The
 * same guest runs under axvm and on bare QEMU ("bare" on the command line: no hypercalls at
 * all), so scripts/bench.py compares the two. One line reports the median, the least and the
 * 90th percentile of SAMPLES.
 */
#include "guest.h"

#define SAMPLES  101
#define WARMUP   5
#define AHEAD_US 300 /* how far ahead each deadline is: well past the arming's own cost */
#define STR2(x)  #x
#define STR(x)   STR2(x)

static volatile uint64_t fired_at;
static volatile bool fired;

void timerbench_irq(uint64_t now)
{
    fired_at = now;
    fired = true;
}

static void sort(uint64_t *a, unsigned n)
{
    for (unsigned i = 1; i < n; i++)
        for (unsigned j = i; j > 0 && a[j - 1] > a[j]; j--) {
            uint64_t t = a[j];
            a[j] = a[j - 1];
            a[j - 1] = t;
        }
}

#define NONE  (~0ULL)
#define EARLY (~1ULL)

/* One sample: ticks from the deadline to the handler; NONE when nothing came, EARLY when the
 * interrupt came before its deadline. The wait gives up after GIVE_UP_S of the counter, which
 * runs on while a loaded host leaves the vCPU's thread unscheduled (the interrupt is then taken
 * late, not lost): a limit that catches a timer that never fires, not a slow host. */
#define GIVE_UP_S 10
static uint64_t sample(uint64_t ahead, uint64_t hz)
{
    fired = false;
    uint64_t deadline = guest_cycles() + ahead;
    guest_timer_arm(deadline);
    uint64_t give_up = deadline + GIVE_UP_S * hz;
    while (!fired && guest_cycles() < give_up)
        guest_timer_wait();
    if (!fired)
        return NONE;
    return fired_at < deadline ? EARLY : fired_at - deadline;
}

void timerbench_run(const void *fdt, uint64_t hz)
{
    if (!hz || !guest_timer_init(fdt)) {
        guest_printf("timerbench: FAILED: no counter frequency or no timer interrupt\n");
        return;
    }
    static uint64_t ticks[SAMPLES];
    uint64_t ahead = hz * AHEAD_US / 1000000;
    for (int i = -WARMUP; i < SAMPLES; i++) {
        uint64_t t = sample(ahead, hz);
        if (t == NONE || t == EARLY) {
            guest_printf("timerbench: FAILED: %s (sample %d)\n",
                         t == NONE ? "no timer interrupt in " STR(GIVE_UP_S) " s after its deadline"
                                   : "the timer interrupt came before its deadline",
                         i);
            return;
        }
        if (i >= 0)
            ticks[i] = t;
    }
    sort(ticks, SAMPLES);
    guest_printf("timerbench: samples=%u counter_hz=%llu median_ticks=%llu min_ticks=%llu "
                 "p90_ticks=%llu\n",
                 SAMPLES, (unsigned long long)hz, (unsigned long long)ticks[SAMPLES / 2],
                 (unsigned long long)ticks[0], (unsigned long long)ticks[SAMPLES * 9 / 10]);
    guest_printf("timerbench: done\n");
}
