/* SPDX-License-Identifier: MIT */
#ifndef GUEST_AARCH64_GIC_H
#define GUEST_AARCH64_GIC_H

/* The least of a GIC the test guest needs to take interrupts: a GICv3 (Arm IHI 0069), or a
 * GICv2 (IHI 0048B) in a VM on a GICv2 host. */

#include <stdbool.h>
#include <stdint.h>

#define GICD_ISENABLER 0x0100 /* + 4 per 32 interrupts */
#define GICD_ICENABLER 0x0180

/* The distributor and the first redistributor of the "arm,gic-v3" node, or the distributor and
 * the CPU interface of an "arm,cortex-a15-gic" (GICv2) one. */
bool gic_find(const void *fdt, uint64_t *gicd, uint64_t *gicr);

/*
 * Get this vCPU ready to take the PPIs in the 'ppis' bit mask as group 1 interrupts:
 * distributor group 1 and affinity routing on, its redistributor awake, the PPIs enabled at
 * priority 0x80, and the CPU interface (system registers) unmasked and enabled. PSTATE.I stays
 * as it is. False when the redistributor does not wake.
 */
bool gic_cpu_init(const void *fdt, uint32_t ppis);

/* The GIC gic_find found is a GICv2 (memory-mapped CPU interface). */
bool gic_is_v2(void);

/* The INTID the CPU interface would give next (ICC_HPPIR1_EL1, GICC_HPPIR), 1023 when none is
 * pending. */
unsigned gic_pending(void);

/* Acknowledge the highest pending interrupt (its INTID in bits 9:0; 1023 and up: none), and end
 * it with the same value. */
unsigned gic_ack(void);
void gic_eoi(unsigned ack);

#endif
