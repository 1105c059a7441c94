// SPDX-License-Identifier: MIT
#include <arch/irq.h>
#include <arch/psci.h>
#include <arch/sysreg.h>
#include <drivers/gic.h>
#include <axvm/arch.h>
#include <axvm/percpu.h>

extern char secondary_entry[];

int arch_cpu_start(struct percpu *cpu, uint64_t hwid, void *stack_top)
{
    cpu->arch.boot_args.stack_top = (uint64_t)(uintptr_t)stack_top;
    cpu->arch.boot_args.percpu = (uint64_t)(uintptr_t)cpu;
    /* The new CPU reads these with its MMU and caches off: push them to memory. */
    __asm__ volatile("dc cvac, %0" ::"r"(&cpu->arch.boot_args) : "memory");
    dsb_sy();
    int64_t r = psci_call(PSCI_CPU_ON_64, hwid, ptr_to_phys(secondary_entry),
                          ptr_to_phys(&cpu->arch.boot_args));
    return r == PSCI_SUCCESS ? 0 : (int)r;
}

NORETURN void arch_secondary_main(struct percpu *cpu)
{
    sysreg_write(tpidr_el2, cpu);
    cpu->arch.gic_cpu = gic_cpu_init(sysreg_read(mpidr_el1), GIC_HYP_PPIS);
    cpu->arch.gic_ready = cpu->arch.gic_cpu != 0;
    kernel_secondary_main(cpu);
}
