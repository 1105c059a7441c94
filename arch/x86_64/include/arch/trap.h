/* SPDX-License-Identifier: MIT */
#ifndef ARCH_TRAP_H
#define ARCH_TRAP_H

/* Exceptions and interrupts the hypervisor takes: every one of the 256 IDT vectors has a stub
 * (arch/x86_64/entry.S) that saves the registers into a trap_frame and calls trap_dispatch. */

#define VECTOR_KICK     0xf0 /* IPI from arch_cpu_kick_all: wakes a CPU from hlt */
#define VECTOR_SLICE    0xef /* local APIC timer: the scheduler's time slice is over */
#define VECTOR_SPURIOUS 0xff /* local APIC spurious-interrupt vector */

#define TRAP_STUB_SIZE 16 /* entry.S aligns each vector's stub to this */

#ifndef __ASSEMBLY__
#include <axvm/types.h>

/* What entry.S pushes, lowest address first; the last six words are the CPU's own. */
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector;
    uint64_t error; /* the CPU's error code, or 0 for vectors without one */
    uint64_t rip, cs, rflags, rsp, ss;
};

void trap_dispatch(struct trap_frame *f);

/* Fill the IDT (once, on the boot CPU), then load it on each CPU. */
void idt_init(void);
void idt_load(void);
#endif

#endif
