// SPDX-License-Identifier: MIT
#include <arch/psci.h>
#include <arch/sysreg.h>
#include <arch/irq.h>
#include <drivers/gic.h>
#include <axvm/arch.h>
#include <axvm/percpu.h>

const char arch_name[] = "aarch64";

void arch_cpu_relax(void)
{
    __asm__ volatile("yield" ::: "memory");
}

/*
 * Idle in WFI, not WFE: QEMU runs WFE as a mere yield, so CPUs "waiting" in WFE would spin and
 * take host time from the CPUs running guests. WFI wakes on a pending interrupt even with
 * PSTATE.I set, so the kick SGI wakes it; draining the SGI keeps the next WFI asleep.
 */
void arch_wait_for_event(void)
{
    struct percpu *cpu = arch_this_cpu();
    if (!cpu->arch.gic_ready) {
        __asm__ volatile("wfe" ::: "memory");
        return;
    }
    __asm__ volatile("dsb sy; wfi" ::: "memory");
    irq_dispatch();
}

void arch_cpu_kick_all(void)
{
    dsb_ish();
    __asm__ volatile("sev" ::: "memory");
    struct percpu *cpu = arch_this_cpu();
    if (cpu && cpu->arch.gic_ready)
        gic_send_sgi_others(GIC_SGI_KICK);
}

unsigned long arch_irq_save(void)
{
    unsigned long flags = sysreg_read(daif);
    __asm__ volatile("msr daifset, #3" ::: "memory");
    return flags;
}

void arch_irq_restore(unsigned long flags)
{
    sysreg_write(daif, flags);
}

NORETURN void arch_cpu_halt(void)
{
    __asm__ volatile("msr daifset, #0xf" ::: "memory");
    for (;;)
        __asm__ volatile("wfi");
}

NORETURN void arch_system_off(void)
{
    /* Without PSCI (the Pi's firmware alone) nothing can cut the power: halt. */
    psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
    arch_cpu_halt();
}

uint64_t arch_counter_read(void)
{
    isb();
    return sysreg_read(cntpct_el0);
}

uint64_t arch_counter_freq(void)
{
    return sysreg_read(cntfrq_el0);
}

uintptr_t arch_fault_probe_address(void)
{
    /* In the last GiB of the 512 GiB the EL2 map covers: never RAM on the machines we run on,
     * and above 4 GiB nothing but RAM is mapped (arch/aarch64/mmu.c). */
    return 0x7fc0bad000UL;
}
