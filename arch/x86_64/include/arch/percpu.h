/* SPDX-License-Identifier: MIT */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

/*
 * The GS base MSR holds the CPU's struct percpu address; arch_this_cpu() reads 'self' through
 * GS so it costs one load. (SVM later adds the host save area here.)
 */

#include <arch/gdt.h>

struct percpu;

struct arch_percpu {
    struct percpu *self;
    struct x86_tss tss;
};

#endif
