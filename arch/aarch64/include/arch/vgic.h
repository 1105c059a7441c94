/* SPDX-License-Identifier: MIT */
#ifndef ARCH_VGIC_H
#define ARCH_VGIC_H

/*
 * The virtual GICv3 a VM sees: an emulated distributor and one redistributor per vCPU, trapped
 * as MMIO (layout as on QEMU virt: GICD at the device's base, redistributor frames from base +
 * 0xa0000, 128 KiB each), with interrupts delivered through the ICH list registers and the
 * guest's ICC_* registers served by the hardware's virtual CPU interface.
 */

#include <axvm/spinlock.h>
#include <axvm/types.h>
#include <axvm/vintc.h>

#define VGIC_SPIS        128
#define VGIC_NR_IRQS     (32 + VGIC_SPIS)
#define VGIC_MAX_VCPUS   8
#define VGIC_GICR_OFFSET 0xa0000
#define VGIC_GICR_STRIDE 0x20000
#define VGIC_MAX_LRS     16

#define VGIC_PPI_MAINT  25
#define VGIC_PPI_VTIMER 27
#define VGIC_PPI_PTIMER 30

struct vcpu;
struct vm;
struct vdev_type;

struct vgic_irq {
    uint8_t priority;
    uint8_t target; /* SPIs: vCPU index from GICD_IROUTER */
    bool enabled;
    bool edge;    /* GICD_ICFGR: edge-triggered */
    bool latched; /* edge seen (or set pending by software), not yet in a list register */
    bool level;   /* the emulated device's line */
    bool in_lr;   /* in a list register of its vCPU */
    bool hw;      /* a passthrough device's: the physical SPI stays masked until the guest is
                     done with it */
};

struct vgic_redist {
    struct vgic_irq priv[32]; /* SGIs and PPIs */
    bool sleeping;            /* GICR_WAKER.ProcessorSleep */
};

/* One per VM: the emulated device's private state. */
struct vgic {
    spinlock_t lock;
    struct vm *vm;
    uint32_t ctlr;
    struct vgic_irq spi[VGIC_SPIS];
    uint64_t irouter[VGIC_SPIS];
    struct vgic_redist redist[VGIC_MAX_VCPUS];
    unsigned vcpus;
    /* Bumped (under the lock) by every change that may make an interrupt deliverable, so an
     * entry with nothing new costs no scan of the interrupts (vgic_flush). */
    uint32_t gen;
    /* Candidates for delivery: set wherever an interrupt is latched or its line raised,
     * cleared by the scan that finds it neither, so an entry looks at what is pending, not at
     * every interrupt. A distributor write (pending set by software, a target moved) asks
     * for one full look that rebuilds them (rescan). */
    uint32_t cand_priv[VGIC_MAX_VCPUS];
    uint64_t cand_spi[VGIC_SPIS / 64];
    bool rescan;
};

/* The list registers and virtual CPU interface state of one vCPU, kept in struct arch_vcpu. */
struct vgic_cpu {
    uint64_t lr[VGIC_MAX_LRS];
    uint32_t gen_seen; /* the vgic's gen at this vCPU's last scan */
    bool scanned;      /* gen_seen is valid */
    uint32_t vmcr;
    uint32_t ap1r0;
    uint32_t hcr;
};

extern const struct vdev_type vdev_gicv3;
extern const struct vdev_type vdev_gicv2;
extern const struct vintc_ops vgic_intc_ops;

/* The VM's vGIC, or NULL if its config has none. */
struct vgic *vgic_of(struct vm *vm);

/* Make 'intid' pending for vCPU 'target' (SGIs and PPIs) or by its routing (SPIs). */
void vgic_inject(struct vgic *g, unsigned target, unsigned intid);

/* The level of a PPI of the vCPU (its timers), on its own pCPU with it loaded: a PPI whose line
 * drops before the guest has taken it is taken back. */
void vgic_ppi_set_level(struct vcpu *v, unsigned intid, bool level);

/* The level of an emulated device's interrupt line (SPIs). */
void vgic_set_level(struct vgic *g, unsigned intid, bool level);

/* Before entering the guest: pending interrupts into free list registers. After an exit:
 * what the guest did with them. The vCPU's list registers are live on this CPU. */
