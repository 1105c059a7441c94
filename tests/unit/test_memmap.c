// SPDX-License-Identifier: MIT
#include <axvm/memmap.h>
#include "check.h"

TEST(memmap_subtracts_reserved_ranges)
{
    struct mem_range ram[] = {{0x40000000, 0x40000000}};
    struct mem_range res[] = {
        {0x40200000, 0x30000},  /* the image */
        {0x48000000, 0x100000}, /* the device tree */
        {0x40000000, 0x1000},   /* at the very start */
    };
    struct mem_range out[8];
    unsigned dropped = 99;
    unsigned n = memmap_free_ranges(ram, 1, res, 3, 0x1000, out, 8, &dropped);
    CHECK_EQ(n, 3);
    CHECK_EQ(dropped, 0);
    CHECK_EQ(out[0].base, 0x40001000);
    CHECK_EQ(out[0].size, 0x40200000 - 0x40001000);
    CHECK_EQ(out[1].base, 0x40230000);
    CHECK_EQ(out[1].size, 0x48000000 - 0x40230000);
    CHECK_EQ(out[2].base, 0x48100000);
    CHECK_EQ(out[2].base + out[2].size, 0x80000000);
}

TEST(memmap_aligns_inward_and_drops_slivers)
{
    struct mem_range ram[] = {{0x1000, 0x10000}, {0x100800, 0x800}};
    struct mem_range res[] = {{0x2100, 0x10}};
    struct mem_range out[8];
    unsigned n = memmap_free_ranges(ram, 2, res, 1, 0x1000, out, 8, NULL);
    /* [0x1000,0x2000) and [0x3000,0x11000); the 2 KiB range has no whole page. */
    CHECK_EQ(n, 2);
    CHECK_EQ(out[0].base, 0x1000);
    CHECK_EQ(out[0].size, 0x1000);
    CHECK_EQ(out[1].base, 0x3000);
    CHECK_EQ(out[1].size, 0xe000);
}

TEST(memmap_overlapping_and_unsorted_reservations)
{
    struct mem_range ram[] = {{0x100000, 0x100000}, {0x0, 0x10000}};
    struct mem_range res[] = {{0x180000, 0x10000}, {0x170000, 0x18000}, {0x0, 0x20000000}};
    struct mem_range out[8];
    unsigned n = memmap_free_ranges(ram, 2, res, 3, 0x1000, out, 8, NULL);
    CHECK_EQ(n, 0); /* everything is covered by the last reservation */

    struct mem_range res2[] = {{0x180000, 0x10000}, {0x170000, 0x18000}};
    n = memmap_free_ranges(ram, 2, res2, 2, 0x1000, out, 8, NULL);
    CHECK_EQ(n, 3);
    CHECK_EQ(out[0].base, 0x0); /* sorted by base although RAM was not */
    CHECK_EQ(out[1].base, 0x100000);
    CHECK_EQ(out[1].size, 0x70000);
    CHECK_EQ(out[2].base, 0x190000);
    CHECK_EQ(memmap_total(out, n), 0x10000 + 0x70000 + 0x70000);
}

TEST(memmap_reports_dropped_ranges)
{
    struct mem_range ram[] = {{0x0, 0x10000}};
    struct mem_range res[] = {{0x1000, 0x1000}, {0x3000, 0x1000}, {0x5000, 0x1000}};
    struct mem_range out[2];
    unsigned dropped = 0;
    unsigned n = memmap_free_ranges(ram, 1, res, 3, 0x1000, out, 2, &dropped);
    CHECK_EQ(n, 2);
    CHECK_EQ(dropped, 2);
}
