// SPDX-License-Identifier: MIT
/*
 * Guest-page faults (Privileged spec 8.6.3, 8.6.4): the guest touched a guest-physical
 * address with no G-stage mapping. Either lazy RAM to back (the core does it, and the guest
 * retries) or an emulated device, for which the access must be decoded: width, direction and
 * register. htinst gives the instruction in a transformed form where the hardware fills it in;
 * QEMU 7.2 leaves it 0, and then the instruction is read from guest memory (HLVX) and decoded.
 */
#include <arch/csr.h>
#include <arch/vcpu_exit.h>
#include <axvm/vcpu.h>
#include "insn_decode.h"

bool vcpu_fetch_insn(struct vcpu *v, uint32_t *insn)
{
    uint64_t pc = v->arch.regs.sepc, cause;
    uint32_t low = (uint32_t)guest_fetch_half(pc, &cause);
    if (cause)
        return false;
    if (riscv_insn_length((uint16_t)low) == 2) {
        *insn = low;
        return true;
    }
    /* IALIGN is 16 with the C extension: a 32-bit instruction may straddle a page, so it is
     * read as two halfwords, each translated on its own. */
    uint32_t high = (uint32_t)guest_fetch_half(pc + 2, &cause);
    if (cause)
        return false;
    *insn = high << 16 | low;
    return true;
}

static bool decode_access(struct vcpu *v, struct riscv_mem_access *a)
{
    uint64_t htinst = v->arch.regs.htinst;
    if (htinst)
        /* A transformed load or store, or a pseudo-instruction: the fault came from the
         * guest's own page-table walk, and sepc's instruction says nothing about it. */
        return riscv_insn_decode_transformed((uint32_t)htinst, a);
    uint32_t insn;
    return vcpu_fetch_insn(v, &insn) && riscv_insn_decode(insn, a);
}

void vcpu_guest_page_fault(struct vcpu *v, struct vcpu_exit *e)
{
    const struct guest_regs *r = &v->arch.regs;
    unsigned long code = r->scause;
    e->kind = EXIT_MMIO;
    /* htval holds the guest-physical address shifted right by 2; stval's low bits complete it
     * (8.2.7, 8.6.3). */
    e->mmio.gpa = r->htval << 2 | (r->stval & 3);
    e->mmio.write = code == EXC_STORE_GUEST_PAGE_FAULT;

    /* Whatever the core does, a fill (or a mapping raced in by another vCPU) must be seen by
     * this hart's next walk: no cached "invalid" may survive. */
    v->arch.fence_gpa = e->mmio.gpa;
    v->arch.fence_pending = true;

    if (code == EXC_INSN_GUEST_PAGE_FAULT) {
        e->mmio.fetch = true; /* only lazy RAM can satisfy it */
        return;
    }

    struct riscv_mem_access a;
    if (!decode_access(v, &a) || a.store != e->mmio.write)
        return; /* undecoded: fine for lazy RAM, fatal for a device */
    e->mmio.decoded = true;
    e->mmio.width = a.width;
    e->mmio.reg = a.reg;
    e->mmio.sign_extend = a.sign_extend;
    if (a.store) {
        uint64_t value = r->x[a.reg]; /* x[0] is kept zero */
        e->mmio.value = a.width == 8 ? value : value & ((1ULL << (a.width * 8)) - 1);
    }
    e->insn_len = a.len;
}
