// SPDX-License-Identifier: MIT
/*
 * What the two emulated distributors share (vgic_mmio.c for the vGICv3, vgic2_mmio.c for the
 * vGICv2): the registers the GICv2 and GICv3 architectures lay out alike (IHI 0048B 4.3,
 * IHI 0069 12.9) - the set/clear bit banks, the priority bytes and the configuration bits - and
 * the steps around every access: reset, the wake-up after a write, the host check, the device
 * tree node. Each model keeps its own registers (GICv3 routing and redistributors, GICv2
 * targets and SGIR) in its file.
 */
#include <string.h>
#include <libfdt.h>
#include <arch/vgic.h>
#include <drivers/gic.h>
#include <axvm/errno.h>
#include <axvm/log.h>
#include <axvm/sched.h>
#include <axvm/vdev.h>
#include <axvm/vm.h>
#include <axvm/vm_fdt.h>

/* At the same offsets in a GICv2 distributor, a GICv3 distributor and a GICv3 SGI frame. */
#define GICD_IGROUPR    0x0080
#define GICD_ISENABLER  0x0100
#define GICD_ICENABLER  0x0180
#define GICD_ISPENDR    0x0200
#define GICD_ICPENDR    0x0280
#define GICD_ISACTIVER  0x0300
#define GICD_ICACTIVER  0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR      0x0c00

/* Read a 32-interrupt bit bank starting at 'first'. */
static uint32_t bits_read(struct vgic_irq *irqs, unsigned count, unsigned first, uint64_t reg)
{
    uint32_t v = 0;
    for (unsigned b = 0; b < 32; b++) {
        unsigned n = first + b;
        if (n >= count)
            break;
        struct vgic_irq *i = &irqs[n];
        bool on = false;
        switch (reg) {
        case GICD_ISENABLER:
        case GICD_ICENABLER:
            on = i->enabled;
            break;
        case GICD_ISPENDR:
        case GICD_ICPENDR:
            on = i->latched || i->level || i->in_lr;
            break;
        case GICD_ISACTIVER:
        case GICD_ICACTIVER:
            on = i->in_lr;
            break;
        case GICD_IGROUPR:
            on = true; /* everything is group 1 */
            break;
        default:
            break;
        }
        v |= (uint32_t)on << b;
    }
    return v;
}

static void bits_write(struct vgic_irq *irqs, unsigned count, unsigned first, uint64_t reg,
                       uint32_t value)
{
    for (unsigned b = 0; b < 32; b++) {
        unsigned n = first + b;
        if (n >= count || !(value & (1U << b)))
            continue;
        struct vgic_irq *i = &irqs[n];
        switch (reg) {
        case GICD_ISENABLER:
            i->enabled = true;
            break;
        case GICD_ICENABLER:
            i->enabled = false;
            break;
        case GICD_ISPENDR:
            i->latched = true;
            break;
        case GICD_ICPENDR:
            i->latched = false;
            break;
        default:
            break; /* groups are fixed, active state is the list registers' business */
        }
    }
}

/* GICD_IPRIORITYR: a byte per interrupt, 5 bits of priority (ICH_VTR_EL2.PRIbits). */
static void priorities_access(struct vgic_irq *irqs, unsigned first_id, unsigned count,
                              uint64_t off, unsigned width, bool write, uint64_t *value)
{
    unsigned id = (unsigned)(off - GICD_IPRIORITYR);
    uint64_t v = 0;
    for (unsigned k = 0; k < width; k++) {
        unsigned n = id + k;
        if (n < first_id || n - first_id >= count)
            continue;
        if (write)
            irqs[n - first_id].priority = (uint8_t)(*value >> (8 * k)) & 0xf8;
        else
            v |= (uint64_t)irqs[n - first_id].priority << (8 * k);
    }
    if (!write)
        *value = v;
}

