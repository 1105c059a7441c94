// SPDX-License-Identifier: MIT
/*
 * The EL1 timers' interrupts (ARM ARM D11.2.4): the virtual timer (CNTV, PPI 27) and the
 * physical timer (CNTP, PPI 30). A timer's interrupt is a level: asserted while the timer is
 * enabled, not masked and its condition met (CNTx_CTL ENABLE, !IMASK, ISTATUS). Each check:
 *
 * 1. Arm the timer 1 ms ahead with IRQs unmasked: the interrupt must come, through the
 *    guest's IRQ vector with the timer's INTID from ICC_IAR1_EL1. The handler disables the
 *    timer and ends the interrupt; after that nothing more may come (watched for 20 ms).
 * 2. With IRQs masked, arm the timer in the past: its interrupt becomes pending (seen in
 *    ICC_HPPIR1_EL1). Disable the timer, so the line drops: after one exit (where the
 *    hypervisor looks at the timer) it must not be pending any more, and unmasking IRQs must
 *    bring nothing (watched for 20 ms). A hypervisor that latches the timer's interrupt like
 *    an edge delivers it here anyway.
 *
 * An extra check (timer_check_imask) has the handler mask the timer (CNTP_CTL.IMASK) instead of
 * disabling it, as Linux's arch timer handler does first: the line drops all the same.
 */
#include <axvm/format.h>
#include <axvm/hypercall.h>
#include "../../faults.h"
#include "../../guest.h"
#include "gic.h"
#include "timers.h"
#include "traps.h"

#define PPI_VTIMER 27
#define PPI_PTIMER 30
#define CTL_ENABLE 1
#define CTL_IMASK  2
#define ARRIVE_MS  100 /* an interrupt due in 1 ms must come within this */
#define QUIET_MS   20  /* and nothing more within this after it is disabled */

static volatile unsigned taken[32];
static volatile unsigned other_irqs;
static volatile bool handler_masks; /* the handler sets IMASK rather than clearing ENABLE */

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

/* The IRQ handler (traps.c acknowledges and ends the interrupt): stop the timer, count. */
static void timer_irq(unsigned intid)
{
    if (intid == PPI_VTIMER || intid == PPI_PTIMER) {
        bool phys = intid == PPI_PTIMER;
        if (handler_masks)
            timer_set(phys, timer_cval(phys), CTL_ENABLE | CTL_IMASK);
        else
            timer_disable(phys);
        taken[intid]++;
    } else {
        other_irqs++;
    }
}

static void irqs_unmask(void)
{
    __asm__ volatile("msr daifclr, #2; isb" ::: "memory");
}

static void irqs_mask(void)
{
    __asm__ volatile("msr daifset, #2; isb" ::: "memory");
}

/* Spin for up to 'ms' milliseconds, until *count reaches 'until' (0: the whole time), making
 * exits all along: each is a chance for the hypervisor to deliver an interrupt it still holds
 * (as an operating system's own exits would be). */
static void wait_ms(const struct fault_env *env, unsigned ms, volatile unsigned *count,
                    unsigned until)
{
    uint64_t end = guest_cycles() + env->counter_hz / 1000 * ms;
    while (guest_cycles() < end && !(until && *count >= until))
        guest_hypercall(AXVM_HC_VCPU_ID, 0, 0);
}

static bool ready(const struct fault_env *env, char *detail, size_t size)
{
    static bool done;
    if (!done && !gic_cpu_init(env->fdt, (1U << PPI_VTIMER) | (1U << PPI_PTIMER))) {
        format_snprintf(detail, size, "no GICv3 redistributor to wake in the device tree");
        return false;
    }
    trap_irq_handler(timer_irq);
    done = true;
    return true;
}

static bool timer_check(const struct fault_env *env, bool phys, char *detail, size_t size)
{
    unsigned ppi = phys ? PPI_PTIMER : PPI_VTIMER;
    uint64_t ms = env->counter_hz / 1000;
    if (!ready(env, detail, size))
        return false;

    /* 1: delivered once, nothing after the handler disabled it. */
    taken[ppi] = 0;
    irqs_unmask();
    timer_set(phys, counter(phys) + ms, CTL_ENABLE);
    wait_ms(env, ARRIVE_MS, &taken[ppi], 1);
    unsigned first = taken[ppi];
    wait_ms(env, QUIET_MS, &taken[ppi], 0);
    unsigned again = taken[ppi] - first;
    irqs_mask();
    timer_disable(phys);

    /* 2: pending while IRQs are masked, taken back when the timer is disabled. */
    timer_set(phys, counter(phys), CTL_ENABLE);
    uint64_t end = guest_cycles() + ARRIVE_MS * ms;
    while (gic_pending() != ppi && guest_cycles() < end)
        guest_relax();
    bool was_pending = gic_pending() == ppi;
    timer_disable(phys);
    guest_hypercall(AXVM_HC_VCPU_ID, 0, 0); /* an exit: the hypervisor samples the timer */
    unsigned pending_after = gic_pending();
    unsigned before = taken[ppi];
    irqs_unmask();
    wait_ms(env, QUIET_MS, &taken[ppi], 0);
    irqs_mask();
    unsigned late = taken[ppi] - before;

    format_snprintf(detail, size,
                    "INTID %u taken %u time(s), %u more after disabling; masked: %s, then %s "
                    "(%u taken); %u other IRQs",
                    ppi, first, again, was_pending ? "pending" : "NOT PENDING",
                    pending_after == ppi ? "STILL PENDING" : "taken back", late, other_irqs);
    return first == 1 && again == 0 && was_pending && pending_after != ppi && late == 0 &&
           other_irqs == 0;
}

bool timer_check_virtual(const struct fault_env *env, char *detail, size_t size)
{
    return timer_check(env, false, detail, size);
}

bool timer_check_physical(const struct fault_env *env, char *detail, size_t size)
{
    return timer_check(env, true, detail, size);
}

/* The handler masks the physical timer (ENABLE and IMASK set, the condition still met): its
 * interrupt must not come again while it stays masked. */
bool timer_check_imask(const struct fault_env *env, char *detail, size_t size)
{
    if (!ready(env, detail, size))
        return false;
    taken[PPI_PTIMER] = 0;
    handler_masks = true;
    irqs_unmask();
    timer_set(true, counter(true) + env->counter_hz / 1000, CTL_ENABLE);
    wait_ms(env, ARRIVE_MS, &taken[PPI_PTIMER], 1);
    unsigned first = taken[PPI_PTIMER];
    wait_ms(env, QUIET_MS, &taken[PPI_PTIMER], 0);
    unsigned again = taken[PPI_PTIMER] - first;
    irqs_mask();
    timer_disable(true);
    handler_masks = false;
    format_snprintf(detail, size, "INTID 30 taken %u time(s), %u more while masked by IMASK", first,
                    again);
    return first == 1 && again == 0;
}
