/* SPDX-License-Identifier: MIT */
#ifndef ARCH_THIS_CPU_H
#define ARCH_THIS_CPU_H

/* The calling CPU's per-CPU block: TPIDR_EL2 holds its address (set as each CPU starts). */

#include <axvm/percpu.h>
#include <arch/sysreg.h>

static inline struct percpu *arch_this_cpu(void)
{
    return (struct percpu *)sysreg_read(tpidr_el2);
}

#endif
