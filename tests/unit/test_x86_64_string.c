// SPDX-License-Identifier: MIT
/* The x86_64 hypervisor's string routines, built for the host and checked (REP MOVS/STOS are
 * the host's own instructions when the tests run on x86_64). */
#include <axvm/string_check.h>
#include "check.h"

#if defined(__x86_64__)
#define memcpy  x86_memcpy
#define memmove x86_memmove
#define memset  x86_memset
#define memcmp  x86_memcmp
#define memchr  x86_memchr
#define strlen  x86_strlen
#define strnlen x86_strnlen
#define strcmp  x86_strcmp
#define strncmp x86_strncmp
#define strchr  x86_strchr
#define strrchr x86_strrchr
#define strncpy x86_strncpy
#include "x86_64/libc/string.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef memchr
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strrchr
#undef strncpy

TEST(x86_64_string_routines)
{
    static const struct string_ops ops = {x86_memset, x86_memcpy, x86_memmove, x86_memcmp};
    char why[160];
    CHECK_EQ(string_check(&ops, why, sizeof(why)), 0);
    CHECK_STR(why, "");
}
#endif
