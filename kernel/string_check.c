// SPDX-License-Identifier: MIT
/*
 * The string-routine check (axvm/string_check.h). Expected results are computed from a byte
 * pattern, never by copying: a reference byte loop here could itself be compiled into a call
 * to the routine under test.
 */
#include <axvm/format.h>
#include <axvm/string_check.h>

#define REGION    8192 /* one operand per region: the largest size, offsets and guards fit */
#define GUARD     32   /* bytes on each side of a destination that must keep their value */
#define SMALL_MAX 130  /* every size up to this one */

/* Sizes around the 256-byte block-zeroing threshold, cache-block multiples and pages. */
static const size_t big_sizes[] = {255,  256,  257,  319,  320,  383,  384,  511,  512, 513,
                                   1023, 1024, 1025, 2047, 2048, 2049, 4095, 4096, 4097};
#define SIZE_COUNT (SMALL_MAX + 1 + ARRAY_SIZE(big_sizes))

static uint8_t buf[2 * REGION] __attribute__((aligned(4096)));

struct result {
    unsigned failures;
    char *why;
    size_t why_size;
};

static size_t size_at(unsigned k)
{
    return k <= SMALL_MAX ? k : big_sizes[k - SMALL_MAX - 1];
}

/* Neighbouring bytes differ, and so do the patterns of two seeds. */
static uint8_t pattern(size_t i, unsigned seed)
{
    return (uint8_t)((i * 131u + seed * 29u + 7u) ^ (i >> 8));
}

static void fill(size_t lo, size_t hi, unsigned seed)
{
    for (size_t i = lo; i < hi; i++)
        buf[i] = pattern(i, seed);
}

static void fail(struct result *r, const char *fmt, const char *op, size_t d, size_t s, size_t n,
                 size_t at, unsigned got, unsigned want)
{
    if (r->failures++ == 0)
        format_snprintf(r->why, r->why_size, fmt, op, d, s, n, at, got, want);
}

#define BYTE_FAIL "%s dst+%zu src+%zu n=%zu: byte %zu is 0x%02x, want 0x%02x"

/* Compare buf[lo, hi) with what is expected: inside [d, d + n) the source pattern as it was
 * at s (seed 'src_seed'), elsewhere the destination's own pattern. */
static void verify(struct result *r, const char *op, size_t lo, size_t hi, size_t d, size_t s,
                   size_t n, unsigned src_seed, unsigned dst_seed, size_t d_off, size_t s_off)
{
    for (size_t i = lo; i < hi; i++) {
        uint8_t want = i >= d && i < d + n ? pattern(s + (i - d), src_seed) : pattern(i, dst_seed);
        if (buf[i] != want) {
            fail(r, BYTE_FAIL, op, d_off, s_off, n, i - d, buf[i], want);
            return;
        }
    }
}

static void check_copy(struct result *r, const char *op,
                       void *(*copy)(void *, const void *, size_t), size_t d_off, size_t s_off,
                       size_t n, unsigned seed)
{
    size_t s = s_off, d = REGION + GUARD + d_off;
    fill(s, s + n, seed);
    fill(d - GUARD, d + n + GUARD, seed + 1);
    if (copy(&buf[d], &buf[s], n) != &buf[d])
        fail(r, BYTE_FAIL, op, d_off, s_off, n, 0, 0, 0);
    verify(r, op, d - GUARD, d + n + GUARD, d, s, n, seed, seed + 1, d_off, s_off);
}

/* memmove within one region: destination 'delta' bytes from the source, either way. The
 * failure names the absolute offsets. */
static void check_overlap(struct result *r, void *(*move)(void *, const void *, size_t),
                          size_t s_off, long delta, size_t n, unsigned seed)
{
    size_t s = 4 * GUARD + s_off, d = (size_t)((long)s + delta);
    size_t lo = (s < d ? s : d) - GUARD, hi = (s > d ? s : d) + n + GUARD;
    fill(lo, hi, seed);
    if (move(&buf[d], &buf[s], n) != &buf[d])
        fail(r, BYTE_FAIL, "memmove", d, s, n, 0, 0, 0);
    verify(r, "memmove", lo, hi, d, s, n, seed, seed, d, s);
}

