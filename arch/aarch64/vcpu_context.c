// SPDX-License-Identifier: MIT
/*
 * What a vCPU owns on its pCPU, and moving it on and off (arch_vcpu_load / arch_vcpu_put, called
 * by the core's vcpu_load / vcpu_put): EL1/EL0 system registers, both EL1 timers, FP/SIMD,
 * the PMU's event counters, the debug registers, the vGIC's CPU interface, the stage-2 root and
 * the virtual MPIDR. Nothing of it may survive onto another vCPU (or another VM): the tests
 * check FP/SIMD across VMs sharing a pCPU.
 */
#include <arch/irq.h>
#include <arch/sysreg.h>
#include <arch/vgic.h>
#include <axvm/arch_vm.h>
#include <axvm/vcpu.h>

#define EL1_SWITCH(op)                                                                             \
    op(sctlr_el1, sctlr) op(ttbr0_el1, ttbr0) op(ttbr1_el1, ttbr1) op(tcr_el1, tcr)                \
        op(mair_el1, mair) op(amair_el1, amair) op(vbar_el1, vbar) op(contextidr_el1, contextidr)  \
            op(tpidr_el0, tpidr_el0) op(tpidrro_el0, tpidrro_el0) op(tpidr_el1, tpidr_el1)         \
                op(sp_el0, sp_el0) op(sp_el1, sp_el1) op(elr_el1, elr) op(spsr_el1, spsr)          \
                    op(esr_el1, esr) op(far_el1, far) op(afsr0_el1, afsr0) op(afsr1_el1, afsr1)    \
                        op(par_el1, par) op(cpacr_el1, cpacr) op(cntkctl_el1, cntkctl)             \
                            op(cntv_cval_el0, cntv_cval) op(cntv_ctl_el0, cntv_ctl)                \
                                op(cntp_cval_el0, cntp_cval) op(cntp_ctl_el0, cntp_ctl)            \
                                    op(csselr_el1, csselr) op(mdscr_el1, mdscr)

#define EL1_SAVE(reg, field) r->field = sysreg_read(reg);
#define EL1_LOAD(reg, field) sysreg_write(reg, r->field);

static void el1_save(struct el1_regs *r)
{
    EL1_SWITCH(EL1_SAVE)
}

static void el1_load(const struct el1_regs *r)
{
    EL1_SWITCH(EL1_LOAD)
}

/* What this CPU implements (ID_AA64DFR0_EL1, PMCR_EL0.N): the same on every pCPU. */
static unsigned pmu_counters, brps, wrps;
static bool have_pmu;

void vcpu_context_probe(void)
{
    uint64_t dfr0 = sysreg_read(id_aa64dfr0_el1);
    unsigned pmuver = (dfr0 >> 8) & 0xf;
    have_pmu = pmuver != 0 && pmuver != 0xf;
    pmu_counters = have_pmu ? (unsigned)(sysreg_read(pmcr_el0) >> 11) & 0x1f : 0;
    brps = (unsigned)((dfr0 >> 12) & 0xf) + 1;
    wrps = (unsigned)((dfr0 >> 20) & 0xf) + 1;
}

unsigned vcpu_context_pmu_counters(void)
{
    return pmu_counters;
}

static void pmu_save(struct pmu_regs *p)
{
    p->pmcr = sysreg_read(pmcr_el0);
    p->cnten = sysreg_read(pmcntenset_el0);
    p->inten = sysreg_read(pmintenset_el1);
    p->ovs = sysreg_read(pmovsset_el0);
    p->selr = sysreg_read(pmselr_el0);
    p->userenr = sysreg_read(pmuserenr_el0);
    p->ccntr = sysreg_read(pmccntr_el0);
    p->ccfiltr = sysreg_read(pmccfiltr_el0);
    for (unsigned i = 0; i < pmu_counters; i++) {
        sysreg_write(pmselr_el0, i);
        isb();
        p->evcntr[i] = sysreg_read(pmxevcntr_el0);
        p->evtyper[i] = sysreg_read(pmxevtyper_el0);
    }
}

