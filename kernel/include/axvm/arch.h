/* SPDX-License-Identifier: MIT */
#ifndef AXVM_ARCH_H
#define AXVM_ARCH_H

/*
 * The services the architecture-neutral core needs from below. Every architecture implements
 * all of these under arch/<arch>/; the host unit tests implement them in tests/unit/host_arch.c.
 * Nothing in kernel/ may ask which architecture it runs on.
 */

#include <axvm/types.h>

struct percpu;

/* Name printed in the banner: "aarch64", "riscv64", "x86_64". */
extern const char arch_name[];

/* The calling CPU's per-CPU block, from a register the architecture reserves for it:
 * struct percpu *arch_this_cpu(void), inline (every exit asks it). */
#include <arch/this_cpu.h>

/* Busy-wait hint inside spin loops. */
void arch_cpu_relax(void);

/* Sleep until an event or interrupt; may return spuriously. Used by idle loops. */
void arch_wait_for_event(void);

/* Wake every CPU sleeping in arch_wait_for_event (SEV, IPI...). */
void arch_cpu_kick_all(void);

/* Local interrupt masking; the returned value restores the previous state. */
unsigned long arch_irq_save(void);
void arch_irq_restore(unsigned long flags);

/*
 * Start secondary CPU 'cpu' (hardware id 'hwid') on 'stack_top'. It must enable the same
 * translation, vectors and per-CPU register as the boot CPU and then call
 * kernel_secondary_main(). Returns 0 if the firmware accepted the request.
 */
int arch_cpu_start(struct percpu *cpu, uint64_t hwid, void *stack_top);

/* For the boot CPU's error line about a secondary that did not come online: what the firmware
 * says of it ("; the firmware reports it start pending"), or "" where it cannot tell. Tells a
 * start the firmware never handed over from one lost on its way into the hypervisor. */
const char *arch_cpu_start_describe(struct percpu *cpu);

/* Stop this CPU for good, interrupts off. */
NORETURN void arch_cpu_halt(void);

/* Power the whole machine off (PSCI SYSTEM_OFF, SBI SRST, UEFI ResetSystem). */
NORETURN void arch_system_off(void);

/* A free-running counter and its frequency in Hz. */
uint64_t arch_counter_read(void);
uint64_t arch_counter_freq(void);

/* An address the hypervisor's page tables leave unmapped, for the deliberate-fault self-test. */
uintptr_t arch_fault_probe_address(void);

#endif