static void check_set(struct result *r, void *(*set)(void *, int, size_t), size_t d_off, size_t n,
                      int c, unsigned seed)
{
    size_t d = REGION + GUARD + d_off;
    fill(d - GUARD, d + n + GUARD, seed);
    if (set(&buf[d], c, n) != &buf[d])
        fail(r, BYTE_FAIL, "memset", d_off, 0, n, 0, 0, 0);
    for (size_t i = d - GUARD; i < d + n + GUARD; i++) {
        uint8_t want = i >= d && i < d + n ? (uint8_t)c : pattern(i, seed);
        if (buf[i] != want) {
            fail(r, BYTE_FAIL, "memset", d_off, (size_t)(c & 0xff), n, i - d, buf[i], want);
            return;
        }
    }
}

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

/* Equal for n bytes (the bytes after them differ), then one byte differing at each of a few
 * places, with a later difference of the other sign that must not count. */
static void check_compare(struct result *r, int (*cmp)(const void *, const void *, size_t),
                          size_t a_off, size_t b_off, size_t n, unsigned seed)
{
    static const char *const fmt = "%s a+%zu b+%zu n=%zu: differing at %zu gives %d, want %d";
    size_t a = GUARD + a_off, b = REGION + GUARD + b_off;
    for (size_t i = 0; i < n + 1; i++)
        buf[a + i] = buf[b + i] = pattern(i, seed);
    buf[b + n] ^= 0x80; /* beyond n: must not be compared */
    if (cmp(&buf[a], &buf[b], n) != 0)
        fail(r, fmt, "memcmp", a_off, b_off, n, n, 1, 0);
    size_t places[] = {0, 1, 7, 8, 9, n / 2, n - 2, n - 1};
    for (unsigned p = 0; p < ARRAY_SIZE(places); p++) {
        size_t k = places[p];
        if (k >= n)
            continue;
        for (int want = -1; want <= 1; want += 2) {
            /* 0x7f against 0x80: bytes compare as unsigned char. */
            buf[a + k] = want < 0 ? 0x7f : 0x80;
            buf[b + k] = want < 0 ? 0x80 : 0x7f;
            if (k + 1 < n)
                buf[b + n - 1] = (uint8_t)(buf[a + n - 1] + (want < 0 ? -1 : 1));
            int got = sign(cmp(&buf[a], &buf[b], n));
            if (got != want)
                fail(r, fmt, "memcmp", a_off, b_off, n, k, (unsigned)got, (unsigned)want);
            buf[a + k] = buf[b + k] = pattern(k, seed);
            buf[b + n - 1] = buf[a + n - 1];
        }
    }
}

/* Alignments: all 16 for small sizes; for big ones fewer, but both sides of the 8/16 marks. */
static const size_t few_offsets[] = {0, 1, 7, 8, 15};

unsigned string_check(const struct string_ops *ops, char *why, size_t why_size)
{
    struct result r = {0, why, why_size};
    if (why_size)
        why[0] = '\0';
    unsigned seed = 1;
    for (unsigned k = 0; k < SIZE_COUNT && r.failures == 0; k++) {
        size_t n = size_at(k);
        bool small = n <= SMALL_MAX;
        unsigned src_offsets = small ? 16 : ARRAY_SIZE(few_offsets);
        for (size_t d = 0; d < 16; d++) {
            for (unsigned j = 0; j < src_offsets; j++) {
                size_t s = small ? j : few_offsets[j];
                check_copy(&r, "memcpy", ops->memcpy, d, s, n, seed++);
                check_copy(&r, "memmove", ops->memmove, d, s, n, seed++);
            }
        }
        for (unsigned i = 0; i < ARRAY_SIZE(few_offsets); i++)
            for (unsigned j = 0; j < (small ? ARRAY_SIZE(few_offsets) : 2); j++)
                check_compare(&r, ops->memcmp, few_offsets[i], few_offsets[j], n, seed++);
        /* memset: every offset within a 64-byte cache block and past it. */
        for (size_t d = 0; d < 80; d++) {
            check_set(&r, ops->memset, d, n, 0, seed++);
            if (small || d < 16)
                check_set(&r, ops->memset, d, n, 0x1a5, seed++); /* only the low byte counts */
        }
        long reach = small ? 20 : 17;
        for (unsigned j = 0; j < ARRAY_SIZE(few_offsets); j++) {
            for (long delta = -reach; delta <= reach; delta++)
                check_overlap(&r, ops->memmove, few_offsets[j], delta, n, seed++);
            check_overlap(&r, ops->memmove, few_offsets[j], 67, n, seed++);
            check_overlap(&r, ops->memmove, few_offsets[j], -67, n, seed++);
        }
    }
    return r.failures;
}
