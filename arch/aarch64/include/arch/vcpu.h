/* SPDX-License-Identifier: MIT */
#ifndef ARCH_VCPU_H
#define ARCH_VCPU_H

#include <axvm/types.h>
#include <arch/vgic.h>

/* Guest general registers as arch/aarch64/guest_entry.S saves them; offsets fixed there. */
struct guest_regs {
    uint64_t x[31];
    uint64_t elr;  /* guest PC */
    uint64_t spsr; /* guest PSTATE */
    uint64_t esr;  /* syndrome of the last exit */
    uint64_t far;
    uint64_t hpfar;
};

/* EL1 and EL0 state that belongs to the guest, both timers included (arch_vcpu_load/put). */
struct el1_regs {
    uint64_t sctlr, ttbr0, ttbr1, tcr, mair, amair, vbar, contextidr;
    uint64_t tpidr_el0, tpidrro_el0, tpidr_el1, sp_el0, sp_el1, elr, spsr;
    uint64_t esr, far, afsr0, afsr1, par, cpacr, cntkctl, cntv_ctl, cntv_cval, cntp_ctl, cntp_cval,
        csselr, mdscr;
};

/* q0-q31, FPSR, FPCR: offsets fixed in arch/aarch64/fpsimd.S. */
struct fpsimd_regs {
    __uint128_t q[32];
    uint64_t fpsr, fpcr;
};

#define PMU_MAX_COUNTERS 31
#define DBG_MAX_BPS      16

/* The PMU's guest-visible state (the guest owns every event counter: MDCR_EL2.HPMN = N). */
struct pmu_regs {
    uint64_t pmcr, cnten, inten, ovs, selr, userenr, ccntr, ccfiltr;
    uint64_t evcntr[PMU_MAX_COUNTERS], evtyper[PMU_MAX_COUNTERS];
};

/* Hardware breakpoints and watchpoints (the guest owns the debug registers). */
struct debug_regs {
    uint64_t bcr[DBG_MAX_BPS], bvr[DBG_MAX_BPS], wcr[DBG_MAX_BPS], wvr[DBG_MAX_BPS];
};

struct arch_vcpu {
    struct guest_regs regs;
    struct el1_regs el1;
    struct fpsimd_regs fp;
    struct pmu_regs pmu;
    struct debug_regs dbg;
    struct vgic_cpu gic;
    struct vgic *vgic; /* the VM's, looked up once at reset; NULL without one */
    uint64_t vttbr;
    uint64_t vmpidr;
    /* The timers' interrupt lines as the vGIC last heard them (bit 0 virtual, bit 1 physical;
     * arch/aarch64/vtimer.c). */
    uint8_t timer_level;
    /* The timers' control bits as the last entry saw them (vtimer_ctl_bits): a hypercall
     * answered in the exception entry goes the ordinary way when the guest has changed them. */
    uint8_t timer_ctl_seen;
};

/* What this CPU implements of the PMU and debug registers (arch/aarch64/vcpu_context.c). */
void vcpu_context_probe(void);
unsigned vcpu_context_pmu_counters(void);

void fpsimd_save(struct fpsimd_regs *r);
void fpsimd_load(const struct fpsimd_regs *r);

#endif
