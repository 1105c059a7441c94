// SPDX-License-Identifier: MIT
/*
 * The physical GICv2 with the virtualization extensions (Arm IHI 0048B; the GIC-400 of the
 * Raspberry Pi 4, QEMU virt with gic-version=2). Unlike the GICv3, the CPU interface is memory
 * (GICC), the distributor's SGI/PPI registers are banked per CPU at one address, and SGIs and
 * SPIs are routed by CPU interface number (a bit mask), not by MPIDR: each CPU learns its own
 * from GICD_ITARGETSR0.
 *
 * Every interrupt stays in the group the hypervisor is in: group 0 of a GIC without the
 * Security Extensions (QEMU), the Non-secure group 1 where the firmware left the
 * hypervisor Non-secure (the Pi 4's armstub); GICD_CTLR and GICC_CTLR bit 0 enable that
 * group in both views.
 */
#include <arch/sysreg.h>
#include <drivers/gic.h>
#include <axvm/errno.h>

#define GICD_CTLR       0x000
#define GICD_ICENABLER  0x180
#define GICD_ISENABLER  0x100
#define GICD_ICPENDR    0x280
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR  0x800
#define GICD_SGIR       0xf00
#define SGIR_OTHERS     (1U << 24) /* TargetListFilter: every CPU but the sender */

#define GICC_CTLR 0x00
#define GICC_PMR  0x04
#define GICC_IAR  0x0c
#define GICC_EOIR 0x10

#define GICV2_MAX_CPUS 8
#define PRIO_HYP       0x80

static uintptr_t gicd_base, gicc_base;

/* CPU interface number (as a target mask) of each CPU that has come up. */
static struct {
    uint64_t mpidr;
    uint8_t mask;
} cpu_if[GICV2_MAX_CPUS];
static unsigned cpu_if_count;

static volatile uint32_t *gicd(uintptr_t off)
{
    return (volatile uint32_t *)(gicd_base + off);
}

static volatile uint32_t *gicc(uintptr_t off)
{
    return (volatile uint32_t *)(gicc_base + off);
}

/*
 * The device tree's "reg": GICD, GICC, GICH, GICV (the last two only with the virtualization
 * extensions, which axvm needs for its guests). SPIs stay disabled until someone owns them.
 */
static int gicv2_init(const struct boot_intc *intc, struct gic_host *host)
{
    if (intc->reg_count < 2)
        return -EINVAL;
    gicd_base = (uintptr_t)intc->reg[0].base;
    gicc_base = (uintptr_t)intc->reg[1].base;
    *host = (struct gic_host){.version = 2};
    if (intc->reg_count >= 4) {
        host->gich = intc->reg[2].base;
        host->gicv = intc->reg[3].base;
        host->gicv_size = intc->reg[3].size;
    }
    *gicd(GICD_CTLR) = 0;
    for (unsigned n = 32; n < 1020; n += 32) {
        *gicd(GICD_ICENABLER + n / 8) = ~0U;
        *gicd(GICD_ICPENDR + n / 8) = ~0U;
    }
    *gicd(GICD_CTLR) = 1;
    return 0;
}

static uint8_t cpu_mask_of(uint64_t mpidr)
{
    unsigned count = __atomic_load_n(&cpu_if_count, __ATOMIC_ACQUIRE);
    for (unsigned i = 0; i < count; i++)
        if (cpu_if[i].mpidr == mpidr)
            return cpu_if[i].mask;
    return 0;
}

static uintptr_t gicv2_cpu_init(uint64_t mpidr, uint32_t private_mask)
{
    mpidr &= MPIDR_HWID_MASK;
    /* GICD_ITARGETSR0..7 read as the reading CPU's own interface (IHI 0048B 4.3.12); a GIC
     * built for one CPU reads 0 there. */
    uint8_t mask = (uint8_t)*gicd(GICD_ITARGETSR);
    mask = mask ?: 1;
    /* CPUs come up one after the other (kernel/main.c waits for each), so only one adds
     * itself at a time; others read the table once the count says an entry is there. */
    unsigned slot = cpu_if_count;
    if (!cpu_mask_of(mpidr)) {
        if (slot >= GICV2_MAX_CPUS)
            return 0;
        cpu_if[slot].mpidr = mpidr;
        cpu_if[slot].mask = mask;
        __atomic_store_n(&cpu_if_count, slot + 1, __ATOMIC_RELEASE);
    }
    for (unsigned i = 0; i < 32; i++)
        if (private_mask & (1U << i))
            *(volatile uint8_t *)(gicd_base + GICD_IPRIORITYR + i) = PRIO_HYP;
    *gicd(GICD_ICENABLER) = ~private_mask;
    *gicd(GICD_ISENABLER) = private_mask;
    *gicc(GICC_PMR) = 0xff;
    *gicc(GICC_CTLR) = 1; /* EOImode 0: EOIR drops the priority and deactivates */
    dsb_sy();
    return 1; /* the banked registers need no per-CPU address */
}

static void gicv2_enable_spi(unsigned intid, uint64_t mpidr)
{
    *(volatile uint8_t *)(gicd_base + GICD_IPRIORITYR + intid) = PRIO_HYP;
    *(volatile uint8_t *)(gicd_base + GICD_ITARGETSR + intid) =
        cpu_mask_of(mpidr & MPIDR_HWID_MASK);
    *gicd(GICD_ISENABLER + (intid / 32) * 4) = 1U << (intid % 32);
}

static void gicv2_mask_spi(unsigned intid)
{
    *gicd(GICD_ICENABLER + (intid / 32) * 4) = 1U << (intid % 32);
}

static void gicv2_unmask_spi(unsigned intid)
{
    *gicd(GICD_ISENABLER + (intid / 32) * 4) = 1U << (intid % 32);
}

/* SGI/PPI enables are banked: writing them acts on the calling CPU's. */
static void gicv2_ppi_enable(uintptr_t cpu, unsigned intid, bool enable)
{
    if (intid < 32)
        *gicd(enable ? GICD_ISENABLER : GICD_ICENABLER) = 1U << intid;
}

static void gicv2_send_sgi(uint64_t mpidr, unsigned sgi)
{
    uint8_t mask = cpu_mask_of(mpidr & MPIDR_HWID_MASK);
    if (!mask)
        return; /* not up yet: it has nothing to be kicked out of */
    dsb_ish();
    *gicd(GICD_SGIR) = ((uint32_t)mask << 16) | (sgi & 0xf);
}

static void gicv2_send_sgi_others(unsigned sgi)
{
    dsb_ish();
    *gicd(GICD_SGIR) = SGIR_OTHERS | (sgi & 0xf);
}

/* GICC_IAR: INTID in bits 9:0, an SGI's source CPU in 12:10; EOIR wants both back. */
static unsigned gicv2_ack(void)
{
    return *gicc(GICC_IAR) & 0x1fff;
}

static void gicv2_eoi(unsigned ack)
{
    *gicc(GICC_EOIR) = ack;
}

const struct gic_ops gicv2_ops = {
    .name = "GICv2",
    .init = gicv2_init,
    .cpu_init = gicv2_cpu_init,
    .enable_spi = gicv2_enable_spi,
    .mask_spi = gicv2_mask_spi,
    .unmask_spi = gicv2_unmask_spi,
    .ppi_enable = gicv2_ppi_enable,
    .send_sgi = gicv2_send_sgi,
    .send_sgi_others = gicv2_send_sgi_others,
    .ack = gicv2_ack,
    .eoi = gicv2_eoi,
};
