// SPDX-License-Identifier: MIT
#include <arch/irq.h>
#include <arch/sysreg.h>
#include <arch/vgic.h>
#include <drivers/gicv3.h>
#include <axvm/cmux.h>

#define ICH_HCR_EL2 "S3_4_C12_C11_0"

unsigned irq_console;

void irq_dispatch(void)
{
    unsigned intid;
    while ((intid = gicv3_ack()) < 1020) {
        if (intid == VGIC_PPI_VTIMER) {
            vtimer_fire();
        } else if (intid == VGIC_PPI_MAINT) {
            /* List registers ran dry: the next entry refills them. Clear the request now, or
             * the level-triggered maintenance interrupt would keep firing until then. */
            uint64_t hcr;
            __asm__ volatile("mrs %0, " ICH_HCR_EL2 : "=r"(hcr));
            __asm__ volatile("msr " ICH_HCR_EL2 ", %0" ::"r"(hcr & ~2ULL));
            isb();
        } else if (intid == irq_console && intid) {
            cmux_poll_input();
        }
        /* The kick SGI needs nothing: its job was to bring this CPU here. */
        gicv3_eoi(intid);
    }
}
