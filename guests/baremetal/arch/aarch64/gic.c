// SPDX-License-Identifier: MIT
/* The test guest's GIC setup: a GICv3 (Arm IHI 0069: 12.9 distributor, 12.10-12.11
 * redistributor, 12.2 CPU interface system registers) or, in a VM on a GICv2 host, a GICv2
 * (IHI 0048B: 4.3 distributor with banked SGI/PPI registers, 4.4 memory-mapped CPU interface). */
#include <libfdt.h>
#include "gic.h"

#define GICD_CTLR       0x0000
#define GICD_CTLR_GRP1  (1U << 1) /* EnableGrp1NS (one security state: EnableGrp1) */
#define GICD_CTLR_ARE   (1U << 4)
#define GICR_STRIDE     0x20000 /* RD_base and SGI_base frames, 64 KiB each */
#define GICR_WAKER      0x0014
#define WAKER_SLEEP     (1U << 1) /* ProcessorSleep */
#define WAKER_ASLEEP    (1U << 2) /* ChildrenAsleep */
#define GICR_SGI_BASE   0x10000
#define GICR_IPRIORITYR 0x0400
#define GICR_IGROUPR0   0x0080 /* in the SGI_base frame */
#define PPI_PRIORITY    0x80
#define ICC_SRE_SRE     1 /* system register interface */
#define WAKE_TRIES      100000

#define GICC_CTLR  0x00
#define GICC_PMR   0x04
#define GICC_BPR   0x08
#define GICC_IAR   0x0c
#define GICC_EOIR  0x10
#define GICC_HPPIR 0x18

/* A GICv2: its CPU interface (GICC), 0 on a GICv3. */
static uint64_t gicc;

static volatile uint32_t *reg32(uint64_t base, uint64_t off)
{
    return (volatile uint32_t *)(uintptr_t)(base + off);
}

bool gic_find(const void *fdt, uint64_t *gicd, uint64_t *gicr)
{
    int node = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3");
    if (node < 0) {
        node = fdt_node_offset_by_compatible(fdt, -1, "arm,cortex-a15-gic");
        int len = 0;
        const fdt64_t *reg = node >= 0 ? fdt_getprop(fdt, node, "reg", &len) : NULL;
        if (!reg || len < 4 * (int)sizeof(fdt64_t))
            return false;
        *gicd = fdt64_ld(&reg[0]);
        *gicr = gicc = fdt64_ld(&reg[2]);
        return true;
    }
    int len = 0;
    const fdt64_t *reg = node >= 0 ? fdt_getprop(fdt, node, "reg", &len) : NULL;
    if (!reg || len < 4 * (int)sizeof(fdt64_t))
        return false;
    *gicd = fdt64_ld(&reg[0]);
    *gicr = fdt64_ld(&reg[2]);
    return true;
}

/* GICv2: the distributor's SGI/PPI registers are this vCPU's own at the shared address. */
static void gicv2_cpu_init(uint64_t gicd, uint32_t ppis)
{
    *reg32(gicd, GICD_CTLR) = 1; /* forward Group 0, the group every interrupt is in */
    for (unsigned n = 16; n < 32; n++)
        if (ppis & (1U << n))
            *(volatile uint8_t *)(uintptr_t)(gicd + GICR_IPRIORITYR + n) = PPI_PRIORITY;
    *reg32(gicd, GICD_ISENABLER) = ppis;
    *reg32(gicc, GICC_PMR) = 0xff;
    *reg32(gicc, GICC_BPR) = 0;
    *reg32(gicc, GICC_CTLR) = 1; /* EnableGrp0, signalled as IRQ */
}

bool gic_cpu_init(const void *fdt, uint32_t ppis)
{
    uint64_t gicd, gicr, mpidr, sre;
    if (!gic_find(fdt, &gicd, &gicr))
        return false;
    if (gicc) {
        gicv2_cpu_init(gicd, ppis);
        return true;
    }
    __asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
    gicr += (mpidr & 0xff) * GICR_STRIDE; /* one frame pair per vCPU, in Aff0 order */

    *reg32(gicd, GICD_CTLR) = GICD_CTLR_ARE | GICD_CTLR_GRP1;
    *reg32(gicr, GICR_WAKER) &= ~WAKER_SLEEP;
    unsigned tries = 0;
    while ((*reg32(gicr, GICR_WAKER) & WAKER_ASLEEP) && ++tries < WAKE_TRIES)
        ;
    if (tries == WAKE_TRIES)
        return false;
    uint64_t sgi = gicr + GICR_SGI_BASE;
    for (unsigned n = 16; n < 32; n++)
        if (ppis & (1U << n))
            *(volatile uint8_t *)(uintptr_t)(sgi + GICR_IPRIORITYR + n) = PPI_PRIORITY;
    /* Group 1 (IRQs): a GIC with one security state resets them to group 0, which is off. */
    *reg32(sgi, GICR_IGROUPR0) |= ppis;
    *reg32(sgi, GICD_ISENABLER) = ppis;

    __asm__ volatile("mrs %0, icc_sre_el1" : "=r"(sre));
    __asm__ volatile("msr icc_sre_el1, %0; isb" ::"r"(sre | ICC_SRE_SRE));
    __asm__ volatile("msr icc_pmr_el1, %0" ::"r"(0xffUL)); /* every priority passes */
    __asm__ volatile("msr icc_bpr1_el1, %0" ::"r"(0UL));
    __asm__ volatile("msr icc_igrpen1_el1, %0; isb" ::"r"(1UL));
    return true;
}

bool gic_is_v2(void)
{
    return gicc != 0;
}

unsigned gic_pending(void)
{
    if (gicc)
        return *reg32(gicc, GICC_HPPIR) & 0x3ff;
    uint64_t intid;
    __asm__ volatile("mrs %0, icc_hppir1_el1" : "=r"(intid));
    return (unsigned)intid;
}

unsigned gic_ack(void)
{
    if (gicc)
        return *reg32(gicc, GICC_IAR) & 0x1fff;
    uint64_t intid;
    __asm__ volatile("mrs %0, icc_iar1_el1" : "=r"(intid));
    return (unsigned)intid;
}

void gic_eoi(unsigned ack)
{
    if (gicc) {
        *reg32(gicc, GICC_EOIR) = ack;
        return;
    }
    __asm__ volatile("msr icc_eoir1_el1, %0; isb" ::"r"((uint64_t)ack));
}
