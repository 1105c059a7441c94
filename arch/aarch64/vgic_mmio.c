// SPDX-License-Identifier: MIT
/*
 * The emulated GICv3 distributor and redistributors (Arm IHI 0069, chapter 12): the registers
 * Linux's irq-gic-v3 driver uses, with affinity routing always on, every interrupt in group 1,
 * no LPIs. Reached through the VM's device bus as device type "gicv3".
 */
#include <arch/vgic.h>
#include <axvm/vdev.h>
#include <axvm/vm.h>

/* Distributor (the bit banks, priorities and configuration: vgic_dist.c) */
#define GICD_CTLR    0x0000
#define GICD_TYPER   0x0004
#define GICD_IIDR    0x0008
#define GICD_IROUTER 0x6000
#define GICD_PIDR2   0xffe8

/* Redistributor: RD_base frame, then SGI_base frame at +64 KiB */
#define GICR_CTLR  0x0000
#define GICR_IIDR  0x0004
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_PIDR2 0xffe8
#define GICR_SGI   0x10000

#define CTLR_ARE    (1U << 4)
#define CTLR_GRP1   (1U << 1)
#define PIDR2_GICV3 0x3b
#define IIDR_ARM    0x43b

static int gicd_access(struct vgic *g, uint64_t off, unsigned width, bool write, uint64_t *value)
{
    if (vgic_banked_access(g->spi, 32, VGIC_SPIS, off, width, write, value))
        return 0;
    if (off >= GICD_IROUTER + 32 * 8 && off < GICD_IROUTER + VGIC_NR_IRQS * 8) {
        unsigned n = (unsigned)(off - GICD_IROUTER) / 8 - 32;
        if (write) {
            g->irouter[n] = *value & 0xff00ffffffULL;
            /* Route to the vCPU whose Aff0 it names (Aff1+ are 0 for our vCPUs). */
            unsigned t = (unsigned)(g->irouter[n] & 0xff);
            g->spi[n].target = (uint8_t)(t < g->vcpus ? t : 0);
        } else {
            *value = g->irouter[n];
        }
        return 0;
    }
    if (write) {
        if (off == GICD_CTLR)
            g->ctlr = ((uint32_t)*value & CTLR_GRP1) | CTLR_ARE;
        return 0; /* other writes are ignored, as to read-only registers */
    }
    switch (off) {
    case GICD_CTLR:
        *value = g->ctlr | CTLR_ARE;
        break;
    case GICD_TYPER:
        /* ITLinesNumber for VGIC_NR_IRQS interrupts, 10 bits of INTID, no LPIs. */
        *value = (VGIC_NR_IRQS / 32 - 1) | (9U << 19);
        break;
    case GICD_IIDR:
        *value = IIDR_ARM;
        break;
    case GICD_PIDR2:
        *value = PIDR2_GICV3;
        break;
    default:
        *value = 0;
        break;
    }
    return 0;
}

static int gicr_access(struct vgic *g, unsigned cpu, uint64_t off, unsigned width, bool write,
                       uint64_t *value)
{
    struct vgic_redist *r = &g->redist[cpu];
    if (off >= GICR_SGI)
        return vgic_banked_access(r->priv, 0, 32, off - GICR_SGI, width, write, value) || write
                   ? 0
                   : (*value = 0, 0);
    if (write) {
        if (off == GICR_WAKER)
            r->sleeping = *value & 2;
        return 0;
    }
    switch (off) {
    case GICR_IIDR:
        *value = IIDR_ARM;
        break;
    case GICR_TYPER: {
        /* Affinity = the vCPU's MPIDR (Aff0 = index), processor number, Last on the last one. */
        uint64_t v = ((uint64_t)cpu << 32) | ((uint64_t)cpu << 8);
        if (cpu == g->vcpus - 1)
            v |= 1ULL << 4;
        *value = width == 4 ? (uint32_t)v : v;
        break;
    }
    case GICR_TYPER + 4:
        *value = cpu; /* upper half: Aff0 */
        break;
    case GICR_WAKER:
        *value = r->sleeping ? 6 : 0; /* ChildrenAsleep follows ProcessorSleep */
        break;
    case GICR_PIDR2:
        *value = PIDR2_GICV3;
        break;
    default:
        *value = 0;
        break;
    }
    return 0;
}

