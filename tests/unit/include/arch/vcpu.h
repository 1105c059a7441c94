/* SPDX-License-Identifier: MIT */
#ifndef ARCH_VCPU_H
#define ARCH_VCPU_H

/* The host build's vCPU: what the fake architecture in host_arch.c records. */
struct arch_vcpu {
    unsigned long long entry, arg;
    unsigned completed;
};

#endif
