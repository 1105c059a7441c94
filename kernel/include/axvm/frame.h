/* SPDX-License-Identifier: MIT */
#ifndef AXVM_FRAME_H
#define AXVM_FRAME_H

/*
 * Physical frame allocator: 4 KiB frames, a bitmap per free range kept at the start of that
 * range. Allocations of several contiguous, aligned frames serve page-table roots (RISC-V
 * G-stage wants 16 KiB, AArch64 concatenated tables 8 KiB).
 */

#include <axvm/boot.h>

#define FRAME_MAX_ZONES 32

/* Build the allocator over 'count' free ranges (from memmap_free_ranges). */
void frame_init(const struct mem_range *free, unsigned count);

/* 'count' contiguous frames aligned to 'align' bytes (a power of two >= PAGE_SIZE), zeroed.
 * Returns 0 when nothing fits. */
paddr_t frame_alloc(unsigned count, uint64_t align);
/* The same, not zeroed: they may hold another VM's data, so the caller zeroes them before
 * anyone else can see them. */
paddr_t frame_alloc_unzeroed(unsigned count, uint64_t align);
void frame_free(paddr_t base, unsigned count);

uint64_t frame_free_count(void);
uint64_t frame_total_count(void);

#endif
