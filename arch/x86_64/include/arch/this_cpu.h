/* SPDX-License-Identifier: MIT */
#ifndef ARCH_THIS_CPU_H
#define ARCH_THIS_CPU_H

/* The calling CPU's per-CPU block: GS points at it, and its arch.self field holds its address. */

#include <axvm/percpu.h>

static inline struct percpu *arch_this_cpu(void)
{
    struct percpu *self;
    __asm__("movq %%gs:%c1, %0" : "=r"(self) : "i"(offsetof(struct percpu, arch.self)));
    return self;
}

#endif
