// SPDX-License-Identifier: MIT
/*
 * Nested page faults (AMD APM vol. 2 §15.25.6): EXITINFO1 is a page-fault error code plus
 * whether the fault hit the guest's final address or its own page-table walk, EXITINFO2 the
 * guest-physical address. RAM not backed yet (lazy regions) needs nothing more: the core backs
 * the page and the guest retries. An emulated device needs the access itself, which without
 * decode assists only the guest's instruction tells: read it at RIP through the guest's paging
 * and decode it.
 */
#include <axvm/format.h>
#include <axvm/log.h>
#include <axvm/vm.h>
#include <arch/cpu.h>
#include <arch/vcpu_exit.h>
#include <arch/vmcb.h>
#include "gva_decode.h"
#include "insn_decode.h"

#define RFLAGS_VM 0x00020000 /* virtual-8086 mode */

static bool guest_read(void *ctx, uint64_t gpa, void *buf, unsigned size)
{
    struct vcpu *v = ctx;
    return aspace_read(&v->vm->as, gpa, buf, size) == 0;
}

/* The default operand size of the code the guest is running. */
static enum x86_mode guest_mode(const struct vmcb_save *s)
{
    if (!(s->cr0 & CR0_PE) || (s->rflags & RFLAGS_VM))
        return X86_MODE_16;
    if ((s->efer & EFER_LMA) && (s->cs.attrib & SEG_ATTR_L))
        return X86_MODE_64;
    return (s->cs.attrib & SEG_ATTR_DB) ? X86_MODE_32 : X86_MODE_16;
}

/* Up to X86_INSN_MAX bytes at CS:RIP, fewer if the guest's mapping ends; returns how many. */
static unsigned fetch_insn(struct vcpu *v, enum x86_mode mode, uint8_t *buf)
{
    const struct vmcb_save *s = &v->arch.vmcb->save;
    const struct x86_paging paging = {s->cr0, s->cr3, s->cr4, s->efer, guest_read, v};
    uint64_t linear = s->rip + (mode == X86_MODE_64 ? 0 : s->cs.base);
    unsigned got = 0;
    while (got < X86_INSN_MAX) {
        uint64_t gpa;
        if (!x86_gva_translate(&paging, linear + got, &gpa))
            break;
        unsigned n = (unsigned)MIN(X86_INSN_MAX - got, PAGE_SIZE - (gpa & (PAGE_SIZE - 1)));
        if (aspace_read(&v->vm->as, gpa, buf + got, n))
            break;
        got += n;
    }
    return got;
}

void npf_decode(struct vcpu *v, struct vcpu_exit *e)
{
    const struct vmcb *vmcb = v->arch.vmcb;
    uint64_t info = vmcb->control.exit_info1, gpa = vmcb->control.exit_info2;
    struct exit_mmio *m = &e->mmio;

    if (info & NPF_RESERVED) {
        exit_fatal(e, gpa, "nested page table entry with reserved bits set (error 0x%llx)", info,
                   0);
        return;
    }
    e->kind = EXIT_MMIO;
    m->gpa = gpa;
    m->write = info & NPF_WRITE;
    m->fetch = info & NPF_FETCH;
    /* Instruction fetches, the guest's page-table walks and RAM are not device accesses:
     * nothing to decode (the core backs a lazy page or reports the fault). An access to no
     * device at all is decoded too: a read of nothing returns all ones into its register, and
     * a write it may not make (to a read-only shared region) goes nowhere, so the instruction
     * must be known to be stepped over. */
    const struct aspace_region *region = aspace_find_region(&v->vm->as, gpa);
    bool forbidden_write = region && m->write && !(region->prot & PT_WRITE);
    if ((info & (NPF_FETCH | NPF_GUEST_WALK)) || (region && !forbidden_write))
        return;

    enum x86_mode mode = guest_mode(&vmcb->save);
    uint8_t bytes[X86_INSN_MAX] = {0};
    unsigned n = fetch_insn(v, mode, bytes);
    struct x86_mmio_insn insn;
    enum x86_decode_result r = x86_insn_decode(bytes, n, mode, &insn);
    if (r != X86_DECODE_OK) {
        log_ratelimited(&v->vm->warn_limit[VM_WARN_DECODE], LOG_WARN,
                        "vm%u vcpu%u: MMIO at 0x%llx by an instruction not decoded (%s): "
                        "%02x %02x %02x %02x %02x %02x %02x %02x",
                        v->vm->id, v->id, (unsigned long long)gpa,
                        r == X86_DECODE_TRUNCATED ? "its bytes are not all readable" : "unknown",
                        bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6],
                        bytes[7]);
        return;
    }
    m->decoded = true;
    m->width = insn.width;
    m->write = insn.write;
    m->reg = insn.reg;
    m->sign_extend = insn.sign_extend;
    if (insn.write)
        m->value = insn.has_imm ? insn.imm
                                : x86_reg_read(v->arch.regs.gpr[insn.reg], insn.width, insn.high8);
    v->arch.load_width = (uint8_t)insn.reg_width;
    v->arch.load_high8 = insn.high8;
    e->insn_len = insn.length;
}
