// SPDX-License-Identifier: MIT
/*
 * The timer interrupt for timerbench.c: the EL1 virtual timer (CNTV, PPI 27; it compares with
 * CNTVCT, which guest_cycles reads) through the GIC's CPU interface, taken by the IRQ vector
 * (traps.c acknowledges and ends it).
 */
#include "../../faults.h"
#include "../../guest.h"
#include "gic.h"
#include "traps.h"

#define PPI_VTIMER 27

static void vtimer_irq(unsigned intid)
{
    uint64_t now = guest_cycles();
    if (intid != PPI_VTIMER)
        return;
    __asm__ volatile("msr cntv_ctl_el0, xzr; isb"); /* off: its level drops */
    timerbench_irq(now);
}

bool guest_timer_init(const void *fdt)
{
    trap_init();
    if (!gic_cpu_init(fdt, 1U << PPI_VTIMER))
        return false;
    trap_irq_handler(vtimer_irq);
    return true;
}

void guest_timer_arm(uint64_t deadline)
{
    __asm__ volatile("msr cntv_cval_el0, %0; msr cntv_ctl_el0, %1; isb" ::"r"(deadline), "r"(1UL));
}

/* WFI wakes on a pending interrupt even with PSTATE.I set; the interrupt is taken once IRQs
 * are unmasked, and masked again before anything else. */
void guest_timer_wait(void)
{
    __asm__ volatile("dsb sy; wfi; msr daifclr, #2; isb; msr daifset, #2" ::: "memory");
}
