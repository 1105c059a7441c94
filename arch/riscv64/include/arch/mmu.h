/* SPDX-License-Identifier: MIT */
#ifndef ARCH_MMU_H
#define ARCH_MMU_H

/* The hypervisor's own Sv39 identity map (HS-mode satp). */

#include <axvm/boot.h>

/* Build the page tables from the RAM ranges in 'bi'; false if the table pool ran out. */
bool mmu_build(const struct boot_info *bi);

/* The satp value every hart loads (the secondaries get it through their start arguments). */
uint64_t mmu_satp(void);

/* Turn translation on for the calling hart; false if the hart does not implement Sv39. */
bool mmu_enable(void);

#endif
