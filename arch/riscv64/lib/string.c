// SPDX-License-Identifier: MIT
/*
 * memset, memcpy, memmove and memcmp for the hypervisor, replacing picolibc's byte loops
 * (under QEMU TCG a store per byte: zeroing a 256 MiB VM took seconds).
 *
 * rv64imac has no vector unit and the hypervisor must not use the FPU, so the widest access is
 * an 8-byte integer one, always naturally aligned: misaligned accesses may trap to firmware
 * that emulates them a byte at a time (the Privileged spec leaves them to the platform). When
 * source and destination share their alignment within 8 bytes, both are aligned with a few
 * bytes and the rest moves in doublewords, four per loop; otherwise it moves in bytes (the
 * hypervisor's big copies, guest images into guest RAM, are aligned).
 *
 * arch.mk builds this file with -fno-builtin -fno-tree-loop-distribute-patterns: GCC must not
 * turn these loops back into calls to themselves. The host unit tests compile it too
 * (tests/unit/test_riscv64_string.c).
 */
#include <stdint.h>
#include <string.h>

/* Accesses through this type may alias anything the caller's objects are. */
typedef uint64_t __attribute__((may_alias)) word_t;

#define WORD  sizeof(word_t)
#define ONES  0x0101010101010101ULL
#define BLOCK (4 * WORD)

static int misaligned(uintptr_t a)
{
    return (int)(a & (WORD - 1));
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    unsigned char b = (unsigned char)c;
    for (; n && misaligned((uintptr_t)d); n--)
        *d++ = b;
    word_t *w = (word_t *)d;
    uint64_t v = b * ONES;
    for (; n >= BLOCK; n -= BLOCK, w += 4) {
        w[0] = v;
        w[1] = v;
        w[2] = v;
        w[3] = v;
    }
    for (; n >= WORD; n -= WORD)
        *w++ = v;
    for (d = (unsigned char *)w; n; n--)
        *d++ = b;
    return dst;
}

/* Copy upwards: right for any destination below the source, or apart from it. */
static void copy_forward(unsigned char *d, const unsigned char *s, size_t n)
{
    if (misaligned((uintptr_t)d) == misaligned((uintptr_t)s)) {
        for (; n && misaligned((uintptr_t)d); n--)
            *d++ = *s++;
        word_t *wd = (word_t *)d;
        const word_t *ws = (const word_t *)s;
        for (; n >= BLOCK; n -= BLOCK, wd += 4, ws += 4) {
            uint64_t a = ws[0], b = ws[1], c = ws[2], e = ws[3];
            wd[0] = a;
            wd[1] = b;
            wd[2] = c;
            wd[3] = e;
        }
        for (; n >= WORD; n -= WORD)
            *wd++ = *ws++;
        d = (unsigned char *)wd;
        s = (const unsigned char *)ws;
    }
    for (; n; n--)
        *d++ = *s++;
}

/* Copy downwards from the ends: right for a destination above an overlapping source. */
static void copy_backward(unsigned char *d, const unsigned char *s, size_t n)
{
    d += n;
    s += n;
    if (misaligned((uintptr_t)d) == misaligned((uintptr_t)s)) {
        for (; n && misaligned((uintptr_t)d); n--)
            *--d = *--s;
        word_t *wd = (word_t *)d;
        const word_t *ws = (const word_t *)s;
        for (; n >= BLOCK; n -= BLOCK) {
            wd -= 4;
            ws -= 4;
            uint64_t a = ws[3], b = ws[2], c = ws[1], e = ws[0];
            wd[3] = a;
            wd[2] = b;
            wd[1] = c;
            wd[0] = e;
        }
        for (; n >= WORD; n -= WORD)
            *--wd = *--ws;
        d = (unsigned char *)wd;
        s = (const unsigned char *)ws;
    }
    for (; n; n--)
        *--d = *--s;
}

void *memmove(void *dst, const void *src, size_t n)
{
    uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src;
    if (d - s >= n) /* destination below the source (wraps) or past its end */
        copy_forward(dst, src, n);
    else if (d != s)
        copy_backward(dst, src, n);
    return dst;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    copy_forward(dst, src, n);
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;
    if (misaligned((uintptr_t)p) == misaligned((uintptr_t)q)) {
        for (; n && misaligned((uintptr_t)p); n--, p++, q++)
            if (*p != *q)
                return *p - *q;
        const word_t *wp = (const word_t *)p, *wq = (const word_t *)q;
        for (; n >= WORD && *wp == *wq; n -= WORD)
            wp++, wq++;
        p = (const unsigned char *)wp;
        q = (const unsigned char *)wq;
    }
    for (; n; n--, p++, q++)
        if (*p != *q)
            return *p - *q;
    return 0;
}
