// SPDX-License-Identifier: MIT
#include <arch/sysreg.h>
#include <drivers/gic.h>
#include <drivers/gicv3.h>
#include <axvm/errno.h>

#define GICD_CTLR      0x0000
#define GICD_CTLR_RWP  (1U << 31)
#define GICD_CTLR_ARE  (1U << 4)
#define GICD_CTLR_GRP1 (1U << 1)

#define GICR_FRAME          0x20000 /* RD_base + SGI_base, 64 KiB each */
#define GICR_TYPER          0x0008
#define GICR_TYPER_LAST     (1ULL << 4)
#define GICR_WAKER          0x0014
#define GICR_WAKER_SLEEP    (1U << 1)
#define GICR_WAKER_CHILDREN (1U << 2)
#define GICR_SGI_BASE       0x10000
#define GICR_IGROUPR0       0x0080
#define GICR_ISENABLER0     0x0100
#define GICR_IPRIORITYR     0x0400

/* ICC registers by encoding: the assembler wants the generic names for some of them. */
#define ICC_SRE_EL2     "S3_4_C12_C9_5"
#define ICC_PMR_EL1     "S3_0_C4_C6_0"
#define ICC_IGRPEN1_EL1 "S3_0_C12_C12_7"
#define ICC_SGI1R_EL1   "S3_0_C12_C11_5"
#define ICC_IAR1_EL1    "S3_0_C12_C12_0"
#define ICC_EOIR1_EL1   "S3_0_C12_C12_1"
#define ICC_CTLR_EL1    "S3_0_C12_C12_4"

#define icc_write(reg, v) __asm__ volatile("msr " reg ", %0" ::"r"((uint64_t)(v)) : "memory")
#define icc_read(reg)                                                                              \
    ({                                                                                             \
        uint64_t v_;                                                                               \
        __asm__ volatile("mrs %0, " reg : "=r"(v_)::"memory");                                     \
        v_;                                                                                        \
    })

static uintptr_t gicd_base, gicr_base;
static size_t gicr_len;

static volatile uint32_t *reg32(uintptr_t base, uintptr_t off)
{
    return (volatile uint32_t *)(base + off);
}

void gicv3_init(uintptr_t gicd, uintptr_t gicr, size_t gicr_size)
{
    gicd_base = gicd;
    gicr_base = gicr;
    gicr_len = gicr_size;
    /* Affinity routing on, group 1 on. SPIs stay disabled until someone owns them. */
    *reg32(gicd, GICD_CTLR) = GICD_CTLR_ARE;
    while (*reg32(gicd, GICD_CTLR) & GICD_CTLR_RWP)
        ;
    *reg32(gicd, GICD_CTLR) = GICD_CTLR_ARE | GICD_CTLR_GRP1;
    while (*reg32(gicd, GICD_CTLR) & GICD_CTLR_RWP)
        ;
}

/* The redistributor whose GICR_TYPER affinity matches this CPU's MPIDR. */
static uintptr_t gicr_find(uint64_t mpidr)
{
    uint64_t aff = (mpidr & 0xffffff) | ((mpidr >> 8) & 0xff000000ULL);
    for (uintptr_t rd = gicr_base; rd < gicr_base + gicr_len; rd += GICR_FRAME) {
        uint64_t typer = *(volatile uint64_t *)(rd + GICR_TYPER);
        if ((typer >> 32) == aff)
            return rd;
        if (typer & GICR_TYPER_LAST)
            break;
    }
    return 0;
}

int gicv3_cpu_init(uint64_t mpidr, uint32_t private_mask)
{
    uintptr_t rd = gicr_find(mpidr);
    if (!rd)
        return -1;
    *reg32(rd, GICR_WAKER) &= ~GICR_WAKER_SLEEP;
    while (*reg32(rd, GICR_WAKER) & GICR_WAKER_CHILDREN)
        ;
    uintptr_t sgi = rd + GICR_SGI_BASE;
    *reg32(sgi, GICR_IGROUPR0) = 0xffffffff; /* every SGI/PPI in group 1 (IRQ, not FIQ) */
    for (unsigned i = 0; i < 32; i++)
        if (private_mask & (1U << i))
            *(volatile uint8_t *)(sgi + GICR_IPRIORITYR + i) = 0x80;
    *reg32(sgi, GICR_ISENABLER0) = private_mask;

    /* System-register interface at EL2 and for EL1 (bit 3 lets EL1 use it too). */
    icc_write(ICC_SRE_EL2, 0xf);
    isb();
    icc_write(ICC_PMR_EL1, 0xff);
    icc_write(ICC_CTLR_EL1, 0); /* EOI also deactivates */
    icc_write(ICC_IGRPEN1_EL1, 1);
    isb();
    return 0;
}

