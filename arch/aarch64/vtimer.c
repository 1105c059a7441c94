// SPDX-License-Identifier: MIT
/*
 * The guest's EL1 timers (virtual, CNTV, PPI 27; physical, CNTP, PPI 30) run on the real
 * hardware while the vCPU is loaded; only their interrupts need help. They fire at EL2
 * (HCR_EL2.IMO), where we set the timer's IMASK, so the level-triggered line drops, and inject
 * the PPI into the guest. The guest's handler re-arms the timer, clearing IMASK itself. A vCPU
 * that is not loaded has its timers in its saved state: the scheduler asks for their deadline
 * (arch_vcpu_timer_deadline) and whether one has expired (arch_vcpu_event_pending).
 */
#include <arch/irq.h>
#include <arch/sysreg.h>
#include <arch/vgic.h>
#include <axvm/arch.h>
#include <axvm/arch_vm.h>
#include <axvm/percpu.h>
#include <axvm/vm.h>

#define CNT_ENABLE  (1ULL << 0)
#define CNT_IMASK   (1ULL << 1)
#define CNT_ISTATUS (1ULL << 2)

static void timer_inject(unsigned ppi)
{
    struct vcpu *v = arch_this_cpu()->vcpu_loaded;
    if (!v || v->vm->state != VM_RUNNING)
        return;
    struct vgic *g = v->arch.vgic;
    if (g)
        vgic_inject(g, v->id, ppi);
}

void vtimer_fire(unsigned ppi)
{
    if (ppi == VGIC_PPI_VTIMER)
        sysreg_write(cntv_ctl_el0, sysreg_read(cntv_ctl_el0) | CNT_IMASK);
    else
        sysreg_write(cntp_ctl_el0, sysreg_read(cntp_ctl_el0) | CNT_IMASK);
    isb();
    timer_inject(ppi);
}

/* The counter value at which a timer with this control and compare value fires, or never. */
static uint64_t timer_deadline(uint64_t ctl, uint64_t cval)
{
    return (ctl & (CNT_ENABLE | CNT_IMASK)) == CNT_ENABLE ? cval : ~0ULL;
}

uint64_t arch_vcpu_timer_deadline(struct vcpu *v)
{
    const struct el1_regs *r = &v->arch.el1;
    if (arch_this_cpu()->vcpu_loaded == v)
        return ~0ULL; /* live on this pCPU: its interrupt wakes us by itself */
    /* CNTVOFF_EL2 is 0: both timers compare against the counter arch_counter_read reads. */
    uint64_t dv = timer_deadline(r->cntv_ctl, r->cntv_cval);
    uint64_t dp = timer_deadline(r->cntp_ctl, r->cntp_cval);
    return dv < dp ? dv : dp;
}

bool arch_vcpu_event_pending(struct vcpu *v)
{
    return arch_vcpu_timer_deadline(v) <= arch_counter_read();
}
