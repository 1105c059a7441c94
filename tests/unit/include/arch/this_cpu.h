/* SPDX-License-Identifier: MIT */
#ifndef ARCH_THIS_CPU_H
#define ARCH_THIS_CPU_H

/* The host build: the calling thread's pCPU (tests/unit/host_arch.c). */

struct percpu;
struct percpu *host_this_cpu(void);

static inline struct percpu *arch_this_cpu(void)
{
    return host_this_cpu();
}

#endif
