// SPDX-License-Identifier: MIT
/* Which GIC driver runs the machine: chosen by the device tree's "compatible". */
#include <drivers/gic.h>
#include <axvm/dt.h>
#include <axvm/errno.h>

const struct gic_ops *gic;
static struct gic_host host;

static const struct {
    const char *compatible;
    const struct gic_ops *ops;
} gic_drivers[] = {
    {"arm,gic-v3", &gicv3_ops},
    /* GICv2 with the virtualization extensions: the GIC-400 (Raspberry Pi 4) and what QEMU
     * virt offers with gic-version=2. */
    {"arm,gic-400", &gicv2_ops},
    {"arm,cortex-a15-gic", &gicv2_ops},
    {"arm,cortex-a7-gic", &gicv2_ops},
};

int gic_probe(const struct boot_intc *intc)
{
    for (unsigned i = 0; i < ARRAY_SIZE(gic_drivers); i++) {
        if (!dt_compatible_in(intc->compatible, intc->compatible_len, gic_drivers[i].compatible))
            continue;
        int err = gic_drivers[i].ops->init(intc, &host);
        if (!err)
            gic = gic_drivers[i].ops;
        return err;
    }
    return -ENODEV;
}

const struct gic_host *gic_host(void)
{
    return &host;
}
