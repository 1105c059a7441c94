/* SPDX-License-Identifier: MIT */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

/*
 * What each hart keeps beside the core's struct percpu.
 *
 * The per-CPU register is sscratch. It holds the address of this hart's struct arch_percpu
 * (the 'arch' member of its struct percpu) at all times, except for the first instructions of
 * trap_entry.S, which swap it with t6 to get a pointer without clobbering any register of the
 * interrupted context. Not tp: picolibc keeps its TLS pointer there. Not a GPR at all: once
 * guests run, every GPR belongs to the guest on trap entry, and sscratch is the one S-mode
 * register a guest cannot touch (VS-mode accesses to sscratch go to vsscratch).
 *
 * sscratch points at the arch part rather than at struct percpu so the assembly only needs
 * offsets into this structure, which the riscv64 port owns; arch_this_cpu() steps back to the
 * containing struct percpu.
 */

/* Offsets for assembly; checked against the structure in arch/riscv64/cpu.c. */
#define ARCH_PERCPU_SCRATCH_T5 0  /* trap entry parks the interrupted t5 here */
#define ARCH_PERCPU_SCRATCH_T6 8  /* ... and t6 */
#define ARCH_PERCPU_HOST_SP    16 /* guest_enter's stack pointer, for the way back */
#define ARCH_PERCPU_GUEST_REGS 24 /* struct guest_regs of the vCPU in guest mode */
#define ARCH_PERCPU_START      32 /* struct arch_start_args, handed to SBI HSM as 'opaque' */

#define START_ARGS_STACK_TOP 0
#define START_ARGS_ARCH      8
#define START_ARGS_SATP      16

/* Room for picolibc's thread-local data (errno...); linker/riscv64.ld checks it fits. */
#define ARCH_TLS_SIZE 128

#ifndef __ASSEMBLY__

#include <axvm/types.h>

struct vcpu;
struct guest_regs;

/* What a secondary hart needs before it can run C: read by head.S with the MMU still off. */
struct arch_start_args {
    uint64_t stack_top;
    uint64_t arch; /* struct arch_percpu *, loaded into sscratch */
    uint64_t satp; /* the boot hart's translation */
};

struct arch_percpu {
    uint64_t scratch_t5;
    uint64_t scratch_t6;
    /* Set by guest_enter for guest_exit (arch/riscv64/guest_entry.S): a trap from a guest
     * saves its registers into guest_regs and returns on host_sp from guest_enter. */
    uint64_t host_sp;
    struct guest_regs *guest_regs;
    struct arch_start_args start;
    /* The core's deadline for this hart (arch_timer_set), and what the HS timer is armed for
     * (the earlier of that and, without Sstc, the loaded vCPU's): ~0 for nothing. Arming is an
     * SBI call, so the same value is not armed twice (arch/riscv64/timer.c). */
    uint64_t timer_deadline;
    uint64_t timer_armed;
    /* picolibc TLS block; tp points at it (RISC-V TLS variant I: no TCB before the data). */
    uint8_t tls[ARCH_TLS_SIZE] __attribute__((aligned(16)));
};

#endif /* !__ASSEMBLY__ */

#endif
