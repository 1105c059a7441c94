// SPDX-License-Identifier: MIT
/*
 * The MSRs a guest may use beyond those it reaches directly (svm.c's pass-through list):
 * EFER through the VMCB (SVME stays set underneath and hidden), the PAT as the VMCB's guest
 * PAT, the TSC through the VMCB's offset, the APIC base (fixed: the xAPIC at its usual address),
 * the local APIC's TSC deadline (arch/x86_64/vapic.c, for VMs that have one) and the MTRRs
 * (none). Anything else does not exist for the guest: the caller injects #GP.
 */
#include <axvm/vcpu.h>
#include <arch/cpu.h>
#include <arch/vapic.h>
#include <arch/vcpu_exit.h>
#include <arch/vmcb.h>

#define APIC_BASE_DEFAULT  0xfee00000ull
#define APIC_BASE_BSP      (1ull << 8)
#define APIC_BASE_ENABLE   (1ull << 11)
#define MSR_TSC_DEADLINE   0x000006e0
#define MSR_K8_INT_PENDING 0xc0010055 /* AMD K8: C1E and SMI on interrupt-pending messages */

/* EFER bits a guest may set (APM vol. 2 §3.1.7); LMA is the CPU's to set. */
#define EFER_GUEST_BITS (EFER_SCE | EFER_LME | EFER_NXE | EFER_LMSLE | EFER_FFXSR | EFER_TCE)

/* PAT entries must name a memory type: UC, WC, WT, WP, WB or UC- (0, 1, 4, 5, 6, 7). */
static bool pat_valid(uint64_t pat)
{
    for (unsigned i = 0; i < 8; i++) {
        unsigned type = (pat >> (8 * i)) & 0xff;
        if (type == 2 || type == 3 || type > 7)
            return false;
    }
    return true;
}

bool msr_guest_read(struct vcpu *v, uint32_t msr, uint64_t *value)
{
    const struct vmcb *vmcb = v->arch.vmcb;
    switch (msr) {
    case MSR_EFER:
        *value = vmcb->save.efer & ~(uint64_t)EFER_SVME;
        return true;
    case MSR_PAT:
        *value = vmcb->save.g_pat;
        return true;
    case MSR_TSC:
        *value = rdtsc() + vmcb->control.tsc_offset;
        return true;
    case MSR_APIC_BASE:
        *value = APIC_BASE_DEFAULT | APIC_BASE_ENABLE | (v->id == 0 ? APIC_BASE_BSP : 0);
        return true;
    case MSR_TSC_DEADLINE:
        return vapic_tsc_deadline_read(v, vmcb->control.tsc_offset, value);
    case MSR_MTRR_CAP:
    case MSR_MTRR_DEF_TYPE:
        *value = 0; /* no MTRRs: memory types come from the PAT alone */
        return true;
    case MSR_K8_INT_PENDING:
        *value = 0; /* C1E off: Linux reads it on the family-0xf CPU QEMU shows */
        return true;
    default:
        return false;
    }
}

bool msr_guest_write(struct vcpu *v, uint32_t msr, uint64_t value)
{
    struct vmcb *vmcb = v->arch.vmcb;
    switch (msr) {
    case MSR_EFER: {
        uint64_t old = vmcb->save.efer;
        if (value & ~(uint64_t)(EFER_GUEST_BITS | EFER_LMA))
            return false;
        /* LME may not change while paging is on. */
        if (((value ^ old) & EFER_LME) && (vmcb->save.cr0 & CR0_PG))
            return false;
        vmcb->save.efer = (value & EFER_GUEST_BITS) | (old & EFER_LMA) | EFER_SVME;
        return true;
    }
    case MSR_PAT:
        if (!pat_valid(value))
            return false;
        vmcb->save.g_pat = value;
        return true;
    case MSR_TSC:
        vmcb->control.tsc_offset = value - rdtsc();
        return true;
    case MSR_APIC_BASE:
        /* Only its current value: the APIC cannot be moved or switched to x2APIC. */
        return (value & ~APIC_BASE_BSP) == APIC_BASE_DEFAULT + APIC_BASE_ENABLE;
    case MSR_TSC_DEADLINE:
        return vapic_tsc_deadline_write(v, vmcb->control.tsc_offset, value);
    case MSR_MTRR_DEF_TYPE:
        return value == 0;
    default:
        return false;
    }
}