static int vgic_access(struct emu_device *d, uint64_t off, unsigned width, bool write,
                       uint64_t *value)
{
    struct vgic *g = d->priv;
    unsigned long flags = spin_lock_irqsave(&g->lock);
    int err = 0;
    if (off < 0x10000) {
        err = gicd_access(g, off, width, write, value);
    } else if (off >= VGIC_GICR_OFFSET) {
        unsigned cpu = (unsigned)((off - VGIC_GICR_OFFSET) / VGIC_GICR_STRIDE);
        if (cpu < g->vcpus)
            err = gicr_access(g, cpu, (off - VGIC_GICR_OFFSET) % VGIC_GICR_STRIDE, width, write,
                              value);
        else if (!write)
            *value = 0;
    } else if (!write) {
        *value = 0;
    }
    vgic_dist_unlock_after(g, write, flags);
    return err;
}

static int vgic_read(struct emu_device *d, uint64_t off, unsigned width, uint64_t *value)
{
    return vgic_access(d, off, width, false, value);
}

static int vgic_write(struct emu_device *d, uint64_t off, unsigned width, uint64_t value)
{
    return vgic_access(d, off, width, true, &value);
}

static void vgic_reset(struct emu_device *d)
{
    struct vgic *g = d->priv;
    vgic_dist_reset(g);
    for (unsigned c = 0; c < VGIC_MAX_VCPUS; c++)
        g->redist[c].sleeping = true;
}

static const struct emu_ops vgic_ops = {
    .read = vgic_read,
    .write = vgic_write,
    .reset = vgic_reset,
};

static int vgic_create(struct vm *vm, struct emu_device *dev, const struct vm_dev_config *cfg)
{
    struct vgic *g = dev->priv;
    /* The guest's ICC_* registers are the hardware's virtual GICv3 CPU interface. */
    int err = vgic_dist_check_host(vm, 3);
    if (err)
        return err;
    g->vm = vm;
    g->vcpus = vm->cfg->vcpu_count;
    dev->ops = &vgic_ops;
    dev->size = VGIC_GICR_OFFSET + (uint64_t)g->vcpus * VGIC_GICR_STRIDE;
    vgic_reset(dev);
    return 0;
}

static int vgic_fdt_node(const struct emu_device *dev, const struct vm_dev_config *cfg, void *fdt)
{
    uint64_t reg[4] = {cfg->base, 0x10000, cfg->base + VGIC_GICR_OFFSET,
                       (uint64_t)dev->vm->cfg->vcpu_count * VGIC_GICR_STRIDE};
    return vgic_dist_fdt_node(fdt, &vdev_gicv3, cfg->base, "arm,gic-v3", reg);
}

/* GIC interrupt specifier: SPI number counted from 32, level-triggered, active high. */
unsigned vgic_fdt_irq(unsigned irq, uint32_t *cells)
{
    cells[0] = irq >= 32 ? 0 : 1; /* SPI or PPI */
    cells[1] = irq >= 32 ? irq - 32 : irq - 16;
    cells[2] = 4;
    return 3;
}

const struct vdev_type vdev_gicv3 = {
    .fdt_name = "interrupt-controller",
    .name = "gicv3",
    .space = EMU_MMIO,
    .default_size = VGIC_GICR_OFFSET + VGIC_MAX_VCPUS * VGIC_GICR_STRIDE,
    .state_size = sizeof(struct vgic),
    .create = vgic_create,
    .fdt_node = vgic_fdt_node,
    .fdt_irq = vgic_fdt_irq,
    .intc = &vgic_intc_ops,
    .irq_first = 32,
    .irq_count = VGIC_SPIS,
};
