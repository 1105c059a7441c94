/* SPDX-License-Identifier: MIT */
#ifndef DRIVERS_GICV3_H
#define DRIVERS_GICV3_H

/*
 * The physical GICv3 as the hypervisor uses it: system-register CPU interface at EL2, one SGI
 * to kick another CPU out of guest mode. (Arm IHI 0069, GICv3 architecture specification.)
 */

#include <axvm/types.h>

/* SGI the hypervisor sends to make a CPU leave guest mode. */
#define GIC_SGI_KICK 8

/* Distributor at 'gicd', redistributor frames from 'gicr'; call once on the boot CPU. */
void gicv3_init(uintptr_t gicd, uintptr_t gicr, size_t gicr_size);

/* Wake this CPU's redistributor, enable the SGIs/PPIs in 'private_mask' (bit n = INTID n) and
 * the CPU interface; call on every CPU. */
int gicv3_cpu_init(uint64_t mpidr, uint32_t private_mask);

/* Enable SPI 'intid', delivered to the CPU with affinity 'mpidr'. */
void gicv3_enable_spi(unsigned intid, uint64_t mpidr);

/* Mask and unmask an SPI already set up (GICD_ICENABLER / GICD_ISENABLER). */
void gicv3_mask_spi(unsigned intid);
void gicv3_unmask_spi(unsigned intid);

void gicv3_send_sgi(uint64_t target_mpidr, unsigned sgi);

/* The SGI/PPI frame of the redistributor of the CPU with affinity 'mpidr' (0 if none), and
 * enabling or disabling one of its PPIs (GICR_ISENABLER0 / GICR_ICENABLER0). */
uintptr_t gicv3_cpu_ppi_frame(uint64_t mpidr);
void gicv3_ppi_enable(uintptr_t frame, unsigned intid, bool enable);

/* Send 'sgi' to every CPU but the caller (ICC_SGI1R_EL1.IRM). */
void gicv3_send_sgi_others(unsigned sgi);

/* Acknowledge and end every pending interrupt: for wake-up SGIs, whose job was done by
 * arriving. Returns how many there were. */
unsigned gicv3_drain(void);

/* Acknowledge the highest pending interrupt; returns its INTID (1023 = none). */
unsigned gicv3_ack(void);
void gicv3_eoi(unsigned intid);

#endif
