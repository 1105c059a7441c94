/* SPDX-License-Identifier: MIT */
#ifndef RISCV64_SBI_GUEST_H
#define RISCV64_SBI_GUEST_H

/*
 * Shared by the files of the guest SBI, one per group of extensions (sbi_guest.c: dispatch,
 * Base, legacy, TIME, SRST, axvm; sbi_guest_hsm.c; sbi_guest_dbcn.c; sbi_guest_remote.c: IPI and
 * RFENCE). A call arrives as an ECALL exit with the extension id in a7, the function id in a6
 * and the arguments in a0-a5.
 */

#include <arch/vcpu_exit.h>
#include <axvm/vcpu.h>

#define SBI_A0 10
#define SBI_A1 11

static inline uint64_t sbi_arg(const struct vcpu *v, unsigned n)
{
    return v->arch.regs.x[SBI_A0 + n];
}

static inline uint64_t sbi_fid(const struct vcpu *v)
{
    return v->arch.regs.x[16]; /* a6 */
}

/* Answer in place: a0 = error, a1 = value (a0 alone for a legacy call), step over the ECALL and
 * resume the guest. */
void sbi_reply(struct vcpu *v, struct vcpu_exit *e, long error, long value);

/* An axvm hypercall's result as the SBI convention gives it: a0 = error (the core's -errno),
 * a1 = value. */
static inline void sbi_axvm_result(uint64_t *x, int64_t ret)
{
    x[SBI_A0] = ret < 0 ? (uint64_t)ret : 0;
    x[SBI_A1] = ret < 0 ? 0 : (uint64_t)ret;
}

/* The extensions' handlers. */
void sbi_hsm(struct vcpu *v, struct vcpu_exit *e);
void sbi_dbcn(struct vcpu *v, struct vcpu_exit *e);

#endif
