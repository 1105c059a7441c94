/* SPDX-License-Identifier: MIT */
#ifndef ARCH_TRAMPOLINE_H
#define ARCH_TRAMPOLINE_H

/*
 * A secondary CPU starts in 16-bit real mode at the page a STARTUP IPI names (below 1 MiB).
 * arch/x86_64/trampoline.S is copied there; it switches to protected mode with its own small
 * GDT, turns on long mode with the hypervisor's page tables (which must lie below 4 GiB for
 * the 32-bit CR3 load), then jumps to 'entry' on 'stack_top' with 'percpu' as argument.
 * The arguments sit at the end of the copied code, at these offsets from trampoline_args.
 */

#define TRAMP_ARG_CR0    0
#define TRAMP_ARG_CR3    8
#define TRAMP_ARG_CR4    16
#define TRAMP_ARG_EFER   24
#define TRAMP_ARG_ENTRY  32
#define TRAMP_ARG_STACK  40
#define TRAMP_ARG_PERCPU 48
#define TRAMP_ARGS_SIZE  56

/* The trampoline's own GDT selectors. */
#define TRAMP_CODE32 0x08
#define TRAMP_DATA   0x10
#define TRAMP_CODE64 0x18

#ifndef __ASSEMBLY__
#include <axvm/types.h>

struct trampoline_args {
    uint64_t cr0, cr3, cr4, efer;
    uint64_t entry;
    uint64_t stack_top;
    uint64_t percpu;
};

_Static_assert(sizeof(struct trampoline_args) == TRAMP_ARGS_SIZE, "trampoline.S layout");
_Static_assert(__builtin_offsetof(struct trampoline_args, percpu) == TRAMP_ARG_PERCPU,
               "trampoline.S layout");

/* The code to copy, and where its arguments are inside it. */
extern const char trampoline_start[], trampoline_args[], trampoline_end[];
#endif

#endif
