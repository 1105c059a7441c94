// SPDX-License-Identifier: MIT
/* Secondary harts: started and woken through the SBI (HSM and IPI extensions). */
#include <axvm/arch.h>
#include <axvm/percpu.h>
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <arch/percpu.h>
#include <arch/sbi.h>

NORETURN void riscv_secondary_main(struct arch_percpu *arch);

/* boot/riscv64/head.S */
extern char secondary_entry[];

int arch_cpu_start(struct percpu *cpu, uint64_t hwid, void *stack_top)
{
    struct arch_start_args *args = &cpu->arch.start;
    args->stack_top = (uint64_t)(uintptr_t)stack_top;
    args->arch = (uint64_t)(uintptr_t)&cpu->arch;
    args->satp = mmu_satp();
    /* The new hart reads these with its MMU off; make them visible before it can run. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    long err = sbi_hart_start(hwid, (uintptr_t)secondary_entry, (uintptr_t)args);
    return (int)err;
}

const char *arch_cpu_start_describe(struct percpu *cpu)
{
    static const char *const states[] = {
        [SBI_HSM_STATE_STARTED] = "; the firmware reports it started",
        [SBI_HSM_STATE_STOPPED] = "; the firmware reports it stopped",
        [SBI_HSM_STATE_START_PENDING] = "; the firmware reports it start pending",
        [SBI_HSM_STATE_STOP_PENDING] = "; the firmware reports it stop pending",
        [SBI_HSM_STATE_SUSPENDED] = "; the firmware reports it suspended",
    };
    long state = sbi_hart_status(cpu->hwid);
    return state >= 0 && state < (long)ARRAY_SIZE(states) && states[state] ? states[state] : "";
}

/* head.S has loaded sp, sscratch, stvec and satp from the start arguments. */
NORETURN void riscv_secondary_main(struct arch_percpu *arch)
{
    struct percpu *cpu = arch_this_cpu();
    cpu_local_init(cpu);
    kernel_secondary_main(cpu);
}

void arch_cpu_kick_all(void)
{
    struct percpu *self = arch_this_cpu();
    /*
     * One call per hart rather than one mask: hart ids need not be below 64 or contiguous.
     * Harts not yet online are skipped; they check for a panic before their first wfi.
     */
    for (unsigned i = 0; i < percpu_count; i++) {
        struct percpu *cpu = percpu_get(i);
        if (cpu != self && cpu->online)
            sbi_send_ipi(cpu->hwid);
    }
}
