// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <axvm/format.h>
#include "check.h"

/* Compare our formatter with the host C library on the same inputs. */
#define SAME(...)                                                                                  \
    do {                                                                                           \
        char ours[128], libc[128];                                                                 \
        int n1 = format_snprintf(ours, sizeof(ours), __VA_ARGS__);                                 \
        int n2 = snprintf(libc, sizeof(libc), __VA_ARGS__);                                        \
        CHECK_STR(ours, libc);                                                                     \
        CHECK_EQ(n1, n2);                                                                          \
    } while (0)

TEST(format_integers)
{
    SAME("%d %i %u", 0, -42, 4000000000u);
    SAME("%x %X %o", 0xdeadbeefu, 0xabcu, 8u);
    SAME("%lld %llu %llx", -9223372036854775807LL - 1, 18446744073709551615ULL,
         0x123456789abcdef0ULL);
    SAME("%ld %lx %zu %zx", -1L, 0xffffffffffUL, (size_t)12345, (size_t)0x10);
    SAME("%hhd %hhu %hd %hu", 300, 300, 70000, 70000);
}

TEST(format_width_precision_flags)
{
    SAME("[%5d] [%-5d] [%05d] [%+d] [% d]", 42, 42, 42, 42, 42);
    SAME("[%016llx] [%#x] [%#o] [%#X]", 0xbeefULL, 255u, 8u, 0u);
    SAME("[%.3d] [%8.3d] [%-8.3d] [%.0d]", 7, 7, -7, 0);
    SAME("[%*d] [%-*d] [%.*d]", 6, 1, 6, 1, 4, 1);
    SAME("[%05d] [%-6d]", -12, -12);
}

TEST(format_strings_chars)
{
    SAME("[%s] [%10s] [%-10s] [%.2s]", "abc", "abc", "abc", "abc");
    SAME("[%c%c] [%3c] %%", 'o', 'k', 'x');
    char buf[32];
    const char *volatile null_string = NULL;
    format_snprintf(buf, sizeof(buf), "%s", null_string);
    CHECK_STR(buf, "(null)");
}

TEST(format_pointer)
{
    char buf[32];
    format_snprintf(buf, sizeof(buf), "%p", (void *)0x1234);
    CHECK_STR(buf, "0x1234");
}

TEST(format_truncation)
{
    char buf[8];
    int n = format_snprintf(buf, sizeof(buf), "%s-%d", "hello", 12345);
    CHECK_EQ(n, 11);
    CHECK_STR(buf, "hello-1");
    n = format_snprintf(buf, 1, "abc");
    CHECK_EQ(n, 3);
    CHECK_STR(buf, "");
    /* size 0 writes nothing at all */
    buf[0] = 'Z';
    n = format_snprintf(buf, 0, "abc");
    CHECK_EQ(n, 3);
    CHECK_EQ(buf[0], 'Z');
}

TEST(format_unknown_conversion_is_visible)
{
    char buf[16];
    /* Through variables: the compiler would reject these formats as literals. */
    const char *volatile unknown = "a%qb", *volatile trailing = "end%";
    format_snprintf(buf, sizeof(buf), unknown);
    CHECK_STR(buf, "a%qb");
    format_snprintf(buf, sizeof(buf), trailing);
    CHECK_STR(buf, "end");
}
