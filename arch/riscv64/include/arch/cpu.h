/* SPDX-License-Identifier: MIT */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

/* Per-hart setup shared by the boot hart and the secondaries. */

#include <axvm/percpu.h>

/*
 * Make 'cpu' the calling hart's per-CPU block: sscratch, picolibc TLS (tp), and sie.SSIE so
 * that an IPI ends a wfi (or, in guest mode, traps to HS). Call before any other C code that
 * may use them.
 */
void cpu_local_init(struct percpu *cpu);

/* Frequency of the time CSR, from /cpus/timebase-frequency. */
void cpu_timebase_set(uint64_t hz);

#endif
