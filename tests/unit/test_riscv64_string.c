// SPDX-License-Identifier: MIT
/* The riscv64 hypervisor's string routines (plain C), built for the host and checked. */
#include <axvm/string_check.h>
#include "check.h"

/* As arch.mk builds it: no loop may become a call to the host's memset or memcpy. */
#pragma GCC optimize("no-tree-loop-distribute-patterns")
#define memset  rv64_memset
#define memcpy  rv64_memcpy
#define memmove rv64_memmove
#define memcmp  rv64_memcmp
#include "riscv64/lib/string.c"
#undef memset
#undef memcpy
#undef memmove
#undef memcmp

TEST(riscv64_string_routines)
{
    static const struct string_ops ops = {rv64_memset, rv64_memcpy, rv64_memmove, rv64_memcmp};
    char why[160];
    CHECK_EQ(string_check(&ops, why, sizeof(why)), 0);
    CHECK_STR(why, "");
}
