/* SPDX-License-Identifier: MIT */
#ifndef ARCH_MMU_H
#define ARCH_MMU_H

/*
 * The hypervisor's own page tables: 4-level, an identity map of [0, top) with 2 MiB pages
 * (4 KiB in the first 2 MiB so that page 0 stays unmapped and catches NULL pointers).
 * Write-back where the firmware's memory map says there is memory, uncached elsewhere (MMIO,
 * the local APIC, flash); the firmware's MTRRs still apply on top. Nothing at or above 'top'
 * is mapped: the fault self-test reads 'top'.
 */

#include <axvm/boot.h>

/* How many 4 KiB pages the tables for [0, top) need; 'top' is a multiple of 1 GiB. */
unsigned mmu_table_pages(uint64_t top);

/*
 * Build the tables in 'pool' ('pages' zeroable pages below 4 GiB, so secondary CPUs can load
 * it from 32-bit code) for [0, top), write-back over the 'wb' ranges. Returns the CR3 value.
 */
uint64_t mmu_build(void *pool, unsigned pages, uint64_t top, const struct mem_range *wb,
                   unsigned wb_count);

/* Switch this CPU to the tables 'mmu_build' returned. */
void mmu_activate(uint64_t cr3);

#endif
