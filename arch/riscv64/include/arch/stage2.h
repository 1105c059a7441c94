/* SPDX-License-Identifier: MIT */
#ifndef ARCH_STAGE2_H
#define ARCH_STAGE2_H

/* The G-stage (guest-physical to host-physical) translation: Sv39x4 and VMIDs. */

#include <axvm/types.h>

/* Check this hart implements Sv39x4 and count its VMID bits. 0, or -ENODEV (logged). */
int stage2_cpu_init(void);

/* The hgatp value for a G-stage root and VMID. */
uint64_t stage2_hgatp(paddr_t root, unsigned vmid);

/* Drop this hart's cached G-stage translation of 'gpa' for 'vmid' (after it was filled). */
void stage2_fence_local(uint64_t gpa, unsigned vmid);

#endif
