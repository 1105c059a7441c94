/* SPDX-License-Identifier: MIT */
#ifndef ARCH_THIS_CPU_H
#define ARCH_THIS_CPU_H

/* The calling hart's per-CPU block: sscratch holds the address of its struct arch_percpu while
 * the hart is in HS-mode (0 before it is set up; trap_entry.S swaps it on entry from a guest). */

#include <axvm/percpu.h>
#include <arch/csr.h>

static inline struct percpu *arch_this_cpu(void)
{
    uintptr_t arch = csr_read(sscratch);
    if (!arch)
        return NULL;
    return (struct percpu *)(arch - offsetof(struct percpu, arch));
}

#endif