/* GICD_ICFGR: two bits per interrupt, the upper one set for edge-triggered. */
static void config_access(struct vgic_irq *irqs, unsigned first_id, unsigned count, uint64_t off,
                          bool write, uint64_t *value)
{
    unsigned first = (unsigned)(off - GICD_ICFGR) * 4;
    uint32_t v = 0;
    for (unsigned b = 0; b < 16; b++) {
        unsigned n = first + b;
        if (n < first_id || n - first_id >= count)
            continue;
        struct vgic_irq *i = &irqs[n - first_id];
        if (write && n >= 16) /* SGIs are always edge */
            i->edge = (*value >> (2 * b + 1)) & 1;
        v |= (uint32_t)(n < 16 || i->edge) << (2 * b + 1);
    }
    if (!write)
        *value = v;
}

bool vgic_banked_access(struct vgic_irq *irqs, unsigned first_id, unsigned count, uint64_t off,
                        unsigned width, bool write, uint64_t *value)
{
    if (off >= GICD_IGROUPR && off < GICD_IPRIORITYR) {
        uint64_t reg = off & ~0x7fULL;
        unsigned first = (unsigned)((off & 0x7f) * 8) - first_id;
        if ((off & 0x7f) * 8 < first_id)
            return write || (*value = 0, true);
        if (write)
            bits_write(irqs, count, first, reg, (uint32_t)*value);
        else
            *value = bits_read(irqs, count, first, reg);
        return true;
    }
    if (off >= GICD_IPRIORITYR && off < GICD_IPRIORITYR + 0x400) {
        priorities_access(irqs, first_id, count, off, width, write, value);
        return true;
    }
    if (off >= GICD_ICFGR && off < GICD_ICFGR + 0x100) {
        config_access(irqs, first_id, count, off, write, value);
        return true;
    }
    return false;
}

void vgic_dist_reset(struct vgic *g)
{
    struct vm *vm = g->vm;
    unsigned vcpus = g->vcpus;
    memset(g, 0, sizeof(*g));
    g->lock = (spinlock_t)SPINLOCK_INIT;
    g->vm = vm;
    g->vcpus = vcpus;
    /* SGIs are edge-triggered, and enabled: always on a GICv2 (the GIC-400's are fixed); a
     * GICv3 leaves their enable to software, but Linux enables them, so this is harmless. */
    for (unsigned c = 0; c < VGIC_MAX_VCPUS; c++)
        for (unsigned n = 0; n < 16; n++)
            g->redist[c].priv[n].edge = g->redist[c].priv[n].enabled = true;
}

void vgic_dist_unlock_after(struct vgic *g, bool write, unsigned long flags)
{
    if (write) {
        g->gen++;
        g->rescan = true;
    }
    spin_unlock_irqrestore(&g->lock, flags);
    /* Enabling or un-pending may have made something deliverable: let the vCPUs look. */
    if (write)
        for (unsigned t = 0; t < g->vcpus; t++)
            if (vcpu_state_get(&g->vm->vcpus[t]) == VCPU_HALTED)
                sched_wake(&g->vm->vcpus[t]);
}

int vgic_dist_check_host(const struct vm *vm, unsigned version)
{
    unsigned have = gic_host()->version;
    if (have == version)
        return 0;
    /* The guest's CPU interface is the hardware's virtual one, of the host's version. */
    log_error("vm%u (%s): a gicv%u device needs a GICv%u host; this one has a GICv%u: give "
              "the VM a gicv%u device",
              vm->id, vm->cfg->name, version, version, have, have);
    return -ENODEV;
}

int vgic_dist_fdt_node(void *fdt, const struct vdev_type *type, uint64_t base,
                       const char *compatible, const uint64_t reg[4])
{
    uint64_t cells[4];
    for (unsigned k = 0; k < 4; k++)
        cells[k] = cpu_to_fdt64(reg[k]);
    int err = vdev_fdt_begin(fdt, type, base);
    err = err ?: fdt_property_string(fdt, "compatible", compatible);
    err = err ?: fdt_property_u32(fdt, "#interrupt-cells", 3);
    err = err ?: fdt_property(fdt, "interrupt-controller", NULL, 0);
    err = err ?: fdt_property(fdt, "reg", cells, sizeof(cells));
    err = err ?: fdt_property_u32(fdt, "phandle", VM_FDT_PHANDLE_IRQCHIP);
    return err;
}
