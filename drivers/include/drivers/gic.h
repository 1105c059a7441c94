/* SPDX-License-Identifier: MIT */
#ifndef DRIVERS_GIC_H
#define DRIVERS_GIC_H

/*
 * The physical Arm GIC as the hypervisor uses it, whatever its version: the GICv3
 * (drivers/irq/gicv3.c: system-register CPU interface, redistributors) or the GICv2 / GIC-400
 * (drivers/irq/gicv2.c: memory-mapped CPU interface, banked distributor registers). The device
 * tree's interrupt controller picks the driver (gic_probe); everything else calls gic_*.
 */

#include <axvm/boot.h>
#include <axvm/types.h>

/* SGI the hypervisor sends to make a CPU leave guest mode. */
#define GIC_SGI_KICK 8

/* An acknowledged interrupt's INTID (gic_ack's value also carries a GICv2 SGI's source). */
#define GIC_INTID(ack) ((ack)&0x3ff)
#define GIC_SPURIOUS   1023

/* What the vGIC needs of the hardware: the virtualization frames of a GICv2 (0 on a GICv3,
 * whose virtual interface is system registers). */
struct gic_host {
    unsigned version; /* 2 or 3 */
    paddr_t gich;     /* GICv2 virtual interface control (list registers) */
    paddr_t gicv;     /* GICv2 virtual CPU interface, mapped into guests as their GICC */
    uint64_t gicv_size;
};

struct gic_ops {
    const char *name;
    /* Set up the distributor from the device tree's description; 0 or a negative error. */
    int (*init)(const struct boot_intc *intc, struct gic_host *host);
    /* On each CPU: its interface up, the SGIs/PPIs in 'private_mask' (bit n = INTID n)
     * enabled. Returns a handle for ppi_enable, 0 if this CPU has no interface. */
    uintptr_t (*cpu_init)(uint64_t mpidr, uint32_t private_mask);
    /* SPI 'intid' on, delivered to the CPU with affinity 'mpidr'; mask and unmask it later. */
    void (*enable_spi)(unsigned intid, uint64_t mpidr);
    void (*mask_spi)(unsigned intid);
    void (*unmask_spi)(unsigned intid);
    /* One of the calling CPU's PPIs on or off ('cpu' from cpu_init on this CPU). */
    void (*ppi_enable)(uintptr_t cpu, unsigned intid, bool enable);
    void (*send_sgi)(uint64_t mpidr, unsigned sgi);
    void (*send_sgi_others)(unsigned sgi);
    /* Acknowledge the highest pending interrupt (GIC_INTID of it is GIC_SPURIOUS for none);
     * end it by passing the same value to eoi. */
    unsigned (*ack)(void);
    void (*eoi)(unsigned ack);
};

extern const struct gic_ops gicv2_ops;
extern const struct gic_ops gicv3_ops;

/* The driver in use (NULL before gic_probe). */
extern const struct gic_ops *gic;

/*
 * Choose the driver for the device tree's interrupt controller ("arm,gic-v3"; "arm,gic-400",
 * "arm,cortex-a15-gic" and the other GICv2s) and initialise it. Returns 0, -ENODEV for an
 * interrupt controller that is no GIC axvm drives, or the driver's error.
 */
int gic_probe(const struct boot_intc *intc);

/* The hardware facts the vGIC needs (version 0 before gic_probe). */
const struct gic_host *gic_host(void);

static inline uintptr_t gic_cpu_init(uint64_t mpidr, uint32_t private_mask)
{
    return gic->cpu_init(mpidr, private_mask);
}

static inline void gic_enable_spi(unsigned intid, uint64_t mpidr)
{
    gic->enable_spi(intid, mpidr);
}

static inline void gic_mask_spi(unsigned intid)
{
    gic->mask_spi(intid);
}

static inline void gic_unmask_spi(unsigned intid)
{
    gic->unmask_spi(intid);
}

static inline void gic_ppi_enable(uintptr_t cpu, unsigned intid, bool enable)
{
    gic->ppi_enable(cpu, intid, enable);
}

static inline void gic_send_sgi(uint64_t mpidr, unsigned sgi)
{
    gic->send_sgi(mpidr, sgi);
}

static inline void gic_send_sgi_others(unsigned sgi)
{
    gic->send_sgi_others(sgi);
}

static inline unsigned gic_ack(void)
{
    return gic->ack();
}

static inline void gic_eoi(unsigned ack)
{
    gic->eoi(ack);
}

#endif
