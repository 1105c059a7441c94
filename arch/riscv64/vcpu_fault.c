// SPDX-License-Identifier: MIT
/*
 * Exceptions the hypervisor raises in the guest as a hart without the H extension would have
 * taken them (Privileged spec 8.6.4, "Transformed Instruction or Pseudoinstruction", and 3.1.6
 * for the trap entry the guest's VS-mode sees): an access to a guest-physical address with no
 * memory or device behind it is an access fault; an instruction the hypervisor does not
 * emulate is an illegal instruction.
 */
#include <arch/csr.h>
#include <arch/vcpu_exit.h>
#include <axvm/arch_vm.h>
#include <axvm/vcpu.h>

void vcpu_inject_exception(struct vcpu *v, uint64_t cause, uint64_t tval)
{
    struct guest_regs *r = &v->arch.regs;
    /* The vCPU is loaded: its VS CSRs are live. sstatus.SPP says whether the guest trapped
     * from VS (1) or VU (0) mode. */
    uint64_t vs = csr_read(vsstatus);
    bool from_vs = r->sstatus & SSTATUS_SPP;
    vs &= ~(SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SIE);
    vs |= (from_vs ? SSTATUS_SPP : 0) | ((csr_read(vsstatus) & SSTATUS_SIE) ? SSTATUS_SPIE : 0);
    csr_write(vsstatus, vs);
    csr_write(vsepc, r->sepc);
    csr_write(vscause, cause);
    csr_write(vstval, tval);
    /* Exceptions go to the base of stvec in both its modes. */
    r->sepc = csr_read(vstvec) & ~3ULL;
    r->sstatus |= SSTATUS_SPP;
    r->hstatus |= HSTATUS_SPVP;
}

void arch_vcpu_bad_access(struct vcpu *v, struct vcpu_exit *e)
{
    /* For a guest-page fault stval holds the guest's virtual address (8.6.3). */
    uint64_t cause = e->mmio.fetch   ? EXC_INSN_ACCESS
                     : e->mmio.write ? EXC_STORE_ACCESS
                                     : EXC_LOAD_ACCESS;
    vcpu_inject_exception(v, cause, v->arch.regs.stval);
}
