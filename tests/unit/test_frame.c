// SPDX-License-Identifier: MIT
#include <pthread.h>
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

/* Freed frames come back zeroed, not with what their last owner left in them. */
TEST(frame_reuse_is_zeroed)
{
    struct mem_range r = arena(1 << 20);
    frame_init(&r, 1);
    paddr_t a = frame_alloc(3, PAGE_SIZE);
    memset((void *)(uintptr_t)a, 0x5a, 3 * PAGE_SIZE);
    frame_free(a, 3);
    paddr_t b = frame_alloc(2, PAGE_SIZE);
    CHECK_EQ(b, a);
    const uint8_t *p = (const uint8_t *)(uintptr_t)b;
    size_t nonzero = 0;
    for (size_t i = 0; i < 2 * PAGE_SIZE; i++)
        nonzero += p[i] != 0;
    CHECK_EQ(nonzero, 0);
    free((void *)(uintptr_t)r.base);
}

/* A zone whose frame count is not a multiple of the bitmap's words: every frame can be used,
 * none past the end is handed out, and the search finds a hole far beyond the first word. */
TEST(frame_zone_end_and_far_hole)
{
    struct mem_range r = arena(2 << 20);
    r.size = (1 << 20) + 5 * PAGE_SIZE; /* 261 frames, 260 after the bitmap */
    frame_init(&r, 1);
    CHECK_EQ(frame_total_count(), 260);
    paddr_t last = 0;
    for (int i = 0; i < 260; i++) {
        paddr_t p = frame_alloc(1, PAGE_SIZE);
        CHECK(p > last);
        last = p;
    }
    CHECK_EQ(last, r.base + 260 * PAGE_SIZE);
    CHECK_EQ(frame_alloc(1, PAGE_SIZE), 0);
    frame_free(r.base + 200 * PAGE_SIZE, 1);
    CHECK_EQ(frame_alloc(1, PAGE_SIZE), r.base + 200 * PAGE_SIZE);
    free((void *)(uintptr_t)r.base);
}

/* Several pCPUs allocating and freeing at once: no frame is handed to two of them, each comes
 * zeroed although another thread wrote it just before, and every frame comes back. */
#define STRESS_THREADS 4
#define STRESS_ROUNDS  20000
#define STRESS_HELD    8

struct stress {
    unsigned id;
    unsigned errors;
};

static bool frames_hold(paddr_t pa, unsigned count, uint64_t value)
{
    const uint64_t *p = (const uint64_t *)(uintptr_t)pa;
    for (size_t i = 0; i < count * PAGE_SIZE / 8; i++)
        if (p[i] != value)
            return false;
    return true;
}

static void frames_fill(paddr_t pa, unsigned count, uint64_t value)
{
    uint64_t *p = (uint64_t *)(uintptr_t)pa;
    for (size_t i = 0; i < count * PAGE_SIZE / 8; i++)
        p[i] = value;
}

static void *stress_run(void *arg)
{
    struct stress *s = arg;
    struct {
        paddr_t pa;
        unsigned count;
        uint64_t tag;
    } held[STRESS_HELD] = {0};
    uint32_t rnd = s->id * 2654435761u + 1;
    for (unsigned round = 0; round < STRESS_ROUNDS; round++) {
        rnd = rnd * 1103515245u + 12345u;
        unsigned slot = (rnd >> 8) % STRESS_HELD;
        if (held[slot].pa) {
            if (!frames_hold(held[slot].pa, held[slot].count, held[slot].tag))
                s->errors++; /* someone else was given these frames too */
            frame_free(held[slot].pa, held[slot].count);
            held[slot].pa = 0;
            continue;
        }
        unsigned count = 1 + (rnd >> 16) % 4;
        uint64_t align = (rnd >> 20) % 2 ? 4 * PAGE_SIZE : PAGE_SIZE;
        paddr_t pa = frame_alloc(count, align);
        if (!pa)
            continue;
        if (pa % align || !frames_hold(pa, count, 0))
            s->errors++;
        uint64_t tag = ((uint64_t)s->id << 32) | round;
        frames_fill(pa, count, tag);
        held[slot].pa = pa;
        held[slot].count = count;
        held[slot].tag = tag;
    }
    for (unsigned i = 0; i < STRESS_HELD; i++) {
        if (held[i].pa && !frames_hold(held[i].pa, held[i].count, held[i].tag))
            s->errors++;
        if (held[i].pa)
            frame_free(held[i].pa, held[i].count);
    }
    return NULL;
}

TEST(frame_concurrent_alloc_free)
{
    struct mem_range r = arena(1 << 20); /* 255 frames: the threads compete for them */
    frame_init(&r, 1);
    pthread_t t[STRESS_THREADS];
    struct stress s[STRESS_THREADS];
    for (unsigned i = 0; i < STRESS_THREADS; i++) {
        s[i] = (struct stress){i + 1, 0};
        pthread_create(&t[i], NULL, stress_run, &s[i]);
    }
    for (unsigned i = 0; i < STRESS_THREADS; i++) {
        pthread_join(t[i], NULL);
        CHECK_EQ(s[i].errors, 0);
    }
    CHECK_EQ(frame_free_count(), 255);
    free((void *)(uintptr_t)r.base);
}
