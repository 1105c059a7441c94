/* SPDX-License-Identifier: MIT */
#ifndef ARCH_PLIC_H
#define ARCH_PLIC_H

/*
 * The host's PLIC (RISC-V PLIC Specification 1.0.0), for the interrupts the hypervisor takes
 * itself: console input and passthrough devices. Each hart uses its own S-mode context, found
 * from the PLIC node's interrupts-extended (the entries naming a hart's S-external interrupt,
 * 9). Any hart may complete an interrupt on another hart's context.
 */

#include <axvm/types.h>

/* Find the PLIC in the firmware's device tree. False if there is none (no host interrupts). */
bool plic_probe(const void *fdt);

/* Sources are 1 .. plic_sources() - 1; 0 before plic_probe found one. */
unsigned plic_sources(void);

/* The calling hart's context: priority threshold 0, every source disabled. */
void plic_cpu_init(uint64_t hwid);

/* Let 'irq' interrupt hart 'hwid' only (priority 1), or no hart. */
void plic_enable(unsigned irq, uint64_t hwid);
void plic_disable(unsigned irq);

/* Claim the best pending interrupt of the calling hart's context (0: none). */
unsigned plic_claim(uint64_t hwid);

/* Complete 'irq' on the context of hart 'hwid', which claimed it. */
void plic_complete(unsigned irq, uint64_t hwid);

#endif
