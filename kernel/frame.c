// SPDX-License-Identifier: MIT
#include <string.h>
#include <axvm/frame.h>
#include <axvm/spinlock.h>

/* One zone per free range. A set bit means the frame is in use. */
struct zone {
    paddr_t base;
    uint64_t frames;
    uint64_t *bitmap;
};

static struct zone zones[FRAME_MAX_ZONES];
static unsigned zone_count;
/* Changed under frame_lock; frames_free is also read without it (frame_free_count), so its
 * changes are atomic stores. */
static uint64_t frames_free, frames_total;
static spinlock_t frame_lock = SPINLOCK_INIT;

static bool bit_test(const struct zone *z, uint64_t i)
{
    return z->bitmap[i / 64] & (1ULL << (i % 64));
}

static void bits_set(struct zone *z, uint64_t first, uint64_t n, bool used)
{
    for (uint64_t i = first; i < first + n; i++) {
        if (used)
            z->bitmap[i / 64] |= 1ULL << (i % 64);
        else
            z->bitmap[i / 64] &= ~(1ULL << (i % 64));
    }
}

void frame_init(const struct mem_range *free, unsigned count)
{
    zone_count = 0;
    frames_free = frames_total = 0;
    for (unsigned i = 0; i < count && zone_count < FRAME_MAX_ZONES; i++) {
        uint64_t frames = free[i].size >> PAGE_SHIFT;
        uint64_t bitmap_bytes = ALIGN_UP(frames, 64) / 8;
        uint64_t bitmap_frames = ALIGN_UP(bitmap_bytes, PAGE_SIZE) >> PAGE_SHIFT;
        if (frames <= bitmap_frames)
            continue;
        struct zone *z = &zones[zone_count++];
        z->base = free[i].base;
        z->frames = frames;
        z->bitmap = phys_to_ptr(free[i].base);
        memset(z->bitmap, 0, bitmap_bytes);
        bits_set(z, 0, bitmap_frames, true);
        frames_total += frames - bitmap_frames;
        frames_free += frames - bitmap_frames;
    }
}

/* First index >= 'from' whose address is 'align'-aligned. */
static uint64_t zone_aligned_index(const struct zone *z, uint64_t from, uint64_t align)
{
    paddr_t pa = z->base + (from << PAGE_SHIFT);
    return (ALIGN_UP(pa, align) - z->base) >> PAGE_SHIFT;
}

static bool zone_find(const struct zone *z, unsigned count, uint64_t align, uint64_t *found)
{
    uint64_t i = zone_aligned_index(z, 0, align);
    while (i + count <= z->frames) {
        uint64_t j = 0;
        while (j < count && !bit_test(z, i + j))
            j++;
        if (j == count) {
            *found = i;
            return true;
        }
        /* Frame i+j is taken: no run through it can work, restart after it. */
        i = zone_aligned_index(z, i + j + 1, align);
    }
    return false;
}

paddr_t frame_alloc(unsigned count, uint64_t align)
{
    if (count == 0)
        return 0;
    if (align < PAGE_SIZE)
        align = PAGE_SIZE;
    unsigned long flags = spin_lock_irqsave(&frame_lock);
    for (unsigned zi = 0; zi < zone_count; zi++) {
        struct zone *z = &zones[zi];
        uint64_t idx;
        if (zone_find(z, count, align, &idx)) {
            bits_set(z, idx, count, true);
            __atomic_store_n(&frames_free, frames_free - count, __ATOMIC_RELAXED);
            spin_unlock_irqrestore(&frame_lock, flags);
            paddr_t pa = z->base + (idx << PAGE_SHIFT);
            memset(phys_to_ptr(pa), 0, (size_t)count << PAGE_SHIFT);
            return pa;
        }
    }
    spin_unlock_irqrestore(&frame_lock, flags);
    return 0;
}

void frame_free(paddr_t base, unsigned count)
{
    unsigned long flags = spin_lock_irqsave(&frame_lock);
    for (unsigned zi = 0; zi < zone_count; zi++) {
        struct zone *z = &zones[zi];
        if (base >= z->base && base < z->base + (z->frames << PAGE_SHIFT)) {
            uint64_t idx = (base - z->base) >> PAGE_SHIFT;
            for (uint64_t i = idx; i < idx + count && i < z->frames; i++) {
                if (bit_test(z, i)) {
                    bits_set(z, i, 1, false);
                    __atomic_store_n(&frames_free, frames_free + 1, __ATOMIC_RELAXED);
                }
            }
            break;
        }
    }
    spin_unlock_irqrestore(&frame_lock, flags);
}

uint64_t frame_free_count(void)
{
    return __atomic_load_n(&frames_free, __ATOMIC_RELAXED);
}

uint64_t frame_total_count(void)
{
    return frames_total;
}
