// SPDX-License-Identifier: MIT
/*
 * The GICv2 virtual interface control (GICH, Arm IHI 0048B chapter 5): the list registers and
 * the guest's CPU interface state, memory-mapped and banked per CPU at one address. The guest
 * itself talks to the virtual CPU interface (GICV), which vgic2_mmio.c maps at its GICC.
 *
 * vgic.c writes list registers in the GICv3 format (ICH_LR<n>_EL2); here they are converted
 * to and from GICH_LR<n>:
 *
 *   ICH_LR (64 bits)                       GICH_LR (32 bits)
 *   [63:62] state                          [29:28] state
 *   [61]    HW                             [31]    HW
 *   [60]    group 1                        [30]    group 1 (dropped, see below)
 *   [55:48] priority (top 5 bits used)     [27:23] priority >> 3
 *   [44:32] pINTID, [41] EOI without HW    [19:10] pINTID, [19] EOI without HW
 *   [31:0]  vINTID                         [9:0]   vINTID ([12:10] an SGI's source: 0)
 *
 * vgic.c puts every interrupt in Group 1, the one group its guests see. A GICv2 guest sees
 * every interrupt in Group 0 (GICD_IGROUPR reads 0 in vgic2_mmio.c), which is the group
 * Linux's GICv2 driver enables (GICC_CTLR.EnableGrp0), so the group bit is cleared here and
 * set again when a register is read back.
 */
#include <arch/sysreg.h>
#include <arch/vgic.h>

#define GICH_HCR  0x000
#define GICH_VTR  0x004
#define GICH_VMCR 0x008
#define GICH_APR  0x0f0
#define GICH_LR0  0x100

#define ICH_LR_STATE_SHIFT 62
#define ICH_LR_HW          (1ULL << 61)
#define ICH_LR_GROUP1      (1ULL << 60)
#define ICH_LR_PRIO_SHIFT  48
#define ICH_LR_PINTID      32
#define ICH_LR_EOI         (1ULL << 41)

#define GICH_LR_HW          (1U << 31)
#define GICH_LR_STATE_SHIFT 28
#define GICH_LR_PRIO_SHIFT  23
#define GICH_LR_PINTID      10
#define GICH_LR_EOI         (1U << 19)

static uintptr_t gich_base;

static volatile uint32_t *gich(uintptr_t off)
{
    return (volatile uint32_t *)(gich_base + off);
}

static uint32_t lr_to_gich(uint64_t lr)
{
    if (!lr)
        return 0;
    uint32_t v = (uint32_t)(lr & 0x3ff);
    v |= (uint32_t)((lr >> ICH_LR_STATE_SHIFT) & 3) << GICH_LR_STATE_SHIFT;
    v |= (uint32_t)((lr >> (ICH_LR_PRIO_SHIFT + 3)) & 0x1f) << GICH_LR_PRIO_SHIFT;
    if (lr & ICH_LR_HW)
        v |= GICH_LR_HW | (uint32_t)((lr >> ICH_LR_PINTID) & 0x3ff) << GICH_LR_PINTID;
    else if (lr & ICH_LR_EOI)
        v |= GICH_LR_EOI;
    return v;
}

static uint64_t lr_from_gich(uint32_t v)
{
    if (!v)
        return 0;
    uint64_t lr = (v & 0x3ff) | ICH_LR_GROUP1;
    lr |= (uint64_t)((v >> GICH_LR_STATE_SHIFT) & 3) << ICH_LR_STATE_SHIFT;
    lr |= (uint64_t)((v >> GICH_LR_PRIO_SHIFT) & 0x1f) << (ICH_LR_PRIO_SHIFT + 3);
    if (v & GICH_LR_HW)
        lr |= ICH_LR_HW | (uint64_t)((v >> GICH_LR_PINTID) & 0x3ff) << ICH_LR_PINTID;
    else if (v & GICH_LR_EOI)
        lr |= ICH_LR_EOI;
    return lr;
}

static unsigned gich_lr_count(void)
{
    return (*gich(GICH_VTR) & 0x3f) + 1;
}

static uint64_t gich_lr_read(unsigned n)
{
    return lr_from_gich(*gich(GICH_LR0 + 4 * n));
}

static void gich_lr_write(unsigned n, uint64_t lr)
{
    *gich(GICH_LR0 + 4 * n) = lr_to_gich(lr);
}

static uint32_t gich_hcr_read(void)
{
    return *gich(GICH_HCR);
}

/* En and UIE are bits 0 and 1 in both versions. */
static void gich_hcr_write(uint32_t hcr)
{
    *gich(GICH_HCR) = hcr & 3;
    dsb_sy();
}

static void gich_save(struct vgic_cpu *c)
{
    c->vmcr = *gich(GICH_VMCR);
    c->ap1r0 = *gich(GICH_APR);
}

static void gich_load(const struct vgic_cpu *c)
{
    *gich(GICH_VMCR) = c->vmcr;
    *gich(GICH_APR) = c->ap1r0;
}

static const struct vgic_hw vgic2_hw = {
    .lr_count = gich_lr_count,
    .lr_read = gich_lr_read,
    .lr_write = gich_lr_write,
    .hcr_read = gich_hcr_read,
    .hcr_write = gich_hcr_write,
    .save = gich_save,
    .load = gich_load,
};

const struct vgic_hw *vgic2_hw_init(paddr_t gich_addr)
{
    gich_base = (uintptr_t)gich_addr;
    return &vgic2_hw;
}
