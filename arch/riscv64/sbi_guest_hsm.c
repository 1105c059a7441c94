// SPDX-License-Identifier: MIT
/*
 * The Hart State Management extension (SBI 2.0, chapter 9) for a VM's vCPUs: start and stop
 * (the core's CPU_ON and CPU_OFF), status, and suspend. A retentive suspend is a WFI that
 * returns SBI_SUCCESS; a non-retentive one halts too, and the hart resumes at the address the
 * guest gave, as from hart_start: a0 = hart id, a1 = opaque, translation and interrupts off.
 */
#include <arch/csr.h>
#include <arch/sbi.h>
#include <axvm/pgtable.h>
#include <axvm/vm.h>
#include "sbi_decode.h"
#include "sbi_guest.h"

/* Executable guest RAM: where a non-retentive suspend may resume. */
static bool resume_addr_ok(struct vm *vm, uint64_t gpa)
{
    const struct aspace_region *r = aspace_find_region(&vm->as, gpa);
    return r && (r->prot & PT_EXEC) && !(r->prot & PT_DEVICE);
}

static void hart_suspend(struct vcpu *v, struct vcpu_exit *e)
{
    bool retentive;
    long err = riscv_sbi_suspend_type(sbi_arg(v, 0), &retentive);
    if (!err && !retentive && !resume_addr_ok(v->vm, sbi_arg(v, 1)))
        err = SBI_ERR_INVALID_ADDRESS;
    if (err) {
        sbi_reply(v, e, err, 0);
        return;
    }
    struct guest_regs *r = &v->arch.regs;
    e->kind = EXIT_HALT;
    v->arch.hsm_suspended = true;
    if (retentive) {
        r->x[SBI_A0] = SBI_SUCCESS;
        e->insn_len = 4;
        return;
    }
    /* Resume state (9.4): as a started hart. The vCPU is loaded on this hart while it exits, so
     * its VS CSRs are live. */
    r->x[SBI_A0] = v->hwid;
    r->x[SBI_A1] = sbi_arg(v, 2);
    r->sepc = sbi_arg(v, 1);
    e->insn_len = 0;
    csr_write(vsatp, 0);
    csr_clear(vsstatus, SSTATUS_SIE);
}

/* HSM states (9.1) as another hart sees them: a halted hart is started unless it suspended
 * itself through the SBI (WFI is not a suspend). */
static long hart_status(const struct vcpu *t)
{
    switch (vcpu_state_get(t)) {
    case VCPU_OFF:
        return SBI_HSM_STATE_STOPPED;
    case VCPU_HALTED:
        return t->arch.hsm_suspended ? SBI_HSM_STATE_SUSPENDED : SBI_HSM_STATE_STARTED;
    default:
        return SBI_HSM_STATE_STARTED;
    }
}

void sbi_hsm(struct vcpu *v, struct vcpu_exit *e)
{
    switch (sbi_fid(v)) {
    case SBI_HSM_HART_START:
        e->kind = EXIT_CPU_ON;
        e->cpu_on.target = sbi_arg(v, 0);
        e->cpu_on.entry = sbi_arg(v, 1);
        e->cpu_on.arg = sbi_arg(v, 2); /* 'opaque': a1 of the started hart */
        e->insn_len = 4;
        return;
    case SBI_HSM_HART_STOP:
        e->kind = EXIT_CPU_OFF;
        e->insn_len = 4;
        return;
    case SBI_HSM_HART_GET_STATUS: {
        struct vcpu *t = vm_find_vcpu_by_hwid(v->vm, sbi_arg(v, 0));
        if (!t)
            sbi_reply(v, e, SBI_ERR_INVALID_PARAM, 0);
        else
            sbi_reply(v, e, SBI_SUCCESS, hart_status(t));
        return;
    }
    case SBI_HSM_HART_SUSPEND:
        hart_suspend(v, e);
        return;
    default:
        sbi_reply(v, e, SBI_ERR_NOT_SUPPORTED, 0);
        return;
    }
}