void vgic_flush(struct vcpu *v);
void vgic_sync(struct vcpu *v);

/* The vCPU has an interrupt it could take now (for waking it from WFI). */
bool vgic_pending(struct vcpu *v);

/*
 * The hardware's virtual CPU interface: the GICv3's ICH_* system registers (vgic.c) or the
 * GICv2's GICH frame (vgic2.c). List registers are always given in the ICH_LR<n>_EL2 format
 * (the GICv2 backend converts), and the control register's En (bit 0) and UIE (bit 1) are the
 * same bits in ICH_HCR_EL2 and GICH_HCR.
 */
struct vgic_hw {
    unsigned (*lr_count)(void);
    uint64_t (*lr_read)(unsigned n);
    void (*lr_write)(unsigned n, uint64_t lr);
    uint32_t (*hcr_read)(void);
    void (*hcr_write)(uint32_t hcr);
    /* The guest's CPU interface state beyond the list registers: VMCR and active priorities. */
    void (*save)(struct vgic_cpu *c);
    void (*load)(const struct vgic_cpu *c);
};

struct gic_host;
/* Use the virtual interface of the host's GIC (drivers/include/drivers/gic.h); -1 for a GICv2
 * without the virtualization extensions. Once, on the boot CPU. */
int vgic_hw_init(const struct gic_host *host);

/* The GICv2 backend, its GICH frame at 'gich' (vgic2.c). */
const struct vgic_hw *vgic2_hw_init(paddr_t gich);

/* Hardware list register count (ICH_VTR_EL2, GICH_VTR). */
unsigned vgic_lr_count(void);

/* The underflow maintenance interrupt fired: stop asking for it until the next entry. */
void vgic_underflow_off(void);

/* Moving a vCPU's interface state in and out of the hardware. */
void vgic_cpu_save(struct vgic_cpu *c);
void vgic_cpu_load(const struct vgic_cpu *c);

/* A passthrough device's physical interrupt arrived (it is masked now): raise it in the VM. */
void vgic_hw_irq(struct vgic *g, unsigned intid);

/* ---- vgic_dist.c: what the vGICv3 (vgic_mmio.c) and vGICv2 (vgic2_mmio.c) models share ---- */

/*
 * The distributor registers laid out alike in a GICv3's distributor and redistributor SGI frame
 * and a GICv2's distributor (IHI 0069 12.9, IHI 0048B 4.3): the bit banks from GICD_IGROUPR to
 * GICD_ICACTIVER, GICD_IPRIORITYR and GICD_ICFGR, over 'count' interrupts from 'first_id'.
 * False for any other register. With the vGIC's lock held.
 */
bool vgic_banked_access(struct vgic_irq *irqs, unsigned first_id, unsigned count, uint64_t off,
                        unsigned width, bool write, uint64_t *value);

/* The state after reset: everything off and zero but the VM, its vCPU count and the SGIs
 * (edge-triggered and enabled). */
void vgic_dist_reset(struct vgic *g);

/* End a guest access made under the vGIC's lock ('flags' from spin_lock_irqsave): after a
 * write, note the change (vgic_flush) and wake the VM's halted vCPUs to look at it. */
void vgic_dist_unlock_after(struct vgic *g, bool write, unsigned long flags);

/* 0 if the host's GIC is of 'version' (a vGIC's CPU interface is the hardware's virtual one),
 * else -ENODEV with an error naming the device type that would fit. */
int vgic_dist_check_host(const struct vm *vm, unsigned version);

/* The VM's interrupt-controller node: 'compatible', 'reg' (two address/size pairs, as numbers),
 * three interrupt cells, the phandle other nodes' interrupts point at. */
int vgic_dist_fdt_node(void *fdt, const struct vdev_type *type, uint64_t base,
                       const char *compatible, const uint64_t reg[4]);

/* A GIC interrupt specifier (#interrupt-cells = 3) for INTID 'irq': SPI or PPI, level high. */
unsigned vgic_fdt_irq(unsigned irq, uint32_t *cells);

/* A guest write to ICC_SGI1R_EL1 (trapped): send the SGI to the vCPUs it names. */
void vgic_sgi(struct vcpu *v, uint64_t value);

#endif
