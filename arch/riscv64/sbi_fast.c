// SPDX-License-Identifier: MIT
/* The C half of the axvm hypercalls answered in the trap vector (sbi_fast.S). */
#include <stddef.h>
#include <axvm/hypercall_handle.h>
#include "sbi_guest.h"

bool sbi_fast_answer(struct guest_regs *r);

/*
 * 'r' is what guest_enter was given, the vCPU's own registers, with every register a C call may
 * change saved; a7 is the axvm extension. True with a0/a1 set to the result when the call was
 * answered; false, nothing changed, when it must take the ordinary exit.
 */
bool sbi_fast_answer(struct guest_regs *r)
{
    struct vcpu *v = (struct vcpu *)((char *)r - offsetof(struct vcpu, arch.regs));
    int64_t ret;
    if (!hypercall_answer_fast(v, r->x[16], r->x[SBI_A0], &ret)) /* a6: the call, a0: arg */
        return false;
    sbi_axvm_result(r->x, ret);
    return true;
}
