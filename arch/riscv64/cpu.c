// SPDX-License-Identifier: MIT
/* The small per-hart services of arch.h: per-CPU register, idling, interrupts, time, power. */
#include <picolibc.h> /* defines PICOLIBC_TLS, which picotls.h needs */
#include <picotls.h>
#include <axvm/arch.h>
#include <axvm/arch_vm.h>
#include <axvm/log.h>
#include <axvm/percpu.h>
#include <arch/cpu.h>
#include <arch/csr.h>
#include <arch/irq.h>
#include <arch/percpu.h>
#include <arch/sbi.h>
#include <arch/timer.h>

_Static_assert(offsetof(struct arch_percpu, scratch_t5) == ARCH_PERCPU_SCRATCH_T5, "asm offset");
_Static_assert(offsetof(struct arch_percpu, scratch_t6) == ARCH_PERCPU_SCRATCH_T6, "asm offset");
_Static_assert(offsetof(struct arch_percpu, host_sp) == ARCH_PERCPU_HOST_SP, "asm offset");
_Static_assert(offsetof(struct arch_percpu, guest_regs) == ARCH_PERCPU_GUEST_REGS, "asm offset");
_Static_assert(offsetof(struct arch_percpu, start) == ARCH_PERCPU_START, "asm offset");
_Static_assert(offsetof(struct arch_start_args, stack_top) == START_ARGS_STACK_TOP, "asm offset");
_Static_assert(offsetof(struct arch_start_args, arch) == START_ARGS_ARCH, "asm offset");
_Static_assert(offsetof(struct arch_start_args, satp) == START_ARGS_SATP, "asm offset");

const char arch_name[] = "riscv64";

static uint64_t timebase_hz;

void cpu_local_init(struct percpu *cpu)
{
    csr_write(sscratch, &cpu->arch);
    cpu->arch.timer_deadline = ~0ULL; /* not set */
    cpu->arch.timer_armed = ~0ULL;
    _init_tls(cpu->arch.tls);
    _set_tls(cpu->arch.tls);
    /*
     * Supervisor software interrupts stay masked globally (sstatus.SIE = 0) but enabled in
     * sie: a pending, enabled interrupt ends wfi whatever sstatus.SIE says (Privileged spec
     * 3.3.3), which is how arch_cpu_kick_all() wakes a sleeping hart without taking a trap.
     */
    csr_write(sie, SIP_SSIP);
}

void cpu_timebase_set(uint64_t hz)
{
    timebase_hz = hz;
}

void arch_cpu_relax(void)
{
    /* Zihintpause "pause" (fence w,0): a nop on harts without it; lets QEMU switch vCPUs. */
    __asm__ volatile(".insn i 0x0f, 0, x0, x0, 0x010" ::: "memory");
}

/* Without a console interrupt, the longest the boot hart sleeps before it polls the console
 * input again: 10 ms. */
#define CONSOLE_POLLS_PER_SECOND 100

/*
 * Sleep until an IPI, the hart's one-shot timer (arch_timer_set: a time slice, a halted vCPU's
 * deadline), a host interrupt (console input, a passthrough device), or a VS interrupt of the
 * loaded vCPU that its sie enables (a halted vCPU's own timer). Interrupts stay masked in
 * sstatus: a pending, enabled one ends wfi all the same (Privileged spec 3.3.3), and is served
 * here. Only a boot hart whose console has no interrupt wakes on a poll tick.
 */
void arch_wait_for_event(void)
{
    struct percpu *cpu = arch_this_cpu();
    uint64_t deadline = cpu->arch.timer_deadline;
    bool poll = cpu->index == 0 && !irq_console && timebase_hz;
    if (poll)
        arch_timer_set(MIN(deadline, arch_counter_read() + timebase_hz / CONSOLE_POLLS_PER_SECOND));
    __asm__ volatile("wfi" ::: "memory");
    irq_dispatch();
    /* What has come due is done, the core's deadline or (without Sstc) the loaded vCPU's, and
     * re-arming drops STIP; the core sets its next deadline before it sleeps again. A console
     * poll tick gives way to the core's deadline. */
    timer_expired();
    if (poll)
        arch_timer_set(arch_counter_read() >= deadline ? ~0ULL : deadline);
    /* The IPI that woke us has done its job; clear it or the next wfi returns at once. */
    csr_clear(sip, SIP_SSIP);
}

unsigned long arch_irq_save(void)
{
    return csr_read_clear(sstatus, SSTATUS_SIE) & SSTATUS_SIE;
}

void arch_irq_restore(unsigned long flags)
{
    if (flags & SSTATUS_SIE)
        csr_set(sstatus, SSTATUS_SIE);
}

NORETURN void arch_cpu_halt(void)
{
    /* Disable in sie too: a pending, enabled IPI would end every wfi at once and the halted
     * hart would spin instead of sleeping. */
    csr_clear(sstatus, SSTATUS_SIE);
    csr_write(sie, 0);
    for (;;)
        __asm__ volatile("wfi" ::: "memory");
}

NORETURN void arch_system_off(void)
{
    long err = sbi_shutdown();
    /* Only returns if the firmware has no SRST extension or refused the request. */
    log_error("SBI system reset failed (error %ld): halting instead", err);
    arch_cpu_halt();
}

uint64_t arch_counter_read(void)
{
    uint64_t t;
    __asm__ volatile("rdtime %0" : "=r"(t));
    return t;
}

uint64_t arch_counter_freq(void)
{
    return timebase_hz;
}
