// SPDX-License-Identifier: MIT
/*
 * The frame allocator (axvm/frame.h). One lock covers the zones' bitmaps and the counts, so
 * every pCPU may allocate and free at once; the free count is also read without it (stored and
 * loaded atomically).
 *
 * Zeroing: a frame handed out by frame_alloc is always zeroed first, whatever it held (another
 * VM's memory, the hypervisor's data, firmware leftovers: nothing is known clean);
 * frame_alloc_unzeroed leaves that to its caller (guest RAM, zeroed on first touch by
 * aspace.c). It happens after the lock is
 * dropped, so a pCPU zeroing a 2 MiB block holds up no other, and with the architecture's
 * memset (arch/<arch>/lib: DC ZVA on AArch64, doublewords on RISC-V, REP STOSQ on x86) rather
 * than a byte loop.
 */
#include <string.h>
#include <axvm/frame.h>
#include <axvm/spinlock.h>

#define WORD_BITS 64
#define ALL_USED  (~0ULL)

/* One zone per free range. A set bit means the frame is in use. */
struct zone {
    paddr_t base;
    uint64_t frames;
    uint64_t *bitmap;
};

static struct zone zones[FRAME_MAX_ZONES];
static unsigned zone_count;
static uint64_t frames_free, frames_total; /* written under frame_lock, read atomically */
static spinlock_t frame_lock = SPINLOCK_INIT;

static bool bit_test(const struct zone *z, uint64_t i)
{
    return z->bitmap[i / WORD_BITS] & (1ULL << (i % WORD_BITS));
}

/* Mask of bits [lo, hi) within one word, 0 <= lo < hi <= 64. */
static uint64_t word_mask(unsigned lo, unsigned hi)
{
    uint64_t upto_hi = hi == WORD_BITS ? ALL_USED : (1ULL << hi) - 1;
    return upto_hi & ~((1ULL << lo) - 1);
}

/* Mark [first, first + n) used or free, a word at a time. */
static void bits_set(struct zone *z, uint64_t first, uint64_t n, bool used)
{
    uint64_t i = first, end = first + n;
    while (i < end) {
        unsigned lo = i % WORD_BITS;
        uint64_t left = end - i;
        unsigned hi = left >= WORD_BITS - lo ? WORD_BITS : lo + (unsigned)left;
        uint64_t m = word_mask(lo, hi);
        if (used)
            z->bitmap[i / WORD_BITS] |= m;
        else
            z->bitmap[i / WORD_BITS] &= ~m;
        i += hi - lo;
    }
}

static void count_store(uint64_t *count, uint64_t value)
{
    __atomic_store_n(count, value, __ATOMIC_RELAXED);
}

void frame_init(const struct mem_range *free, unsigned count)
{
    unsigned long flags = spin_lock_irqsave(&frame_lock);
    uint64_t total = 0;
    zone_count = 0;
    for (unsigned i = 0; i < count && zone_count < FRAME_MAX_ZONES; i++) {
        uint64_t frames = free[i].size >> PAGE_SHIFT;
        uint64_t bitmap_bytes = ALIGN_UP(frames, WORD_BITS) / 8;
        uint64_t bitmap_frames = ALIGN_UP(bitmap_bytes, PAGE_SIZE) >> PAGE_SHIFT;
        if (frames <= bitmap_frames)
            continue;
        struct zone *z = &zones[zone_count++];
        z->base = free[i].base;
        z->frames = frames;
        z->bitmap = phys_to_ptr(free[i].base);
        memset(z->bitmap, 0, bitmap_bytes);
        /* The bitmap's own frames, and the bits past the zone's end, are never free. */
        bits_set(z, 0, bitmap_frames, true);
        if (frames % WORD_BITS)
            bits_set(z, frames, WORD_BITS - frames % WORD_BITS, true);
        total += frames - bitmap_frames;
    }
    count_store(&frames_total, total);
    count_store(&frames_free, total);
    spin_unlock_irqrestore(&frame_lock, flags);
}

/* First index >= 'from' whose address is 'align'-aligned. */
static uint64_t zone_aligned_index(const struct zone *z, uint64_t from, uint64_t align)
{
    paddr_t pa = z->base + (from << PAGE_SHIFT);
    return (ALIGN_UP(pa, align) - z->base) >> PAGE_SHIFT;
}

/* First free frame at or after 'i' (z->frames if none): whole words of used frames at once,
 * so a search past the VMs' memory does not test every bit of it. */
static uint64_t zone_next_free(const struct zone *z, uint64_t i)
{
    while (i < z->frames) {
        unsigned bit = i % WORD_BITS;
        /* The frames below i in its word count as used. */
        uint64_t word = z->bitmap[i / WORD_BITS] | (bit ? word_mask(0, bit) : 0);
        if (word != ALL_USED)
            return i - bit + (uint64_t)__builtin_ctzll(~word); /* bits past the end are set */
        i += WORD_BITS - bit;
    }
    return z->frames;
}

static bool zone_find(const struct zone *z, unsigned count, uint64_t align, uint64_t *found)
{
    uint64_t i = zone_aligned_index(z, zone_next_free(z, 0), align);
    while (i + count <= z->frames) {
        uint64_t j = 0;
        while (j < count && !bit_test(z, i + j))
            j++;
        if (j == count) {
            *found = i;
            return true;
        }
        /* Frame i+j is taken: no run through it can work, restart at the next free one. */
        i = zone_aligned_index(z, zone_next_free(z, i + j + 1), align);
    }
    return false;
}

paddr_t frame_alloc_unzeroed(unsigned count, uint64_t align)
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
            count_store(&frames_free, frames_free - count);
            spin_unlock_irqrestore(&frame_lock, flags);
            return z->base + (idx << PAGE_SHIFT);
        }
    }
    spin_unlock_irqrestore(&frame_lock, flags);
    return 0;
}

paddr_t frame_alloc(unsigned count, uint64_t align)
{
    paddr_t pa = frame_alloc_unzeroed(count, align);
    /* Ours alone now: zeroed without holding up other pCPUs. */
    if (pa)
        memset(phys_to_ptr(pa), 0, (size_t)count << PAGE_SHIFT);
    return pa;
}

void frame_free(paddr_t base, unsigned count)
{
    unsigned long flags = spin_lock_irqsave(&frame_lock);
    for (unsigned zi = 0; zi < zone_count; zi++) {
        struct zone *z = &zones[zi];
        if (base >= z->base && base < z->base + (z->frames << PAGE_SHIFT)) {
            uint64_t idx = (base - z->base) >> PAGE_SHIFT, freed = 0;
            for (uint64_t i = idx; i < idx + count && i < z->frames; i++) {
                if (bit_test(z, i)) {
                    bits_set(z, i, 1, false);
                    freed++;
                }
            }
            count_store(&frames_free, frames_free + freed);
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
    return __atomic_load_n(&frames_total, __ATOMIC_RELAXED);
}
