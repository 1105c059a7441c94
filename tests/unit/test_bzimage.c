// SPDX-License-Identifier: MIT
/* The x86 Linux boot protocol pieces (arch/x86_64/bzimage_model.c): the setup header, the e820
 * map and the zero page. */
#include <string.h>
#include "check.h"
#include "x86_64/bzimage_model.h"

static uint8_t img[0x4000];
static uint8_t zp[BOOT_PARAMS_SIZE];

static void put16(uint8_t *p, size_t off, uint16_t v)
{
    memcpy(p + off, &v, 2);
}

static void put32(uint8_t *p, size_t off, uint32_t v)
{
    memcpy(p + off, &v, 4);
}

static uint32_t get32(const uint8_t *p, size_t off)
{
    uint32_t v;
    memcpy(&v, p + off, 4);
    return v;
}

/* A bzImage header as Linux 6.12 writes it: 27 setup sectors, protocol 2.15. */
static void fake_image(uint16_t version)
{
    memset(img, 0, sizeof(img));
    img[0x1f1] = 27;
    put16(img, 0x1fe, 0xaa55);
    img[0x200] = 0xeb;
    img[0x201] = 0x6a; /* header ends at 0x26c */
    memcpy(img + 0x202, "HdrS", 4);
    put16(img, 0x206, version);
    img[0x211] = 0x01; /* LOADED_HIGH */
    put32(img, 0x214, 0x100000);
    put32(img, 0x22c, 0x7fffffff);
    put32(img, 0x238, 2047);
    put32(img, 0x260, 0x1234000);
    img[0x26b] = 0x5a; /* last byte of the header */
    img[0x26c] = 0xa5; /* first byte after it */
}

TEST(bzimage_header)
{
    struct bzimage_info bi;
    fake_image(0x020f);
    CHECK_EQ(bzimage_parse(img, sizeof(img), &bi), 0);
    CHECK_EQ(bi.version, 0x020f);
    CHECK_EQ(bi.setup_size, 28 * 512);
    CHECK_EQ(bi.init_size, 0x1234000);
    CHECK_EQ(bi.initrd_addr_max, 0x7fffffff);
    CHECK_EQ(bi.cmdline_max, 2047);
    fake_image(0x020b);
    CHECK_EQ(bzimage_parse(img, sizeof(img), &bi), -2);
    fake_image(0x020f);
    img[0x202] = 'X';
    CHECK_EQ(bzimage_parse(img, sizeof(img), &bi), -1);
    fake_image(0x020f);
    CHECK_EQ(bzimage_parse(img, 0x800, &bi), -1); /* shorter than its setup */
    /* setup_sects 0 means 4. */
    fake_image(0x020f);
    img[0x1f1] = 0;
    CHECK_EQ(bzimage_parse(img, sizeof(img), &bi), 0);
    CHECK_EQ(bi.setup_size, 5 * 512);
}

TEST(e820_from_regions)
{
    const struct e820_region ram[] = {{0, 256 << 20}, {0x40000000, 16 << 20}};
    struct e820_entry e[8];
    unsigned n = e820_build(ram, 2, e, 8);
    CHECK_EQ(n, 4);
    CHECK_EQ(e[0].addr, 0);
    CHECK_EQ(e[0].size, 0xa0000);
    CHECK_EQ(e[0].type, E820_RAM);
    CHECK_EQ(e[1].addr, 0xe0000);
    CHECK_EQ(e[1].size, 0x20000);
    CHECK_EQ(e[1].type, E820_RESERVED);
    CHECK_EQ(e[2].addr, 0x100000);
    CHECK_EQ(e[2].size, (256 << 20) - 0x100000);
    CHECK_EQ(e[2].type, E820_RAM);
    CHECK_EQ(e[3].addr, 0x40000000);
    CHECK_EQ(e[3].size, 16 << 20);
    CHECK_EQ(e[3].type, E820_RAM);
    /* A region inside the first megabyte: only what is outside the hole and BIOS area. */
    const struct e820_region low[] = {{0x80000, 0x70000}};
    n = e820_build(low, 1, e, 8);
    CHECK_EQ(n, 2);
    CHECK_EQ(e[0].addr, 0x80000);
    CHECK_EQ(e[0].size, 0x20000);
    CHECK_EQ(e[1].addr, 0xe0000);
    CHECK_EQ(e[1].size, 0x10000);
    /* The table never overflows. */
    CHECK_EQ(e820_build(ram, 2, e, 3), 3);
    CHECK_EQ(sizeof(struct e820_entry), 20);
}

TEST(boot_params_zero_page)
{
    fake_image(0x020f);
    struct e820_entry e[2] = {{0, 0xa0000, E820_RAM}, {0x100000, 0xf00000, E820_RAM}};
    struct boot_params_args a = {
        .cmdline_gpa = 0x8000,
        .initrd_gpa = 0xe000000,
        .initrd_size = 0x123456,
        .rsdp_gpa = 0xe0000,
        .e820 = e,
        .e820_count = 2,
    };
    memset(zp, 0xcc, sizeof(zp));
    boot_params_build(zp, img, &a);
    CHECK_EQ(zp[0], 0);
    CHECK_EQ(zp[0x1f1], 27);
    CHECK_EQ(zp[0x26b], 0x5a);
    CHECK_EQ(zp[0x26c], 0); /* only the header is copied */
    CHECK_EQ(get32(zp, 0x202), get32(img, 0x202));
    CHECK_EQ(zp[0x210], 0xff); /* type_of_loader: undefined */
    CHECK_EQ(get32(zp, 0x228), 0x8000);
    CHECK_EQ(get32(zp, 0x218), 0xe000000);
    CHECK_EQ(get32(zp, 0x21c), 0x123456);
    CHECK_EQ(get32(zp, 0x70), 0xe0000);
    CHECK_EQ(get32(zp, 0x74), 0);
    CHECK_EQ(zp[0x1e8], 2);
    CHECK_EQ(get32(zp, 0x2d0 + 20 + 0), 0x100000);
    CHECK_EQ(get32(zp, 0x2d0 + 20 + 8), 0xf00000);
    CHECK_EQ(get32(zp, 0x2d0 + 20 + 16), E820_RAM);
    /* No initrd: ramdisk_image stays 0. */
    a.initrd_size = 0;
    boot_params_build(zp, img, &a);
    CHECK_EQ(get32(zp, 0x218), 0);
}
