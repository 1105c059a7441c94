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

/* "reg" of the node at 'path', entry 'index', as a CPU address: 0 or the libfdt error. */
static int reg_at(const void *fdt, const char *path, unsigned index, paddr_t *base, uint64_t *size)
{
    int node = fdt_path_offset(fdt, path);
    CHECK(node >= 0);
    return node < 0 ? node : dt_node_reg(fdt, node, index, base, size);
}

TEST(dt_reg_is_translated_through_every_ranges)
{
    void *fdt = load_fixture("ranges.dtb");
    if (!fdt)
        return;
    paddr_t base = 0;
    uint64_t size = 0;
    CHECK_EQ(reg_at(fdt, "/soc/uart@7e201000", 0, &base, &size), 0);
    CHECK_EQ(base, 0x4fe201000ULL);
    CHECK_EQ(size, 0x200);
    /* The second window of the same bus, and a second reg entry. */
    CHECK_EQ(reg_at(fdt, "/soc/irq@40041000", 1, &base, &size), 0);
    CHECK_EQ(base, 0xff842000);
    CHECK_EQ(size, 0x2000);
    /* Two levels: 2-cell inner bus -> 1-cell soc -> 2-cell root. */
    CHECK_EQ(reg_at(fdt, "/soc/inner/dev@1,40", 0, &base, &size), 0);
    CHECK_EQ(base, 0x4fe300040ULL);
    CHECK_EQ(size, 0x100);
    /* Outside every window of its bus, and under a bus with no ranges: not reachable. */
    CHECK_EQ(reg_at(fdt, "/soc/inner/past@1,100000", 0, &base, &size), -FDT_ERR_NOTFOUND);
    CHECK_EQ(reg_at(fdt, "/noranges/dev@1000", 0, &base, &size), -FDT_ERR_NOTFOUND);
    /* An empty ranges maps one to one. */
    CHECK_EQ(reg_at(fdt, "/flat/dev@2000", 0, &base, &size), 0);
    CHECK_EQ(base, 0x2000);
    /* The raw entry is what the node says. */
    uint64_t raw;
    CHECK_EQ(dt_node_reg_raw(fdt, fdt_path_offset(fdt, "/soc/uart@7e201000"), 0, &raw, &size), 0);
    CHECK_EQ(raw, 0x7e201000);
    free(fdt);
}

/*
 * The Raspberry Pi 4 Model B's own device tree, built from linux-source by
 * scripts/boarddtb.sh, with /memory filled in as the Pi's firmware does before it starts the
 * kernel (the source leaves reg = <0 0 0>): a 4 GiB board, RAM below the VideoCore's share
 * and from 1 GiB to the peripherals.
 */
static void *pi4_tree_as_firmware_leaves_it(void)
{
    void *src = load_fixture("bcm2711-rpi-4-b.dtb");
    if (!src)
        return NULL;
    void *fdt = malloc(1 << 16);
    CHECK_EQ(fdt_open_into(src, fdt, 1 << 16), 0);
    free(src);
    const fdt32_t mem[] = {cpu_to_fdt32(0), cpu_to_fdt32(0),          cpu_to_fdt32(0x3b400000),
                           cpu_to_fdt32(0), cpu_to_fdt32(0x40000000), cpu_to_fdt32(0xbc000000)};
    CHECK_EQ(fdt_setprop(fdt, fdt_path_offset(fdt, "/memory@0"), "reg", mem, sizeof(mem)), 0);
    return fdt;
}

TEST(dt_discovers_the_raspberry_pi_4)
{
    void *fdt = pi4_tree_as_firmware_leaves_it();
    if (!fdt)
        return;
    struct boot_info bi = {0};
    CHECK_EQ(dt_read_boot_info(fdt, &bi), 0);

    CHECK_EQ(bi.ram_count, 2);
    CHECK_EQ(bi.ram[0].base, 0);
    CHECK_EQ(bi.ram[0].size, 0x3b400000);
    CHECK_EQ(bi.ram[1].base, 0x40000000);
    CHECK_EQ(bi.ram[1].size, 0xbc000000);
    /* /memreserve/ of the spin table's page; the disabled nvram node reserves nothing. */
    CHECK_EQ(bi.reserved[0].base, 0);
    CHECK_EQ(bi.reserved[0].size, 0x1000);
    CHECK_EQ(bi.reserved_count, 2);

    /* Four Cortex-A72s, each spinning on its own release address (no PSCI without TF-A). */
    CHECK_EQ(bi.cpu_count, 4);
    static const uint64_t release[] = {0xd8, 0xe0, 0xe8, 0xf0};
    for (unsigned i = 0; i < 4; i++) {
        CHECK_EQ(bi.cpu_hwid[i], i);
        CHECK_EQ(bi.cpu_start[i], CPU_START_SPIN_TABLE);
        CHECK_EQ(bi.cpu_release_addr[i], release[i]);
    }
    CHECK_STR(bi.psci_method, "");

    /* stdout-path = "serial1:115200n8": the alias to the mini-UART, 0x7e215040 on the VPU's
     * bus, at 0xfe215040 for the CPU through /soc's ranges. */
    CHECK_EQ(bi.console.kind, UART_BCM2835_AUX);
    CHECK_EQ(bi.console.base, 0xfe215040);
    CHECK_EQ(bi.console.reg_shift, 2);
    CHECK_EQ(bi.console.reg_width, 4);
    CHECK_EQ(bi.console_irq_cells, 3);
    CHECK_EQ(bi.console_irq[0], 0);    /* SPI */
    CHECK_EQ(bi.console_irq[1], 0x5d); /* 93: INTID 125 */

    /* The GIC-400 behind /soc's third window (0x40000000 -> 0xff800000): GICD, GICC, and the
     * virtualization extensions' GICH and GICV. */
    CHECK(dt_compatible_in(bi.intc.compatible, bi.intc.compatible_len, "arm,gic-400"));
    CHECK_EQ(bi.intc.reg_count, 4);
    static const struct mem_range gic[] = {
        {0xff841000, 0x1000}, {0xff842000, 0x2000}, {0xff844000, 0x2000}, {0xff846000, 0x2000}};
    for (unsigned i = 0; i < 4; i++) {
        CHECK_EQ(bi.intc.reg[i].base, gic[i].base);
        CHECK_EQ(bi.intc.reg[i].size, gic[i].size);
    }
    free(fdt);
}

TEST(dt_reads_psci_cpus_and_the_gicv3_of_qemu_virt)
{
    void *fdt = load_fixture("virt-like.dtb");
    if (!fdt)
        return;
    struct boot_info bi = {0};
    CHECK_EQ(dt_read_boot_info(fdt, &bi), 0);
    for (unsigned i = 0; i < bi.cpu_count; i++)
        CHECK_EQ(bi.cpu_start[i], CPU_START_PSCI);
    CHECK_STR(bi.psci_method, "smc");
    CHECK(dt_compatible_in(bi.intc.compatible, bi.intc.compatible_len, "arm,gic-v3"));
    CHECK(!dt_compatible_in(bi.intc.compatible, bi.intc.compatible_len, "arm,gic-400"));
    CHECK_EQ(bi.intc.reg_count, 2);
    CHECK_EQ(bi.intc.reg[0].base, 0x8000000);
    CHECK_EQ(bi.intc.reg[1].base, 0x80a0000);
    free(fdt);
}
