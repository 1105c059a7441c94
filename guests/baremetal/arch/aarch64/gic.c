// SPDX-License-Identifier: MIT
/* The test guest's GICv3 setup (Arm IHI 0069: 12.9 distributor, 12.10-12.11 redistributor,
 * 12.2 CPU interface system registers). */
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
#define PPI_PRIORITY    0x80
#define ICC_SRE_SRE     1 /* system register interface */
#define WAKE_TRIES      100000

static volatile uint32_t *reg32(uint64_t base, uint64_t off)
{
    return (volatile uint32_t *)(uintptr_t)(base + off);
}

bool gic_find(const void *fdt, uint64_t *gicd, uint64_t *gicr)
{
    int node = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3");
    int len = 0;
    const fdt64_t *reg = node >= 0 ? fdt_getprop(fdt, node, "reg", &len) : NULL;
    if (!reg || len < 4 * (int)sizeof(fdt64_t))
        return false;
    *gicd = fdt64_ld(&reg[0]);
    *gicr = fdt64_ld(&reg[2]);
    return true;
}

bool gic_cpu_init(const void *fdt, uint32_t ppis)
{
    uint64_t gicd, gicr, mpidr, sre;
    if (!gic_find(fdt, &gicd, &gicr))
        return false;
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
    *reg32(sgi, GICD_ISENABLER) = ppis;

    __asm__ volatile("mrs %0, icc_sre_el1" : "=r"(sre));
    __asm__ volatile("msr icc_sre_el1, %0; isb" ::"r"(sre | ICC_SRE_SRE));
    __asm__ volatile("msr icc_pmr_el1, %0" ::"r"(0xffUL)); /* every priority passes */
    __asm__ volatile("msr icc_bpr1_el1, %0" ::"r"(0UL));
    __asm__ volatile("msr icc_igrpen1_el1, %0; isb" ::"r"(1UL));
    return true;
}

unsigned gic_pending(void)
{
    uint64_t intid;
    __asm__ volatile("mrs %0, icc_hppir1_el1" : "=r"(intid));
    return (unsigned)intid;
}
