// SPDX-License-Identifier: MIT
/* The stage-2 engine on the host's fake format (host_arch.c): 3 levels, 1 GiB / 2 MiB / 4 KiB. */
#include <stdlib.h>
#include <axvm/frame.h>
#include <axvm/pgtable.h>
#include "check.h"

extern const struct pt_format host_s2_format;

static struct mem_range arena;

static void setup(void)
{
    size_t size = 8 << 20;
    void *p = aligned_alloc(1 << 20, size);
    arena = (struct mem_range){(paddr_t)(uintptr_t)p, size};
    frame_init(&arena, 1);
}

static void teardown(void)
{
    free((void *)(uintptr_t)arena.base);
}

struct leaf_log {
    unsigned n;
    uint64_t va[8], size[8];
};

static void log_leaf(void *ctx, uint64_t va, paddr_t pa, uint64_t size, unsigned prot)
{
    struct leaf_log *l = ctx;
    if (l->n < 8) {
        l->va[l->n] = va;
        l->size[l->n] = size;
    }
    l->n++;
}

TEST(pgtable_uses_largest_blocks)
{
    setup();
    struct pgtable pt;
    CHECK_EQ(pt_init(&pt, &host_s2_format), 0);
    CHECK_EQ(pt.tables, 4); /* 2048-entry root = 4 frames */
    uint64_t before = frame_free_count();
    /* 1 GiB + 2 MiB + 4 KiB, all aligned: one block of each size. */
    CHECK_EQ(pt_map(&pt, 0x40000000, 0x80000000, GiB(1), PT_RWX), 0);
    CHECK_EQ(pt_map(&pt, 0x80000000, 0x1200000, MiB(2), PT_READ), 0);
    CHECK_EQ(pt_map(&pt, 0x80200000, 0x5000, PAGE_SIZE, PT_READ | PT_WRITE), 0);
    struct leaf_log l = {0};
    pt_for_each_leaf(&pt, log_leaf, &l);
    CHECK_EQ(l.n, 3);
    CHECK_EQ(l.size[0], GiB(1));
    CHECK_EQ(l.size[1], MiB(2));
    CHECK_EQ(l.size[2], PAGE_SIZE);
    /* One level-2 table for the 2 MiB block's GiB, one level-3 table for the page. */
    CHECK_EQ(pt.tables, 6);
    CHECK_EQ(before - frame_free_count(), 2);

    paddr_t pa;
    unsigned prot;
    CHECK(pt_translate(&pt, 0x40123456, &pa, &prot));
    CHECK_EQ(pa, 0x80123456);
    CHECK_EQ(prot, PT_RWX);
    CHECK(pt_translate(&pt, 0x801fffff, &pa, &prot));
    CHECK_EQ(pa, 0x13fffff);
    CHECK_EQ(prot, PT_READ);
    CHECK(pt_translate(&pt, 0x80200010, &pa, NULL));
    CHECK_EQ(pa, 0x5010);
    CHECK(!pt_translate(&pt, 0x80201000, &pa, NULL));
    CHECK(!pt_translate(&pt, 0x3fffffff, &pa, NULL));
    pt_destroy(&pt);
    CHECK_EQ(pt.tables, 0);
    CHECK_EQ(frame_free_count(), frame_total_count());
    teardown();
}

TEST(pgtable_unaligned_physical_falls_back_to_pages)
{
    setup();
    struct pgtable pt;
    pt_init(&pt, &host_s2_format);
    /* va is 2 MiB aligned but pa is not: 512 pages, not a block. */
    CHECK_EQ(pt_map(&pt, 0x200000, 0x1000, MiB(2), PT_RWX), 0);
    struct leaf_log l = {0};
    pt_for_each_leaf(&pt, log_leaf, &l);
    CHECK_EQ(l.n, 512);
    paddr_t pa;
    CHECK(pt_translate(&pt, 0x3ff000, &pa, NULL));
    CHECK_EQ(pa, 0x200000);
    pt_destroy(&pt);
    teardown();
}

TEST(pgtable_unmap_splits_blocks)
{
    setup();
    struct pgtable pt;
    pt_init(&pt, &host_s2_format);
    CHECK_EQ(pt_map(&pt, 0, 0x40000000, GiB(1), PT_RWX), 0);
    /* Punch one page out of the middle of the 1 GiB block. */
    CHECK_EQ(pt_unmap(&pt, 0x12345000, PAGE_SIZE), 0);
    paddr_t pa;
    CHECK(!pt_translate(&pt, 0x12345000, &pa, NULL));
    CHECK(pt_translate(&pt, 0x12344fff, &pa, NULL));
    CHECK_EQ(pa, 0x52344fff);
    CHECK(pt_translate(&pt, 0x12346000, &pa, NULL));
    CHECK_EQ(pa, 0x52346000);
    CHECK(pt_translate(&pt, 0x3fffffff, &pa, NULL));
    CHECK_EQ(pa, 0x7fffffff);
    struct leaf_log l = {0};
    pt_for_each_leaf(&pt, log_leaf, &l);
    /* 511 2 MiB blocks + 511 pages. */
    CHECK_EQ(l.n, 511 + 511);
    /* Unmapping what is not mapped is fine. */
    CHECK_EQ(pt_unmap(&pt, GiB(5), MiB(4)), 0);
    CHECK_EQ(pt_unmap(&pt, 0, GiB(1)), 0);
    l.n = 0;
    pt_for_each_leaf(&pt, log_leaf, &l);
    CHECK_EQ(l.n, 0);
    CHECK_EQ(pt.tables, 4); /* the split tables went with the unmap */
    pt_destroy(&pt);
    CHECK_EQ(frame_free_count(), frame_total_count());
    teardown();
}

TEST(pgtable_rejects_unaligned_arguments)
{
    setup();
    struct pgtable pt;
    pt_init(&pt, &host_s2_format);
    CHECK(pt_map(&pt, 0x1001, 0x2000, PAGE_SIZE, PT_RWX) < 0);
    CHECK(pt_map(&pt, 0x1000, 0x2000, 100, PT_RWX) < 0);
    CHECK(pt_map(&pt, 0x1000, 0x2000, 0, PT_RWX) < 0);
    pt_destroy(&pt);
    teardown();
}

TEST(pgtable_remap_replaces)
{
    setup();
    struct pgtable pt;
    pt_init(&pt, &host_s2_format);
    CHECK_EQ(pt_map(&pt, 0x0, 0x100000, MiB(2), PT_READ), 0);
    CHECK_EQ(pt_map(&pt, 0x1000, 0x900000, PAGE_SIZE, PT_RWX), 0);
    paddr_t pa;
    unsigned prot;
    CHECK(pt_translate(&pt, 0x1004, &pa, &prot));
    CHECK_EQ(pa, 0x900004);
    CHECK_EQ(prot, PT_RWX);
    CHECK(pt_translate(&pt, 0x2000, &pa, &prot));
    CHECK_EQ(pa, 0x102000);
    CHECK_EQ(prot, PT_READ);
    pt_destroy(&pt);
    teardown();
}
