// SPDX-License-Identifier: MIT
/*
 * The emulated GICv2 distributor (Arm IHI 0048B, 4.3) of a VM on a GICv2 host, device type
 * "gicv2": the registers Linux's irq-gic driver uses, every interrupt in Group 0, up to eight
 * vCPUs whose CPU interface numbers are their indexes. The guest's CPU interface is the
 * hardware's virtual CPU interface (GICV), mapped at the device's base + 64 KiB where the guest
 * looks for its GICC (the layout of QEMU virt); delivery goes through the list registers
 * (vgic.c with vgic2.c), the same as for the vGICv3.
 *
 * The SGI and PPI registers are banked per CPU at one address: an access reaches those of the
 * vCPU making it, the one loaded on this pCPU.
 */
#include <arch/vgic.h>
#include <drivers/gic.h>
#include <axvm/arch.h>
#include <axvm/percpu.h>
#include <axvm/vdev.h>
#include <axvm/vm.h>

#define GICD_CTLR       0x000
#define GICD_TYPER      0x004
#define GICD_IIDR       0x008
#define GICD_IGROUPR    0x080
#define GICD_ISENABLER  0x100
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR  0x800
#define GICD_ICFGR      0xc00
#define GICD_SGIR       0xf00
#define GICD_PIDR2      0xfe8

#define VGIC2_GICD_SIZE   0x1000
#define VGIC2_GICC_OFFSET 0x10000
#define VGIC2_GICC_SIZE   0x2000 /* GICC_DIR is in the second page */
#define VGIC2_SIZE        0x20000

#define IIDR_ARM    0x43b
#define PIDR2_GICV2 0x2b /* ArchRev 2 */
/* vgic.c forwards SPIs while this bit (GICv3's GICD_CTLR.EnableGrp1A) is set. */
#define CTLR_FORWARD (1U << 1)

/* The index of the vCPU making the access: the one loaded on this pCPU. */
static unsigned current_vcpu(struct vgic *g)
{
    struct vcpu *v = arch_this_cpu()->vcpu_loaded;
    return v && v->vm == g->vm && v->id < g->vcpus ? v->id : 0;
}

/* The first INTID a register of the bit banks, priorities or configuration describes. */
static unsigned reg_first_intid(uint64_t off)
{
    if (off < GICD_IPRIORITYR)
        return (unsigned)(off & 0x7f) * 8;
    if (off < GICD_ITARGETSR)
        return (unsigned)(off - GICD_IPRIORITYR);
    return (unsigned)(off - GICD_ICFGR) * 4;
}

/* GICD_ITARGETSR: a byte per interrupt. SGIs and PPIs read as the reading CPU's own bit; an
 * SPI goes to the lowest-numbered vCPU of those written (one target, as vgic.c delivers). */
static void targets_access(struct vgic *g, unsigned cpu, uint64_t off, unsigned width, bool write,
                           uint64_t *value)
{
    unsigned first = (unsigned)(off - GICD_ITARGETSR);
    uint64_t v = 0;
    for (unsigned k = 0; k < width; k++) {
        unsigned n = first + k;
        uint8_t byte = 0;
        if (n < 32) {
            byte = (uint8_t)(1U << cpu);
        } else if (n - 32 < VGIC_SPIS) {
            struct vgic_irq *i = &g->spi[n - 32];
            uint8_t mask = (uint8_t)(*value >> (8 * k)) & (uint8_t)((1U << g->vcpus) - 1);
            if (write && mask)
                i->target = (uint8_t)__builtin_ctz(mask);
            byte = (uint8_t)(1U << i->target);
        }
        v |= (uint64_t)byte << (8 * k);
    }
    if (!write)
        *value = v;
}

static void gicd_access(struct vgic *g, unsigned cpu, uint64_t off, unsigned width, bool write,
                        uint64_t *value)
{
    if (off >= GICD_IGROUPR && off < GICD_ISENABLER) {
        if (!write)
            *value = 0; /* every interrupt is Group 0 (vgic2.c) */
        return;
    }
    if (off >= GICD_ITARGETSR && off < GICD_ICFGR) {
        targets_access(g, cpu, off, width, write, value);
        return;
    }
    if (off >= GICD_ISENABLER && off < GICD_ICFGR + 0x100) {
        bool priv = reg_first_intid(off) < 32;
        if (vgic_banked_access(priv ? g->redist[cpu].priv : g->spi, priv ? 0 : 32,
                               priv ? 32 : VGIC_SPIS, off, width, write, value))
            return;
    }
    if (write) {
        if (off == GICD_CTLR)
            g->ctlr = *value & 1 ? CTLR_FORWARD : 0;
        return; /* other writes are ignored, as to read-only registers */
    }
    switch (off) {
    case GICD_CTLR:
        *value = g->ctlr & CTLR_FORWARD ? 1 : 0;
        break;
    case GICD_TYPER:
        /* ITLinesNumber for VGIC_NR_IRQS interrupts, CPUNumber, no Security Extensions. */
        *value = (VGIC_NR_IRQS / 32 - 1) | ((g->vcpus - 1) << 5);
        break;
    case GICD_IIDR:
        *value = IIDR_ARM;
        break;
    case GICD_PIDR2:
        *value = PIDR2_GICV2;
        break;
    default:
        *value = 0;
        break;
    }
}