static void pmu_load(const struct pmu_regs *p)
{
    /* Stop everything before changing values, so no counter runs with half a state. */
    sysreg_write(pmcntenclr_el0, ~0ULL);
    sysreg_write(pmintenclr_el1, ~0ULL);
    sysreg_write(pmovsclr_el0, ~0ULL);
    for (unsigned i = 0; i < pmu_counters; i++) {
        sysreg_write(pmselr_el0, i);
        isb();
        sysreg_write(pmxevtyper_el0, p->evtyper[i]);
        sysreg_write(pmxevcntr_el0, p->evcntr[i]);
    }
    sysreg_write(pmselr_el0, p->selr);
    sysreg_write(pmccfiltr_el0, p->ccfiltr);
    sysreg_write(pmccntr_el0, p->ccntr);
    sysreg_write(pmuserenr_el0, p->userenr);
    /* PMCR's C and P bits reset counters when written as 1: write only the lasting bits. */
    sysreg_write(pmcr_el0, p->pmcr & ~0x6ULL);
    sysreg_write(pmovsset_el0, p->ovs);
    sysreg_write(pmintenset_el1, p->inten);
    sysreg_write(pmcntenset_el0, p->cnten);
}

/* The debug registers are numbered in their names: one case per number. */
#define DBG_CASES(X)                                                                               \
    X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)

static void dbg_save(struct debug_regs *d)
{
#define BP_SAVE(n)                                                                                 \
    case n:                                                                                        \
        d->bcr[n] = sysreg_read(dbgbcr##n##_el1);                                                  \
        d->bvr[n] = sysreg_read(dbgbvr##n##_el1);                                                  \
        break;
#define WP_SAVE(n)                                                                                 \
    case n:                                                                                        \
        d->wcr[n] = sysreg_read(dbgwcr##n##_el1);                                                  \
        d->wvr[n] = sysreg_read(dbgwvr##n##_el1);                                                  \
        break;
    for (unsigned i = 0; i < brps; i++)
        switch (i) {
            DBG_CASES(BP_SAVE)
        }
    for (unsigned i = 0; i < wrps; i++)
        switch (i) {
            DBG_CASES(WP_SAVE)
        }
}

static void dbg_load(const struct debug_regs *d)
{
#define BP_LOAD(n)                                                                                 \
    case n:                                                                                        \
        sysreg_write(dbgbcr##n##_el1, d->bcr[n]);                                                  \
        sysreg_write(dbgbvr##n##_el1, d->bvr[n]);                                                  \
        break;
#define WP_LOAD(n)                                                                                 \
    case n:                                                                                        \
        sysreg_write(dbgwcr##n##_el1, d->wcr[n]);                                                  \
        sysreg_write(dbgwvr##n##_el1, d->wvr[n]);                                                  \
        break;
    for (unsigned i = 0; i < brps; i++)
        switch (i) {
            DBG_CASES(BP_LOAD)
        }
    for (unsigned i = 0; i < wrps; i++)
        switch (i) {
            DBG_CASES(WP_LOAD)
        }
}

/*
 * Under TCG a VTTBR_EL2 write flushes the emulated TLB; the core keeps a vCPU loaded across
 * exits, so this runs only when another vCPU takes the pCPU (or after a reset).
 */
void arch_vcpu_load(struct vcpu *v)
{
    struct arch_vcpu *a = &v->arch;
    el1_load(&a->el1);
    fpsimd_load(&a->fp);
    if (have_pmu)
        pmu_load(&a->pmu);
    dbg_load(&a->dbg);
    vgic_cpu_load(&a->gic);
    sysreg_write(vttbr_el2, a->vttbr);
    sysreg_write(vmpidr_el2, a->vmpidr);
    isb();
}

void arch_vcpu_put(struct vcpu *v)
{
    struct arch_vcpu *a = &v->arch;
    el1_save(&a->el1);
    /* Timers of a vCPU that is not loaded must not fire on this pCPU for it. */
    sysreg_write(cntv_ctl_el0, 0);
    sysreg_write(cntp_ctl_el0, 0);
    vtimer_put();
    fpsimd_save(&a->fp);
    if (have_pmu) {
        pmu_save(&a->pmu);
        sysreg_write(pmcntenclr_el0, ~0ULL);
        sysreg_write(pmintenclr_el1, ~0ULL);
    }
    dbg_save(&a->dbg);
    vgic_cpu_save(&a->gic);
    isb();
}
