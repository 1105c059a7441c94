/* SPDX-License-Identifier: MIT */
#ifndef AXVM_PGTABLE_H
#define AXVM_PGTABLE_H

/*
 * One radix page-table engine for every stage-2 format (AArch64 VMSA stage 2, RISC-V Sv39x4
 * G-stage, AMD nested paging). The architecture describes its format as data plus a few
 * encoders; mapping, block selection, splitting, translation and teardown are written once.
 */

#include <axvm/types.h>

#define PT_READ   0x1
#define PT_WRITE  0x2
#define PT_EXEC   0x4
#define PT_DEVICE 0x8 /* device memory attributes (passthrough MMIO) */
#define PT_RWX    (PT_READ | PT_WRITE | PT_EXEC)

struct pt_format {
    unsigned levels;          /* root is level 0, leaves of 4 KiB pages at levels - 1 */
    unsigned root_index_bits; /* root tables may be wider (concatenated): 10 AArch64, 11 Sv39x4 */
    unsigned index_bits;      /* every other level: 9 */
    unsigned block_min_level; /* highest level (smallest number) allowed to hold a block */
    uint64_t (*pte_leaf)(paddr_t pa, unsigned level, bool last_level, unsigned prot);
    uint64_t (*pte_table)(paddr_t table);
    bool (*pte_valid)(uint64_t pte);
    /* A valid entry that points to a next-level table (never true at the last level). */
    bool (*pte_is_table)(uint64_t pte, unsigned level, bool last_level);
    paddr_t (*pte_addr)(uint64_t pte);
    unsigned (*pte_prot)(uint64_t pte);
};

struct pgtable {
    const struct pt_format *fmt;
    paddr_t root;
    unsigned tables; /* table frames in use, root included */
};

/* Allocate an empty root (aligned to its own size, as every format requires). */
int pt_init(struct pgtable *pt, const struct pt_format *fmt);

/* Map [va, va+size) to [pa, pa+size) with the largest blocks alignment allows. Addresses and
 * size must be page-aligned. Existing mappings in the range are replaced. */
int pt_map(struct pgtable *pt, uint64_t va, paddr_t pa, uint64_t size, unsigned prot);

/* Remove mappings in [va, va+size), splitting blocks that straddle the edges. */
int pt_unmap(struct pgtable *pt, uint64_t va, uint64_t size);

/* Look up one address; returns false if unmapped. */
bool pt_translate(const struct pgtable *pt, uint64_t va, paddr_t *pa, unsigned *prot);

/* Call fn for every leaf: its va, pa, size and protection. */
void pt_for_each_leaf(const struct pgtable *pt,
                      void (*fn)(void *ctx, uint64_t va, paddr_t pa, uint64_t size, unsigned prot),
                      void *ctx);

/* Free every table frame (not the memory the leaves point to). */
void pt_destroy(struct pgtable *pt);

/* Size one entry covers at 'level'. */
uint64_t pt_level_size(const struct pt_format *fmt, unsigned level);

#endif
