/* SPDX-License-Identifier: MIT */
#ifndef ARCH_VCPU_EXIT_H
#define ARCH_VCPU_EXIT_H

/* Pieces of the exit decoding that live in their own files. */

#include <axvm/exit.h>

struct vcpu;

/* An HVC or SMC from the guest: PSCI, the axvm hypercall ABI, or unknown. 'advance' is how far
 * ELR must move to step over the instruction. */
void vcpu_firmware_call(struct vcpu *v, struct vcpu_exit *e, unsigned advance);

/* Take the loaded guest into its EL1 undefined-instruction handler at the trapping instruction
 * (arch/aarch64/vcpu_fault.c). */
void vcpu_inject_undef(struct vcpu *v);

/* The PSCI return code for a core result (0, -ENOENT, -EBUSY...). */
int64_t psci_status(int64_t core_result);

#endif
