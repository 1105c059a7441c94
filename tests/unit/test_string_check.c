// SPDX-License-Identifier: MIT
/* The string check itself: it passes the host C library and catches each kind of slip. */
#include <axvm/string_check.h>
#include "check.h"

static const struct string_ops host_ops = {memset, memcpy, memmove, memcmp};

TEST(string_check_passes_host_libc)
{
    char why[160];
    unsigned failures = string_check(&host_ops, why, sizeof(why));
    CHECK_EQ(failures, 0);
    CHECK_STR(why, "");
}

/* Forwards whatever the overlap: wrong when the destination is above the source. */
static void *move_forward_only(void *dst, const void *src, size_t n)
{
    volatile unsigned char *d = dst;
    const volatile unsigned char *s = src;
    for (size_t i = 0; i < n; i++)
        d[i] = s[i];
    return dst;
}

/* One byte too many from 16 bytes on. */
static void *set_overrun(void *dst, int c, size_t n)
{
    return memset(dst, c, n >= 16 ? n + 1 : n);
}

/* Drops the last byte of a copy whose size is 7 mod 8. */
static void *copy_short_tail(void *dst, const void *src, size_t n)
{
    return memcpy(dst, src, n % 8 == 7 ? n - 1 : n);
}

/* Compares bytes as signed char. */
static int compare_signed(const void *a, const void *b, size_t n)
{
    const signed char *p = a, *q = b;
    for (size_t i = 0; i < n; i++)
        if (p[i] != q[i])
            return p[i] - q[i];
    return 0;
}

/* Returns the source instead of the destination. */
static void *copy_wrong_return(void *dst, const void *src, size_t n)
{
    memcpy(dst, src, n);
    return (void *)src;
}

TEST(string_check_catches_broken_routines)
{
    char why[160];
    struct string_ops ops = host_ops;
    ops.memmove = move_forward_only;
    CHECK(string_check(&ops, why, sizeof(why)) > 0);
    CHECK(strncmp(why, "memmove ", 8) == 0);

    ops = host_ops;
    ops.memset = set_overrun;
    CHECK(string_check(&ops, why, sizeof(why)) > 0);
    CHECK(strstr(why, "memset dst+0 src+0 n=16: byte 16 is 0x00") == why);

    ops = host_ops;
    ops.memcpy = copy_short_tail;
    CHECK(string_check(&ops, why, sizeof(why)) > 0);
    CHECK(strstr(why, "memcpy dst+0 src+0 n=7: byte 6 is") == why);

    ops = host_ops;
    ops.memcmp = compare_signed;
    CHECK(string_check(&ops, why, sizeof(why)) > 0);
    CHECK(strncmp(why, "memcmp a+0 b+0 n=1: differing at 0 gives 1, want -1", 50) == 0);

    ops = host_ops;
    ops.memcpy = copy_wrong_return;
    CHECK(string_check(&ops, why, sizeof(why)) > 0);
    CHECK(strncmp(why, "memcpy dst+0 src+0 n=0", 22) == 0);
}
