// SPDX-License-Identifier: MIT
/*
 * The string functions the hypervisor and libfdt call. memcpy/memset/memmove use the string
 * instructions, eight bytes per step (REP MOVSQ/STOSQ) and the last few bytes with MOVSB/STOSB:
 * QEMU TCG runs each step of a REP string instruction as its own loop iteration, so the byte
 * forms cost one iteration per byte (zeroing a 256 MiB VM took seconds); on hardware with fast
 * strings both forms are fast. Written in assembly, GCC cannot turn them back into calls to
 * themselves (which it may do with a plain loop). The direction flag is clear on entry
 * (System V ABI, and UEFI's) and on return.
 */
#include <stdint.h>
#include <string.h>

/* An unaligned 8-byte load that may alias anything. */
typedef uint64_t __attribute__((may_alias, aligned(1))) uword_t;

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    void *d = dst;
    size_t words = n / 8, bytes = n % 8;
    __asm__ volatile("rep movsq\n\t"
                     "mov %3, %%rcx\n\t"
                     "rep movsb"
                     : "+D"(d), "+S"(src), "+c"(words)
                     : "r"(bytes)
                     : "memory");
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    if ((uintptr_t)dst - (uintptr_t)src >= n)
        return memcpy(dst, src, n); /* no overlap, or dst below src: copy forwards */
    if (dst == src)
        return dst;
    /* dst overlaps the end of src: copy backwards with the direction flag set, first the
     * top n % 8 bytes, then whole words, each starting 7 bytes below the next byte to move. */
    void *d = (char *)dst + n - 1;
    const void *s = (const char *)src + n - 1;
    size_t bytes = n % 8, words = n / 8;
    __asm__ volatile("std\n\t"
                     "rep movsb\n\t"
                     "sub $7, %%rdi\n\t"
                     "sub $7, %%rsi\n\t"
                     "mov %3, %%rcx\n\t"
                     "rep movsq\n\t"
                     "cld"
                     : "+D"(d), "+S"(s), "+c"(bytes)
                     : "r"(words)
                     : "memory");
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    void *d = dst;
    uint64_t v = (uint8_t)c * 0x0101010101010101ULL;
    size_t words = n / 8, bytes = n % 8;
    __asm__ volatile("rep stosq\n\t"
                     "mov %3, %%rcx\n\t"
                     "rep stosb"
                     : "+D"(d), "+c"(words)
                     : "a"(v), "r"(bytes)
                     : "memory");
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;
    for (; n >= 8 && *(const uword_t *)p == *(const uword_t *)q; n -= 8)
        p += 8, q += 8;
    for (size_t i = 0; i < n; i++)
        if (p[i] != q[i])
            return p[i] - q[i];
    return 0;
}

void *memchr(const void *s, int c, size_t n)
{
    const unsigned char *p = s;
    for (size_t i = 0; i < n; i++)
        if (p[i] == (unsigned char)c)
            return (void *)(p + i);
    return NULL;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i] || !a[i])
            return (unsigned char)a[i] - (unsigned char)b[i];
    }
    return 0;
}

char *strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (!*s)
            return NULL;
    }
}

char *strrchr(const char *s, int c)
{
    const char *last = NULL;
    for (;; s++) {
        if (*s == (char)c)
            last = s;
        if (!*s)
            return (char *)last;
    }
}

char *strncpy(char *restrict dst, const char *restrict src, size_t n)
{
    size_t i = 0;
    for (; i < n && src[i]; i++)
        dst[i] = src[i];
    for (; i < n; i++)
        dst[i] = '\0';
    return dst;
}
