/* SPDX-License-Identifier: MIT */
#ifndef GUEST_H
#define GUEST_H

/*
 * The bare-metal test guest: one C program for every architecture, with a start file and a
 * few hardware calls per architecture under arch/<arch>/.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Provided by arch/<arch>/: */
int64_t guest_hypercall(uint64_t nr, uint64_t a0, uint64_t a1);
/* Start vCPU 'hwid' at guest_secondary_entry with 'arg' (PSCI CPU_ON, SBI HSM). */
int64_t guest_cpu_on(uint64_t hwid, uint64_t arg);
uint64_t guest_cycles(void);
/* guest_cycles() ticks per second; 0 where the architecture cannot tell (pacing is then off). */
uint64_t guest_counter_freq(void);
/* Where console output goes when the device tree names no UART the guest knows (x86 COM1). */
void guest_console_putc_fallback(char c);
void guest_relax(void);
/*
 * Interrupts (arch/<arch>/irq.c): guest_irq_enable gets the vCPU ready to take interrupt 'irq'
 * (the number in the VM config: a GIC INTID, a PLIC source, an I/O APIC pin) from its interrupt
 * controller and calls 'fn' for each, in the handler. False when the device tree names no
 * controller it knows. guest_irq_wait sleeps (WFI, HLT) with interrupts open only while asleep
 * until *count reaches 'target'.
 */
bool guest_irq_enable(const void *fdt, unsigned irq, void (*fn)(void));
void guest_irq_wait(volatile uint32_t *count, uint32_t target);

/* What vCPU 1 runs instead of its share of the prime count, when set before it is started. */
extern void (*volatile guest_secondary_job)(void);
/* AArch64 only (arch/aarch64/sgi.c): an SGI sent again during its handler is taken after it,
 * the target waiting in WFI ("sgirepend"); a weak stub elsewhere says it is not there. */
void sgi_repend_run(const void *fdt, uint64_t hz);

/* Common code: */
void guest_main(const void *fdt);
void guest_secondary_main(uint64_t arg);

void bench_run(const void *fdt);

/* Timer-interrupt latency ("timerbench", timerbench.c), with 'hz' the rate of guest_cycles(). */
void timerbench_run(const void *fdt, uint64_t hz);
/* Called by the architecture's timer interrupt handler with guest_cycles() read first thing. */
void timerbench_irq(uint64_t now);
/* Provided by arch/<arch>/timer_irq.c for timerbench.c, interrupts masked outside
 * guest_timer_wait: take the timer's interrupt (interrupt controller, vector; the handler stops
 * the timer and calls timerbench_irq), arm it for an absolute guest_cycles() value, and wait in
 * the idle instruction with interrupts taken after it. */
bool guest_timer_init(const void *fdt);
void guest_timer_arm(uint64_t deadline);
void guest_timer_wait(void);
/* guest_cycles() at the guest's first instruction, stored by start.S (for `make bench`). */
extern uint64_t guest_start_cycles;
/* The FP/SIMD isolation canary ("fpcanary=N"), paced by a counter_hz counter (fpcanary.c). */
void fpcanary_run(unsigned long rounds, uint64_t counter_hz);

/* Ping-pong 'count' messages through the shared-memory region in the device tree (shmem.c). */
void shmem_run(const void *fdt, uint64_t vm_id, unsigned long count);
/* Leave a message for a Linux VM in the shared region, check its answer, ring its doorbell
 * ("shmemlinux"; the Linux side is guests/linux/init/shm.c). */
void shmem_serve_linux(const void *fdt);
/* Write the read-only shared region: its VM must be stopped (or faulted) by the hypervisor. */
void shmem_write_read_only(const void *fdt);

void console_init(const void *fdt);
/* Read the console UART's status register (PL011 FR, 16550 LSR): an emulated-device exit.
 * False when the device tree names no memory-mapped UART. */
bool console_status(uint32_t *status);
void guest_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
