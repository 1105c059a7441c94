/* SPDX-License-Identifier: MIT */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

#include <axvm/types.h>

struct vcpu;

/*
 * TPIDR_EL2 holds the CPU's struct percpu pointer (picolibc's TLS uses TPIDR_EL0, which the
 * guest owns anyway).
 */
struct arch_percpu {
    /* What a secondary's entry code reads before it has a stack: keep these first and in
     * this order, boot/aarch64/head.S knows the offsets. */
    struct {
        uint64_t stack_top;
        uint64_t percpu;
    } boot_args;
    /* This CPU's GIC interface is up: it can send and take SGIs. */
    bool gic_ready;
    /* Its GIC interface handle (gic_cpu_init: a GICv3 redistributor's SGI/PPI frame), and the
     * guest timer PPIs (bit 0 virtual, bit 1 physical) disabled there until the guest's timer
     * condition drops (vtimer.c). */
    uintptr_t gic_cpu;
    uint8_t timer_ppis_off;
};

#endif
