/* SPDX-License-Identifier: MIT */
#ifndef ARCH_VCPU_H
#define ARCH_VCPU_H

/* The host build's vCPU: what the fake architecture in host_arch.c records. */
struct arch_vcpu {
    unsigned long long entry, arg;
    unsigned completed;
    unsigned loads, puts; /* arch_vcpu_load / arch_vcpu_put calls */
    bool event_pending;   /* what arch_vcpu_event_pending answers */
    unsigned long long timer_deadline;
};

#endif
