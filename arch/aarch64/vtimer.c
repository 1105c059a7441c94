// SPDX-License-Identifier: MIT
/*
 * The guest's EL1 virtual timer runs on the real hardware; only its interrupt needs help. It
 * fires at EL2 (HCR_EL2.IMO), where we set the timer's IMASK, so the level-triggered line drops,
 * and inject the virtual PPI. The guest's handler re-arms the timer, clearing IMASK itself.
 */
#include <arch/irq.h>
#include <arch/sysreg.h>
#include <arch/vgic.h>
#include <axvm/arch.h>
#include <axvm/percpu.h>
#include <axvm/vm.h>

#define CNTV_ENABLE  (1ULL << 0)
#define CNTV_IMASK   (1ULL << 1)
#define CNTV_ISTATUS (1ULL << 2)

void vtimer_fire(void)
{
    struct vcpu *v = arch_this_cpu()->arch.loaded;
    uint64_t ctl = sysreg_read(cntv_ctl_el0);
    sysreg_write(cntv_ctl_el0, ctl | CNTV_IMASK);
    isb();
    if (!v || v->vm->state != VM_RUNNING)
        return;
    struct vgic *g = v->arch.vgic;
    if (g)
        vgic_inject(g, v->id, VGIC_PPI_VTIMER);
}

bool vtimer_expired(const struct vcpu *v)
{
    uint64_t ctl = v->arch.el1.cntv_ctl;
    if ((ctl & (CNTV_ENABLE | CNTV_IMASK)) != CNTV_ENABLE)
        return false;
    return sysreg_read(cntvct_el0) >= v->arch.el1.cntv_cval;
}