#define GICD_IGROUPR    0x0080
#define GICD_ISENABLER  0x0100
#define GICD_IPRIORITYR 0x0400
#define GICD_IROUTER    0x6000

void gicv3_enable_spi(unsigned intid, uint64_t mpidr)
{
    *reg32(gicd_base, GICD_IGROUPR + (intid / 32) * 4) |= 1U << (intid % 32);
    *(volatile uint8_t *)(gicd_base + GICD_IPRIORITYR + intid) = 0x80;
    *(volatile uint64_t *)(gicd_base + GICD_IROUTER + intid * 8) =
        (mpidr & 0xffffff) | ((mpidr & 0xff00000000ULL));
    *reg32(gicd_base, GICD_ISENABLER + (intid / 32) * 4) = 1U << (intid % 32);
}

#define GICD_ICENABLER 0x0180

void gicv3_mask_spi(unsigned intid)
{
    *reg32(gicd_base, GICD_ICENABLER + (intid / 32) * 4) = 1U << (intid % 32);
}

void gicv3_unmask_spi(unsigned intid)
{
    *reg32(gicd_base, GICD_ISENABLER + (intid / 32) * 4) = 1U << (intid % 32);
}

#define GICR_ICENABLER0 0x0180

uintptr_t gicv3_cpu_ppi_frame(uint64_t mpidr)
{
    uintptr_t rd = gicr_find(mpidr);
    return rd ? rd + GICR_SGI_BASE : 0;
}

void gicv3_ppi_enable(uintptr_t frame, unsigned intid, bool enable)
{
    if (frame && intid < 32)
        *reg32(frame, enable ? GICR_ISENABLER0 : GICR_ICENABLER0) = 1U << intid;
}

void gicv3_send_sgi(uint64_t mpidr, unsigned sgi)
{
    uint64_t v = (1ULL << (mpidr & 0xf)) | (((mpidr >> 8) & 0xff) << 16) |
                 ((uint64_t)(sgi & 0xf) << 24) | (((mpidr >> 16) & 0xff) << 32) |
                 (((mpidr >> 32) & 0xff) << 48);
    dsb_ish();
    icc_write(ICC_SGI1R_EL1, v);
    isb();
}

void gicv3_send_sgi_others(unsigned sgi)
{
    dsb_ish();
    icc_write(ICC_SGI1R_EL1, (1ULL << 40) | ((uint64_t)(sgi & 0xf) << 24));
    isb();
}

unsigned gicv3_drain(void)
{
    unsigned n = 0, intid;
    while ((intid = gicv3_ack()) < 1020) {
        gicv3_eoi(intid);
        n++;
    }
    return n;
}

unsigned gicv3_ack(void)
{
    return (unsigned)(icc_read(ICC_IAR1_EL1) & 0xffffff);
}

void gicv3_eoi(unsigned intid)
{
    icc_write(ICC_EOIR1_EL1, intid);
    isb();
}

/* ---- behind the version-neutral interface (drivers/include/drivers/gic.h) ---- */

/* The device tree's "reg": GICD, then the redistributors (one region; QEMU virt, most SoCs). */
static int gicv3_probe_init(const struct boot_intc *intc, struct gic_host *host)
{
    if (intc->reg_count < 2)
        return -EINVAL;
    gicv3_init((uintptr_t)intc->reg[0].base, (uintptr_t)intc->reg[1].base,
               (size_t)intc->reg[1].size);
    *host = (struct gic_host){.version = 3};
    return 0;
}

/* The handle is the CPU's SGI/PPI frame, where its PPIs are enabled. */
static uintptr_t gicv3_cpu_up(uint64_t mpidr, uint32_t private_mask)
{
    return gicv3_cpu_init(mpidr, private_mask) == 0 ? gicv3_cpu_ppi_frame(mpidr) : 0;
}

const struct gic_ops gicv3_ops = {
    .name = "GICv3",
    .init = gicv3_probe_init,
    .cpu_init = gicv3_cpu_up,
    .enable_spi = gicv3_enable_spi,
    .mask_spi = gicv3_mask_spi,
    .unmask_spi = gicv3_unmask_spi,
    .ppi_enable = gicv3_ppi_enable,
    .send_sgi = gicv3_send_sgi,
    .send_sgi_others = gicv3_send_sgi_others,
    .ack = gicv3_ack,
    .eoi = gicv3_eoi,
};
