// SPDX-License-Identifier: MIT
/* The bzImage header and the zero page (bzimage_model.h; Documentation/arch/x86/boot.rst and
 * zero-page.rst). */
#include <string.h>
#include "bzimage_model.h"

/* Offsets in the file's first sectors, which are also the zero page's offsets of the header. */
#define HDR_SETUP_SECTS     0x1f1
#define HDR_BOOT_FLAG       0x1fe
#define HDR_JUMP            0x200 /* its second byte: the header's length past 0x202 */
#define HDR_MAGIC           0x202
#define HDR_VERSION         0x206
#define HDR_TYPE_OF_LOADER  0x210
#define HDR_LOADFLAGS       0x211
#define HDR_RAMDISK_IMAGE   0x218
#define HDR_RAMDISK_SIZE    0x21c
#define HDR_CMD_LINE_PTR    0x228
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_CMDLINE_SIZE    0x238
#define HDR_INIT_SIZE       0x260

/* boot_params fields outside the header. */
#define BP_ACPI_RSDP_ADDR 0x070
#define BP_E820_ENTRIES   0x1e8
#define BP_E820_TABLE     0x2d0

#define LOADER_UNDEFINED 0xff
#define LOADED_HIGH      0x01

#define LEGACY_HOLE 0xa0000ull
#define BIOS_AREA   0xe0000ull
#define ONE_MIB     0x100000ull

static uint16_t get16(const uint8_t *p, size_t off)
{
    uint16_t v;
    memcpy(&v, p + off, sizeof(v));
    return v;
}

static uint32_t get32(const uint8_t *p, size_t off)
{
    uint32_t v;
    memcpy(&v, p + off, sizeof(v));
    return v;
}

static void put32(uint8_t *p, size_t off, uint32_t v)
{
    memcpy(p + off, &v, sizeof(v));
}

int bzimage_parse(const uint8_t *img, size_t len, struct bzimage_info *out)
{
    if (len < 0x1000 || get16(img, HDR_BOOT_FLAG) != 0xaa55 ||
        memcmp(img + HDR_MAGIC, "HdrS", 4) != 0)
        return -1;
    out->version = get16(img, HDR_VERSION);
    if (out->version < BZ_MIN_VERSION)
        return -2;
    unsigned sects = img[HDR_SETUP_SECTS] ? img[HDR_SETUP_SECTS] : 4;
    out->setup_size = (size_t)(sects + 1) * 512;
    if (out->setup_size >= len || !(img[HDR_LOADFLAGS] & LOADED_HIGH))
        return -1;
    out->init_size = get32(img, HDR_INIT_SIZE);
    out->initrd_addr_max = get32(img, HDR_INITRD_ADDR_MAX);
    out->cmdline_max = get32(img, HDR_CMDLINE_SIZE);
    return 0;
}

static unsigned e820_add(struct e820_entry *out, unsigned n, unsigned max, uint64_t base,
                         uint64_t end, uint32_t type)
{
    if (end <= base || n >= max)
        return n;
    out[n] = (struct e820_entry){base, end - base, type};
    return n + 1;
}

unsigned e820_build(const struct e820_region *ram, unsigned count, struct e820_entry *out,
                    unsigned max)
{
    unsigned n = 0;
    for (unsigned i = 0; i < count; i++) {
        uint64_t b = ram[i].base, e = ram[i].base + ram[i].size;
        n = e820_add(out, n, max, b, e < LEGACY_HOLE ? e : LEGACY_HOLE, E820_RAM);
        n = e820_add(out, n, max, b > BIOS_AREA ? b : BIOS_AREA, e < ONE_MIB ? e : ONE_MIB,
                     E820_RESERVED);
        n = e820_add(out, n, max, b > ONE_MIB ? b : ONE_MIB, e, E820_RAM);
    }
    return n;
}

void boot_params_build(uint8_t *zp, const uint8_t *img, const struct boot_params_args *a)
{
    memset(zp, 0, BOOT_PARAMS_SIZE);
    /* The header runs from 0x1f1 to the end its jump instruction gives (boot.rst, "Details of
     * header fields"): copy it whole, then fill in what the loader owns. */
    size_t end = HDR_MAGIC + img[HDR_JUMP + 1];
    if (end > BP_E820_TABLE)
        end = BP_E820_TABLE; /* no header is that long: do not let one reach the e820 table */
    memcpy(zp + HDR_SETUP_SECTS, img + HDR_SETUP_SECTS, end - HDR_SETUP_SECTS);
    zp[HDR_TYPE_OF_LOADER] = LOADER_UNDEFINED;
    put32(zp, HDR_CMD_LINE_PTR, a->cmdline_gpa);
    put32(zp, HDR_RAMDISK_IMAGE, a->initrd_size ? a->initrd_gpa : 0);
    put32(zp, HDR_RAMDISK_SIZE, a->initrd_size);
    memcpy(zp + BP_ACPI_RSDP_ADDR, &a->rsdp_gpa, sizeof(a->rsdp_gpa));
    unsigned n = a->e820_count < E820_MAX ? a->e820_count : E820_MAX;
    zp[BP_E820_ENTRIES] = (uint8_t)n;
    memcpy(zp + BP_E820_TABLE, a->e820, n * sizeof(struct e820_entry));
}
