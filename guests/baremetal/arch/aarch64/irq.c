// SPDX-License-Identifier: MIT
/* The AArch64 test guest's device interrupts: an SPI enabled at the distributor (GICv3 or
 * GICv2, gic.c), taken through the IRQ vector (traps.c). */
#include "../../faults.h"
#include "../../guest.h"
#include "gic.h"
#include "traps.h"

static unsigned wanted;
static void (*wanted_fn)(void);

static void on_irq(unsigned intid)
{
    if (intid == wanted && wanted_fn)
        wanted_fn();
}

bool guest_irq_enable(const void *fdt, unsigned irq, void (*fn)(void))
{
    uint64_t gicd, gicr;
    if (irq < 32 || !gic_find(fdt, &gicd, &gicr))
        return false;
    trap_init();
    if (!gic_cpu_init(fdt, 0))
        return false;
    wanted = irq;
    wanted_fn = fn;
    trap_irq_handler(on_irq);
    /* Priority 0 and, after reset, routed to vCPU 0: only the enable is needed. */
    *(volatile uint32_t *)(uintptr_t)(gicd + GICD_ISENABLER + 4 * (irq / 32)) = 1U << (irq % 32);
    return true;
}

/* WFI wakes on a pending interrupt even with PSTATE.I set (ARM ARM D1.16.2): the interrupt is
 * taken in the window where I is clear, so none can slip between the check and the sleep. */
void guest_irq_wait(volatile uint32_t *count, uint32_t target)
{
    while (__atomic_load_n(count, __ATOMIC_ACQUIRE) < target)
        __asm__ volatile("wfi; msr daifclr, #2; isb; msr daifset, #2" ::: "memory");
}
