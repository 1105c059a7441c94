/* SPDX-License-Identifier: MIT */
#ifndef AXVM_MEMMAP_H
#define AXVM_MEMMAP_H

/* Turning the firmware's RAM ranges and reserved ranges into the free ranges we may allocate. */

#include <axvm/boot.h>

/*
 * Subtract every reserved range from the RAM ranges, align the results inward to 'align'
 * bytes, drop empty pieces, and write them sorted by base to 'out'. Returns the number of
 * ranges written (at most 'out_max'; extra pieces are dropped and counted in *dropped).
 */
unsigned memmap_free_ranges(const struct mem_range *ram, unsigned ram_count,
                            const struct mem_range *reserved, unsigned reserved_count,
                            uint64_t align, struct mem_range *out, unsigned out_max,
                            unsigned *dropped);

/* Sum of the sizes. */
uint64_t memmap_total(const struct mem_range *r, unsigned count);

#endif
