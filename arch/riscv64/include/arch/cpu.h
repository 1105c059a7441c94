/* SPDX-License-Identifier: MIT */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

/* Per-hart setup shared by the boot hart and the secondaries. */

#include <axvm/percpu.h>

/*
 * Make 'cpu' the calling hart's per-CPU block: sscratch, picolibc TLS (tp), the trap stack,
 * and sie.SSIE so that an IPI ends a wfi. Call before any other C code that may use them.
 */
void cpu_local_init(struct percpu *cpu, void *stack_top);

/* Frequency of the time CSR, from /cpus/timebase-frequency. */
void cpu_timebase_set(uint64_t hz);

#endif
