// SPDX-License-Identifier: MIT
#include <axvm/errno.h>
#include <axvm/frame.h>
#include <axvm/pgtable.h>

static unsigned level_shift(const struct pt_format *f, unsigned level)
{
    return PAGE_SHIFT + f->index_bits * (f->levels - 1 - level);
}

uint64_t pt_level_size(const struct pt_format *f, unsigned level)
{
    return 1ULL << level_shift(f, level);
}

static unsigned level_entries(const struct pt_format *f, unsigned level)
{
    return 1U << (level == 0 ? f->root_index_bits : f->index_bits);
}

static unsigned level_index(const struct pt_format *f, unsigned level, uint64_t va)
{
    return (unsigned)((va >> level_shift(f, level)) & (level_entries(f, level) - 1));
}

static bool is_last(const struct pt_format *f, unsigned level)
{
    return level == f->levels - 1;
}

static uint64_t *table_ptr(paddr_t pa)
{
    return phys_to_ptr(pa);
}

static unsigned root_frames(const struct pt_format *f)
{
    uint64_t bytes = (uint64_t)8 << f->root_index_bits;
    return (unsigned)(ALIGN_UP(bytes, PAGE_SIZE) / PAGE_SIZE);
}

int pt_init(struct pgtable *pt, const struct pt_format *fmt)
{
    unsigned n = root_frames(fmt);
    pt->fmt = fmt;
    pt->root = frame_alloc(n, (uint64_t)n * PAGE_SIZE);
    pt->tables = n;
    return pt->root ? 0 : -ENOMEM;
}

static paddr_t table_alloc(struct pgtable *pt)
{
    paddr_t t = frame_alloc(1, PAGE_SIZE);
    if (t)
        pt->tables++;
    return t;
}

/* Replace a block at 'level' by a table of the next level mapping the same memory. */
static int split_block(struct pgtable *pt, uint64_t *entry, unsigned level)
{
    const struct pt_format *f = pt->fmt;
    paddr_t t = table_alloc(pt);
    if (!t)
        return -ENOMEM;
    paddr_t pa = f->pte_addr(*entry);
    unsigned prot = f->pte_prot(*entry);
    uint64_t step = pt_level_size(f, level + 1);
    uint64_t *child = table_ptr(t);
    for (unsigned i = 0; i < level_entries(f, level + 1); i++)
        child[i] = f->pte_leaf(pa + i * step, level + 1, is_last(f, level + 1), prot);
    __atomic_store_n(entry, f->pte_table(t), __ATOMIC_RELEASE);
    return 0;
}

static void free_subtree(struct pgtable *pt, paddr_t table, unsigned level)
{
    const struct pt_format *f = pt->fmt;
    uint64_t *t = table_ptr(table);
    if (!is_last(f, level)) {
        for (unsigned i = 0; i < level_entries(f, level); i++)
            if (f->pte_valid(t[i]) && f->pte_is_table(t[i], level, false))
                free_subtree(pt, f->pte_addr(t[i]), level + 1);
    }
    frame_free(table, 1);
    pt->tables--;
}

/*
 * Map [va, end) to pa onwards ('map'), or unmap it, within the table at 'level'. Largest blocks
 * first; blocks that straddle the range are split.
 */
