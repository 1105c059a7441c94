/* SPDX-License-Identifier: MIT */
#ifndef ARCH_MMU_H
#define ARCH_MMU_H

/* The hypervisor's own EL2 stage-1 translation: an identity map built from the boot info. */

#include <axvm/boot.h>

/* MAIR_EL2 attribute indexes, matching MMU_MAIR in boot/aarch64/head.S. */
#define MT_DEVICE_nGnRnE 0
#define MT_DEVICE_nGnRE  1
#define MT_NORMAL        2

/* Build the final identity map for 'bi' and switch the calling CPU to it. */
void mmu_init(const struct boot_info *bi);

/* Root table physical address for secondaries, read by boot/aarch64/head.S. */
extern uint64_t mmu_root;

#endif
