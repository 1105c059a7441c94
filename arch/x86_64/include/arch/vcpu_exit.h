/* SPDX-License-Identifier: MIT */
#ifndef ARCH_VCPU_EXIT_H
#define ARCH_VCPU_EXIT_H

/* Pieces of the SVM exit handling that live in their own files. */

#include <axvm/exit.h>

struct vcpu;

/* A nested page fault (arch/x86_64/npf.c): lazy RAM, or MMIO decoded from the guest's
 * instruction. */
void npf_decode(struct vcpu *v, struct vcpu_exit *e);

/* CPUID, answered in place from the host's with what the guest may not use hidden
 * (arch/x86_64/cpuid_guest.c). */
void cpuid_guest(struct vcpu *v);

/* RDMSR/WRMSR of the MSRs the permission map intercepts (arch/x86_64/msr_guest.c). False for
 * an MSR the guest's CPU does not have: the caller injects #GP as the hardware would. */
bool msr_guest_read(struct vcpu *v, uint32_t msr, uint64_t *value);
bool msr_guest_write(struct vcpu *v, uint32_t msr, uint64_t value);

/* Step the guest's RIP over 'bytes' of an instruction the hypervisor emulated. */
void vcpu_step(struct vcpu *v, unsigned bytes);

/* Make the guest take exception 'vector' at its next entry (APM vol. 2 §15.20). */
void vcpu_inject_exception(struct vcpu *v, unsigned vector, bool has_error, uint32_t error);

#endif
