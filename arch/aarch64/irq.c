// SPDX-License-Identifier: MIT
#include <arch/irq.h>
#include <arch/sysreg.h>
#include <arch/vgic.h>
#include <drivers/gic.h>
#include <axvm/arch_vm.h>
#include <axvm/arch.h>
#include <axvm/cmux.h>
#include <axvm/errno.h>
#include <axvm/percpu.h>
#include <axvm/spinlock.h>
#include <axvm/vm.h>

unsigned irq_console;

/* Which VM owns each physical SPI given to a VM (passthrough devices). */
static struct vm *irq_owner[VGIC_NR_IRQS];
static spinlock_t irq_owner_lock = SPINLOCK_INIT;

int irq_claim_for_vm(struct vm *vm, unsigned irq)
{
    if (irq < 32 || irq >= VGIC_NR_IRQS || irq == irq_console)
        return -EINVAL;
    unsigned long flags = spin_lock_irqsave(&irq_owner_lock);
    bool busy = irq_owner[irq] != NULL;
    if (!busy)
        irq_owner[irq] = vm;
    spin_unlock_irqrestore(&irq_owner_lock, flags);
    if (busy)
        return -EBUSY;
    /* To the pCPU of the VM's boot vCPU; the vGIC forwards it to whichever vCPU the guest
     * routes it to. */
    gic_enable_spi(irq, percpu_get(vm->cfg->affinity[0])->hwid);
    return 0;
}

/* The EL2 physical timer (CNTHP) is the pCPU's one-shot timer; PPI 26 when it fires. */
void arch_timer_set(uint64_t deadline)
{
    if (deadline == ~0ULL) {
        sysreg_write(cnthp_ctl_el2, 0);
    } else {
        sysreg_write(cnthp_cval_el2, deadline);
        sysreg_write(cnthp_ctl_el2, 1); /* enabled, not masked */
    }
    isb();
}

void irq_release_for_vm(struct vm *vm, unsigned irq)
{
    if (irq >= VGIC_NR_IRQS || irq_owner[irq] != vm)
        return;
    gic_mask_spi(irq);
    irq_owner[irq] = NULL;
}

void irq_dispatch(void)
{
    unsigned ack, intid;
    while ((intid = GIC_INTID(ack = gic_ack())) < 1020) {
        if (intid == VGIC_PPI_VTIMER || intid == PPI_GUEST_PTIMER) {
            vtimer_fire(intid);
        } else if (intid == PPI_HYP_TIMER) {
            arch_timer_set(~0ULL);
            percpu_resched_set(arch_this_cpu());
        } else if (intid == VGIC_PPI_MAINT) {
            /* List registers ran dry: the next entry refills them. Clear the request now, or
             * the level-triggered maintenance interrupt would keep firing until then. */
            vgic_underflow_off();
        } else if (intid == irq_console && intid) {
            cmux_poll_input();
        } else if (intid >= 32 && intid < VGIC_NR_IRQS && irq_owner[intid]) {
            /* Masked until the guest has handled it (vgic_sync), so a level-triggered device
             * does not interrupt us again and again meanwhile. */
            gic_mask_spi(intid);
            struct vgic *g = vgic_of(irq_owner[intid]);
            if (g)
                vgic_hw_irq(g, intid);
        }
        /* The kick SGI needs nothing: its job was to bring this CPU here. */
        gic_eoi(ack);
    }
}
