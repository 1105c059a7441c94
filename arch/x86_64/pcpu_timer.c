// SPDX-License-Identifier: MIT
/*
 * The pCPU's one-shot timer, shared by the core (time slices, halted vCPUs' deadlines:
 * arch_timer_set) and the guest in guest mode (its local APIC timer, arch/x86_64/vapic.c): the
 * local APIC timer is set for the earlier of the two. Only the core's deadline, once reached,
 * asks the scheduler to run (need_resched); the guest's only brings the pCPU out of guest mode,
 * and the next entry injects the guest's timer interrupt.
 */
#include <axvm/arch.h>
#include <axvm/arch_vm.h>
#include <axvm/percpu.h>
#include <arch/lapic.h>
#include <arch/timer.h>

static void timer_arm(struct arch_percpu *a, uint64_t deadline)
{
    if (deadline == a->timer_armed)
        return;
    a->timer_armed = deadline;
    lapic_timer_oneshot(deadline);
}

void arch_timer_set(uint64_t deadline)
{
    struct arch_percpu *a = &arch_this_cpu()->arch;
    unsigned long flags = arch_irq_save();
    a->timer_core = deadline;
    timer_arm(a, deadline);
    arch_irq_restore(flags);
}

void timer_guest_deadline(uint64_t deadline)
{
    struct arch_percpu *a = &arch_this_cpu()->arch;
    timer_arm(a, MIN(deadline, a->timer_core));
}

void timer_fired(void)
{
    struct percpu *cpu = arch_this_cpu();
    cpu->arch.timer_armed = ~0ULL;
    if (arch_counter_read() >= cpu->arch.timer_core) {
        cpu->arch.timer_core = ~0ULL;
        percpu_resched_set(cpu);
    }
}
