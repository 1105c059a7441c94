/* SPDX-License-Identifier: MIT */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

/*
 * The GS base MSR holds the CPU's struct percpu address; arch_this_cpu() reads 'self' through
 * GS so it costs one load. The SVM fields are set by arch_virt_cpu_init (arch/x86_64/svm.c).
 */

#include <arch/gdt.h>

/* ASIDs the hypervisor hands out (1..ASID_LIMIT-1); the CPU may offer fewer. */
#define ASID_LIMIT 64

struct percpu;
struct vcpu;

struct arch_percpu {
    struct percpu *self;
    struct x86_tss tss;
    /* Host state VMRUN does not save (FS, GS, TR, LDTR, syscall MSRs): VMSAVE/VMLOAD. */
    paddr_t svm_host_area;
    /* arch/x86_64/pcpu_timer.c: the core's deadline (arch_timer_set) and the one the local
     * APIC timer is set for, which may be a running guest's earlier one. */
    uint64_t timer_core, timer_armed;
    /* arch/x86_64/npt.c: the flush generation of each ASID this CPU's TLB is clean up to. */
    uint32_t asid_flushed[ASID_LIMIT];
};

#endif
