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

#define VGIC_SPIS        64
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

/* Hardware list register count (ICH_VTR_EL2). */
unsigned vgic_lr_count(void);

/* Moving a vCPU's interface state in and out of the hardware. */
void vgic_cpu_save(struct vgic_cpu *c);
void vgic_cpu_load(const struct vgic_cpu *c);

/* A passthrough device's physical interrupt arrived (it is masked now): raise it in the VM. */
void vgic_hw_irq(struct vgic *g, unsigned intid);

/* A guest write to ICC_SGI1R_EL1 (trapped): send the SGI to the vCPUs it names. */
void vgic_sgi(struct vcpu *v, uint64_t value);

#endif
