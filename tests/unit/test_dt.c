// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <stdlib.h>
#include <libfdt.h>
#include <axvm/dt.h>
#include "check.h"

static void *load_fixture(const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", FIXTURE_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        check_fail(__FILE__, __LINE__, "cannot open %s", path);
        return NULL;
    }
    void *buf = malloc(1 << 16);
    size_t n = fread(buf, 1, 1 << 16, f);
    fclose(f);
    CHECK(n > 0);
    return buf;
}

TEST(dt_reads_virt_like_tree)
{
    void *fdt = load_fixture("virt-like.dtb");
    if (!fdt)
        return;
    struct boot_info bi = {0};
    CHECK_EQ(dt_read_boot_info(fdt, &bi), 0);

    CHECK_EQ(bi.ram_count, 2);
    CHECK_EQ(bi.ram[0].base, 0x40000000);
    CHECK_EQ(bi.ram[0].size, 0x20000000);
    CHECK_EQ(bi.ram[1].base, 0x100000000ULL);
    CHECK_EQ(bi.ram[1].size, 0x10000000);

    /* /memreserve/, the reserved-memory node, and the DTB itself. */
    CHECK_EQ(bi.reserved_count, 3);
    CHECK_EQ(bi.reserved[0].base, 0x40000000);
    CHECK_EQ(bi.reserved[0].size, 0x10000);
    CHECK_EQ(bi.reserved[1].base, 0x5e000000);
    CHECK_EQ(bi.reserved[2].base, (paddr_t)(uintptr_t)fdt);
    CHECK_EQ(bi.reserved[2].size, fdt_totalsize(fdt));

    CHECK_EQ(bi.cpu_count, 3); /* the disabled one is skipped */
    CHECK_EQ(bi.cpu_hwid[0], 0x0);
    CHECK_EQ(bi.cpu_hwid[1], 0x1);
    CHECK_EQ(bi.cpu_hwid[2], 0x101);
    CHECK(boot_set_boot_cpu(&bi, 0x101));
    CHECK_EQ(bi.boot_cpu, 2);
    CHECK(!boot_set_boot_cpu(&bi, 0x100));

    CHECK_EQ(bi.console.kind, UART_PL011);
    CHECK_EQ(bi.console.base, 0x9000000);
    CHECK_STR(bi.cmdline, "loglevel=3 selftest=frames");
    free(fdt);
}

TEST(dt_console_fallback_and_32bit_cells)
{
    void *fdt = load_fixture("uart-fallback.dtb");
    if (!fdt)
        return;
    struct boot_info bi = {0};
    CHECK_EQ(dt_read_boot_info(fdt, &bi), 0);
    CHECK_EQ(bi.ram_count, 1);
    CHECK_EQ(bi.ram[0].base, 0x80000000);
    CHECK_EQ(bi.ram[0].size, 0x8000000);
    CHECK_EQ(bi.cpu_count, 1);
    CHECK_EQ(bi.cpu_hwid[0], 3);
    CHECK_EQ(bi.console.kind, UART_NS16550);
    CHECK_EQ(bi.console.base, 0x10000000);
    CHECK_EQ(bi.console.reg_shift, 0);
    CHECK_EQ(bi.console.reg_width, 1);
    CHECK_STR(bi.cmdline, "");
    free(fdt);
}

TEST(dt_rejects_garbage)
{
    uint32_t junk[64] = {0x12345678};
    struct boot_info bi = {0};
    CHECK(dt_read_boot_info(junk, &bi) < 0);
    CHECK_EQ(bi.ram_count, 0);
}

TEST(dt_read_cells_big_endian)
{
    const uint8_t cells[8] = {0x00, 0x00, 0x00, 0x01, 0x80, 0x00, 0x00, 0x04};
    CHECK_EQ(dt_read_cells(cells, 1), 1);
    CHECK_EQ(dt_read_cells(cells, 2), 0x180000004ULL);
}