static int walk_set(struct pgtable *pt, paddr_t table, unsigned level, uint64_t va, uint64_t end,
                    bool map, paddr_t pa, unsigned prot)
{
    const struct pt_format *f = pt->fmt;
    uint64_t *t = table_ptr(table);
    uint64_t size = pt_level_size(f, level);
    bool last = is_last(f, level);

    while (va < end) {
        uint64_t entry_end = ALIGN_DOWN(va, size) + size;
        uint64_t chunk_end = (end < entry_end || entry_end == 0) ? end : entry_end;
        uint64_t *e = &t[level_index(f, level, va)];
        bool whole = IS_ALIGNED(va, size) && chunk_end - va == size;
        bool block_ok = last || level >= f->block_min_level;

        if (whole && block_ok && (!map || IS_ALIGNED(pa, size))) {
            /* The entry covers exactly what we are asked for: set or clear it whole. */
            if (f->pte_valid(*e) && f->pte_is_table(*e, level, last))
                free_subtree(pt, f->pte_addr(*e), level + 1);
            __atomic_store_n(e, map ? f->pte_leaf(pa, level, last, prot) : 0, __ATOMIC_RELEASE);
        } else if (!map && !f->pte_valid(*e)) {
            /* Nothing mapped here. */
        } else {
            if (last)
                return -EINVAL; /* only reachable with unaligned arguments */
            if (!f->pte_valid(*e)) {
                paddr_t child = table_alloc(pt);
                if (!child)
                    return -ENOMEM;
                __atomic_store_n(e, f->pte_table(child), __ATOMIC_RELEASE);
            } else if (!f->pte_is_table(*e, level, last)) {
                int err = split_block(pt, e, level);
                if (err)
                    return err;
            }
            int err = walk_set(pt, f->pte_addr(*e), level + 1, va, chunk_end, map, pa, prot);
            if (err)
                return err;
        }
        pa += chunk_end - va;
        va = chunk_end;
    }
    return 0;
}

int pt_map(struct pgtable *pt, uint64_t va, paddr_t pa, uint64_t size, unsigned prot)
{
    if (!IS_ALIGNED(va | pa | size, PAGE_SIZE) || size == 0)
        return -EINVAL;
    return walk_set(pt, pt->root, 0, va, va + size, true, pa, prot);
}

int pt_unmap(struct pgtable *pt, uint64_t va, uint64_t size)
{
    if (!IS_ALIGNED(va | size, PAGE_SIZE))
        return -EINVAL;
    return walk_set(pt, pt->root, 0, va, va + size, false, 0, 0);
}

bool pt_translate(const struct pgtable *pt, uint64_t va, paddr_t *pa, unsigned *prot)
{
    const struct pt_format *f = pt->fmt;
    paddr_t table = pt->root;
    for (unsigned level = 0; level < f->levels; level++) {
        uint64_t e = table_ptr(table)[level_index(f, level, va)];
        bool last = is_last(f, level);
        if (!f->pte_valid(e))
            return false;
        if (f->pte_is_table(e, level, last)) {
            table = f->pte_addr(e);
            continue;
        }
        uint64_t size = pt_level_size(f, level);
        if (pa)
            *pa = f->pte_addr(e) + (va & (size - 1));
        if (prot)
            *prot = f->pte_prot(e);
        return true;
    }
    return false;
}

static void leaves(const struct pgtable *pt, paddr_t table, unsigned level, uint64_t base,
                   void (*fn)(void *, uint64_t, paddr_t, uint64_t, unsigned), void *ctx)
{
    const struct pt_format *f = pt->fmt;
    const uint64_t *t = table_ptr(table);
    uint64_t size = pt_level_size(f, level);
    bool last = is_last(f, level);
    for (unsigned i = 0; i < level_entries(f, level); i++) {
        if (!f->pte_valid(t[i]))
            continue;
        uint64_t va = base + (uint64_t)i * size;
        if (f->pte_is_table(t[i], level, last))
            leaves(pt, f->pte_addr(t[i]), level + 1, va, fn, ctx);
        else
            fn(ctx, va, f->pte_addr(t[i]), size, f->pte_prot(t[i]));
    }
}

void pt_for_each_leaf(const struct pgtable *pt,
                      void (*fn)(void *ctx, uint64_t va, paddr_t pa, uint64_t size, unsigned prot),
                      void *ctx)
{
    leaves(pt, pt->root, 0, 0, fn, ctx);
}

void pt_destroy(struct pgtable *pt)
{
    const struct pt_format *f = pt->fmt;
    if (!pt->root)
        return;
    uint64_t *t = table_ptr(pt->root);
    for (unsigned i = 0; i < level_entries(f, 0); i++)
        if (f->pte_valid(t[i]) && f->pte_is_table(t[i], 0, is_last(f, 0)))
            free_subtree(pt, f->pte_addr(t[i]), 1);
    unsigned n = root_frames(f);
    frame_free(pt->root, n);
    pt->tables -= n;
    pt->root = 0;
}
