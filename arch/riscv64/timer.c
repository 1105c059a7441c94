// SPDX-License-Identifier: MIT
/* The hart's one-shot timer and the SBI guest timer of harts without Sstc (see arch/timer.h). */
#include <axvm/arch.h>
#include <axvm/arch_vm.h>
#include <axvm/percpu.h>
#include <axvm/vcpu.h>
#include <arch/csr.h>
#include <arch/sbi.h>
#include <arch/timer.h>
#include <arch/virt.h>

/* The guest deadline that shares the HS timer: the loaded vCPU's, if it has one pending. */
static uint64_t guest_deadline(struct percpu *cpu)
{
    struct vcpu *v = cpu->vcpu_loaded;
    return riscv_have_sstc || !v ? ~0ULL : v->arch.sbi_timer;
}

/* Arm the HS timer for the earliest deadline; an SBI call only when that changes. */
static void timer_program(void)
{
    struct percpu *cpu = arch_this_cpu();
    uint64_t when = MIN(cpu->arch.timer_deadline, guest_deadline(cpu));
    if (cpu->arch.timer_armed == when)
        return;
    cpu->arch.timer_armed = when;
    if (when == ~0ULL) {
        csr_clear(sie, SIP_STIP);
        sbi_set_timer(~0ULL);
        return;
    }
    if (sbi_set_timer(when) == SBI_SUCCESS)
        csr_set(sie, SIP_STIP);
}

void arch_timer_set(uint64_t deadline)
{
    arch_this_cpu()->arch.timer_deadline = deadline;
    timer_program();
}

/* The loaded vCPU's SBI deadline has passed: its timer interrupt is pending until the guest
 * sets the next one (SBI 6.1). */
static void guest_fire(struct vcpu *v)
{
    v->arch.sbi_timer = ~0ULL;
    csr_set(hvip, HIP_VSTIP);
}

void timer_expired(void)
{
    struct percpu *cpu = arch_this_cpu();
    uint64_t now = arch_counter_read();
    if (now >= cpu->arch.timer_deadline) {
        cpu->arch.timer_deadline = ~0ULL;
        percpu_resched_set(cpu);
    }
    if (now >= guest_deadline(cpu))
        guest_fire(cpu->vcpu_loaded);
    timer_program();
}

void timer_guest_set(struct vcpu *v, uint64_t when)
{
    v->arch.sbi_timer = when;
    csr_clear(hvip, HIP_VSTIP);
    timer_guest_enter(v);
}

void timer_guest_enter(struct vcpu *v)
{
    if (riscv_have_sstc)
        return;
    if (arch_counter_read() >= v->arch.sbi_timer)
        guest_fire(v);
    timer_program();
}

uint64_t timer_guest_deadline(const struct vcpu *v)
{
    return v->arch.sbi_timer;
}