/* GICD_SGIR: TargetListFilter (25:24) chooses the listed CPUs (23:16), all others, or self. */
static void sgir_write(struct vgic *g, unsigned cpu, uint32_t value)
{
    unsigned filter = (value >> 24) & 3, list = (value >> 16) & 0xff, sgi = value & 0xf;
    for (unsigned t = 0; t < g->vcpus; t++) {
        bool hit = filter == 0 ? (list >> t) & 1 : filter == 1 ? t != cpu : t == cpu;
        if (hit)
            vgic_inject(g, t, sgi);
    }
}

static int vgic2_access(struct emu_device *d, uint64_t off, unsigned width, bool write,
                        uint64_t *value)
{
    struct vgic *g = d->priv;
    unsigned cpu = current_vcpu(g);
    if (off == GICD_SGIR) {
        if (write)
            sgir_write(g, cpu, (uint32_t)*value); /* takes the lock itself */
        else
            *value = 0;
        return 0;
    }
    unsigned long flags = spin_lock_irqsave(&g->lock);
    gicd_access(g, cpu, off, width, write, value);
    vgic_dist_unlock_after(g, write, flags);
    return 0;
}

static int vgic2_read(struct emu_device *d, uint64_t off, unsigned width, uint64_t *value)
{
    return vgic2_access(d, off, width, false, value);
}

static int vgic2_write(struct emu_device *d, uint64_t off, unsigned width, uint64_t value)
{
    return vgic2_access(d, off, width, true, &value);
}

static void vgic2_reset(struct emu_device *d)
{
    vgic_dist_reset(d->priv);
}

static const struct emu_ops vgic2_ops = {
    .read = vgic2_read,
    .write = vgic2_write,
    .reset = vgic2_reset,
};

/* The hardware's virtual CPU interface where the guest expects its GICC. */
static int gicc_map(struct vm *vm, uint64_t gpa, const struct gic_host *h)
{
    unsigned long flags = spin_lock_irqsave(&vm->as.lock);
    int err = pt_map(&vm->as.pt, gpa, h->gicv, VGIC2_GICC_SIZE, PT_READ | PT_WRITE | PT_DEVICE);
    spin_unlock_irqrestore(&vm->as.lock, flags);
    return err;
}

static int vgic2_create(struct vm *vm, struct emu_device *dev, const struct vm_dev_config *cfg)
{
    int err = vgic_dist_check_host(vm, 2);
    if (err)
        return err;
    struct vgic *g = dev->priv;
    g->vm = vm;
    g->vcpus = vm->cfg->vcpu_count;
    dev->ops = &vgic2_ops;
    dev->size = VGIC2_GICD_SIZE; /* the CPU interface beyond it is mapped, not trapped */
    vgic2_reset(dev);
    return gicc_map(vm, cfg->base + VGIC2_GICC_OFFSET, gic_host());
}

static int vgic2_fdt_node(const struct emu_device *dev, const struct vm_dev_config *cfg, void *fdt)
{
    uint64_t reg[4] = {cfg->base, VGIC2_GICD_SIZE, cfg->base + VGIC2_GICC_OFFSET, VGIC2_GICC_SIZE};
    return vgic_dist_fdt_node(fdt, &vdev_gicv2, cfg->base, "arm,cortex-a15-gic", reg);
}

const struct vdev_type vdev_gicv2 = {
    .fdt_name = "interrupt-controller",
    .name = "gicv2",
    .space = EMU_MMIO,
    .default_size = VGIC2_SIZE,
    .state_size = sizeof(struct vgic),
    .create = vgic2_create,
    .fdt_node = vgic2_fdt_node,
    .fdt_irq = vgic_fdt_irq,
    .intc = &vgic_intc_ops,
    .irq_first = 32,
    .irq_count = VGIC_SPIS,
};
