/* SPDX-License-Identifier: MIT */
#ifndef X86_64_BZIMAGE_MODEL_H
#define X86_64_BZIMAGE_MODEL_H

/*
 * The x86 Linux boot protocol (Documentation/arch/x86/boot.rst), the part a loader that starts
 * the kernel at its 32-bit entry needs: the bzImage's setup header, and the boot_params "zero
 * page" with the e820 memory map, command line, initrd and ACPI RSDP.
 *
 * The whole bzImage file is loaded so that its protected-mode part (after the real-mode setup
 * sectors) lands at code32_start, 1 MiB (scripts/vmconfig.py computes that load address), and
 * the boot vCPU starts there in the 32-bit state the protocol asks for (arch/x86_64/vcpu.c:
 * flat CS 0x10 / DS 0x18, paging and interrupts off) with ESI = the zero page. The 32-bit entry
 * is the one the hypervisor's reset state already is: no page tables to build in the guest, and
 * the kernel sets up its own long mode as it does behind any BIOS loader.
 *
 * Pure C (also built into the host unit tests, tests/unit/test_bzimage.c).
 */

#include <stddef.h>
#include <stdint.h>

#define BZ_SETUP_HEADER  0x1f1
#define BZ_MIN_VERSION   0x020c /* 2.12: xloadflags, 64-bit fields, acpi_rsdp_addr at 2.14 */
#define BZ_PM_ENTRY      0x100000
#define BOOT_PARAMS_SIZE 4096
#define E820_MAX         128

#define E820_RAM      1
#define E820_RESERVED 2

struct bzimage_info {
    uint16_t version;
    size_t setup_size;  /* bytes before the protected-mode kernel: (setup_sects + 1) * 512 */
    uint32_t init_size; /* memory the kernel needs from its load address while it starts */
    uint32_t initrd_addr_max;
    uint32_t cmdline_max; /* longest command line, without its NUL */
};

/* Check 'img' (the whole file) and read its header; 0, or -1 if it is not a bzImage, -2 if
 * its protocol is older than 2.12. */
int bzimage_parse(const uint8_t *img, size_t len, struct bzimage_info *out);

struct e820_entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
} __attribute__((packed));

struct e820_region {
    uint64_t base, size;
};

/* The e820 map of a guest whose RAM is 'ram' (sorted, disjoint): RAM as given, except that
 * the legacy hole [0xa0000, 0xe0000) is left out and [0xe0000, 0x100000) (the BIOS area,
 * where the ACPI tables are) is reserved. Returns how many entries, at most 'max'. */
unsigned e820_build(const struct e820_region *ram, unsigned count, struct e820_entry *out,
                    unsigned max);

struct boot_params_args {
    uint32_t cmdline_gpa;
    uint32_t initrd_gpa, initrd_size; /* 0 size: no initrd */
    uint64_t rsdp_gpa;
    const struct e820_entry *e820;
    unsigned e820_count;
};

/* Fill the zero page 'zp' (BOOT_PARAMS_SIZE bytes) from the image's setup header and 'a'. */
void boot_params_build(uint8_t *zp, const uint8_t *img, const struct boot_params_args *a);

#endif
