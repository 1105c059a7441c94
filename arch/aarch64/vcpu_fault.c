// SPDX-License-Identifier: MIT
/*
 * Faults the hypervisor raises in the guest, as the hardware would have (ARM ARM D1.10,
 * "Exception entry"): an access to a guest-physical address with no memory or device behind it
 * is a synchronous external abort taken to EL1; a trapped instruction the hypervisor does not
 * emulate is undefined.
 */
#include <arch/sysreg.h>
#include <arch/trap.h>
#include <arch/vcpu_exit.h>
#include <axvm/arch_vm.h>
#include <axvm/vcpu.h>

#define SPSR_M_MASK 0xfULL
#define SPSR_M_EL0T 0x0ULL
#define SPSR_M_EL1H 0x5ULL
#define SPSR_DAIF   (0xfULL << 6)
#define ESR_IL      (1ULL << 25)
#define ESR_WNR     (1ULL << 6)
#define FSC_SEA     0x10 /* synchronous external abort, not on a table walk */

/* Vector table offsets (ARM ARM D1.10.2): synchronous exceptions from the current EL with
 * SP_EL0, with SP_ELx, and from a lower EL in AArch64. */
#define VEC_CUR_SP0 0x000
#define VEC_CUR_SPX 0x200
#define VEC_LOWER64 0x400

/* Enter the guest's EL1 synchronous exception vector with syndrome 'esr' and address 'far'.
 * The vCPU is loaded: its EL1 registers are live. */
static void inject_sync(struct vcpu *v, uint64_t ec_lower, uint64_t ec_cur, uint64_t iss,
                        uint64_t far)
{
    struct guest_regs *r = &v->arch.regs;
    uint64_t mode = r->spsr & SPSR_M_MASK;
    bool from_el0 = mode == SPSR_M_EL0T;
    uint64_t offset = from_el0 ? VEC_LOWER64 : (mode == SPSR_M_EL1H ? VEC_CUR_SPX : VEC_CUR_SP0);
    sysreg_write(esr_el1, ((from_el0 ? ec_lower : ec_cur) << 26) | ESR_IL | iss);
    sysreg_write(far_el1, far);
    sysreg_write(elr_el1, r->elr);
    sysreg_write(spsr_el1, r->spsr);
    r->elr = sysreg_read(vbar_el1) + offset;
    r->spsr = SPSR_DAIF | SPSR_M_EL1H;
}

/* An instruction the guest's CPU does not have (EC 0x00, "unknown reason"), at the trapping
 * instruction. */
void vcpu_inject_undef(struct vcpu *v)
{
    inject_sync(v, EC_UNKNOWN, EC_UNKNOWN, 0, 0);
}

void arch_vcpu_bad_access(struct vcpu *v, struct vcpu_exit *e)
{
    const struct guest_regs *r = &v->arch.regs;
    if (e->mmio.fetch) {
        inject_sync(v, EC_IABT_LOWER, EC_IABT_CUR, FSC_SEA, r->far);
        return;
    }
    /* WnR as the stage-2 syndrome had it; FAR_EL2 holds the guest's virtual address. */
    uint64_t iss = FSC_SEA | (e->mmio.write ? ESR_WNR : 0);
    inject_sync(v, EC_DABT_LOWER, EC_DABT_CUR, iss, r->far);
}
