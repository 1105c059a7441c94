/* SPDX-License-Identifier: MIT */
#ifndef ARCH_VCPU_H
#define ARCH_VCPU_H

/* The host build's vCPU: what the fake architecture (tests/unit/host_arch_vm.c) records. Only
 * the vCPU's own pCPU touches it, except event_pending (atomic: any pCPU may raise it). */
struct arch_vcpu {
    unsigned long long entry, arg; /* from the last arch_vcpu_reset */
    unsigned resets;
    unsigned completed;         /* arch_vcpu_complete calls */
    unsigned long long stepped; /* bytes of guest PC it stepped over */
    unsigned loads, puts;       /* arch_vcpu_load / arch_vcpu_put calls */
    bool trap_idle;             /* the last arch_vcpu_trap_idle: its WFI/HLT exits */
    unsigned trap_idle_calls;
    bool event_pending;                /* a local wake-up source (arch_vcpu_event_pending) */
    unsigned long long timer_deadline; /* the guest's timer, 0: off */
    unsigned irqs_taken;               /* events and timer expiries the guest took */
    long long last_ret;                /* the last hypercall's or CPU_ON's result */
    unsigned long long reads[32];      /* MMIO and port reads' values, in order */
    unsigned read_count;
    unsigned step, rep; /* where in its script (harness.h) */
};

#endif
