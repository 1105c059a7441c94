// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <axvm/frame.h>
#include "check.h"

/* "Physical memory" for the allocator: host memory, since the core assumes an identity map. */
static struct mem_range arena(size_t size)
{
    void *p = aligned_alloc(1 << 20, size);
    memset(p, 0xa5, size); /* so that zeroing on allocation is observable */
    return (struct mem_range){(paddr_t)(uintptr_t)p, size};
}

TEST(frame_counts_exclude_bitmap)
{
    struct mem_range r = arena(4 << 20); /* 1024 frames, bitmap fits in one frame */
    frame_init(&r, 1);
    CHECK_EQ(frame_total_count(), 1023);
    CHECK_EQ(frame_free_count(), 1023);
    free((void *)(uintptr_t)r.base);
}

TEST(frame_alloc_aligned_zeroed_and_free)
{
    struct mem_range r = arena(4 << 20);
    frame_init(&r, 1);
    paddr_t a = frame_alloc(1, PAGE_SIZE);
    CHECK_EQ(a, r.base + PAGE_SIZE); /* first frame after the bitmap */
    paddr_t b = frame_alloc(4, 16 * 1024);
    CHECK(b % (16 * 1024) == 0);
    CHECK(b > a);
    const uint8_t *p = (const uint8_t *)(uintptr_t)b;
    int nonzero = 0;
    for (size_t i = 0; i < 4 * PAGE_SIZE; i++)
        nonzero += p[i] != 0;
    CHECK_EQ(nonzero, 0);
    CHECK_EQ(frame_free_count(), 1023 - 5);
    frame_free(b, 4);
    frame_free(a, 1);
    CHECK_EQ(frame_free_count(), 1023);
    /* Freed frames are handed out again. */
    CHECK_EQ(frame_alloc(1, PAGE_SIZE), a);
    free((void *)(uintptr_t)r.base);
}

TEST(frame_exhaustion_returns_zero)
{
    struct mem_range r = arena(1 << 20); /* 256 frames, 255 usable */
    frame_init(&r, 1);
    CHECK_EQ(frame_alloc(256, PAGE_SIZE), 0);
    paddr_t all = frame_alloc(255, PAGE_SIZE);
    CHECK(all != 0);
    CHECK_EQ(frame_alloc(1, PAGE_SIZE), 0);
    CHECK_EQ(frame_free_count(), 0);
    frame_free(all + 10 * PAGE_SIZE, 1);
    CHECK_EQ(frame_alloc(1, PAGE_SIZE), all + 10 * PAGE_SIZE);
    /* Double free does not inflate the count. */
    frame_free(all, 1);
    frame_free(all, 1);
    CHECK_EQ(frame_free_count(), 1);
    free((void *)(uintptr_t)r.base);
}

TEST(frame_contiguous_run_skips_holes)
{
    struct mem_range r = arena(1 << 20);
    frame_init(&r, 1);
    paddr_t x = frame_alloc(1, PAGE_SIZE);
    paddr_t y = frame_alloc(1, PAGE_SIZE);
    paddr_t z = frame_alloc(1, PAGE_SIZE);
    frame_free(y, 1); /* one-frame hole between x and z */
    paddr_t run = frame_alloc(2, PAGE_SIZE);
    CHECK_EQ(run, z + PAGE_SIZE);
    CHECK_EQ(frame_alloc(1, PAGE_SIZE), y);
    (void)x;
    free((void *)(uintptr_t)r.base);
}

TEST(frame_multiple_zones)
{
    struct mem_range zones[2] = {arena(1 << 20), arena(1 << 20)};
    if (zones[0].base > zones[1].base) {
        struct mem_range t = zones[0];
        zones[0] = zones[1];
        zones[1] = t;
    }
    frame_init(zones, 2);
    CHECK_EQ(frame_total_count(), 510);
    paddr_t big = frame_alloc(200, PAGE_SIZE);
    paddr_t big2 = frame_alloc(200, PAGE_SIZE);
    CHECK(big >= zones[0].base && big < zones[0].base + zones[0].size);
    CHECK(big2 >= zones[1].base && big2 < zones[1].base + zones[1].size);
    free((void *)(uintptr_t)zones[0].base);
    free((void *)(uintptr_t)zones[1].base);
}
