/* SPDX-License-Identifier: MIT */
#ifndef BOOT_AARCH64_EFI_BOOT_H
#define BOOT_AARCH64_EFI_BOOT_H

/*
 * The AArch64 UEFI application, axvm.efi (boot/aarch64/efi_*.c, GNU-EFI). It carries axvm.bin
 * and starts it as a boot loader starts a Linux Image (Documentation/arch/arm64/booting.rst):
 * at EL2, MMU and caches off, the image cleaned to the point of coherency, x0 = the device
 * tree. axvm.bin is linked to run at one address, so it is copied there rather than run where
 * UEFI loaded the application. Only these files see the UEFI API.
 */

#include <efi.h>
#include <efilib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "efi_cmdline.h"

/* The /chosen property that tells axvm which UEFI firmware started it (arch/aarch64/boot.c). */
#define EFI_FDT_LOADER_PROP "axvm,loader"

/* axvm.bin inside the application (efi_payload.S), and the address it is linked at. */
extern const uint8_t efi_payload[], efi_payload_end[];
extern const uint64_t efi_payload_link_addr;

/*
 * Copy the firmware's device tree 'fdt' into 'buf' (room for the memory node added later) and
 * set /chosen: bootargs (when 'cmdline' is not empty) and EFI_FDT_LOADER_PROP = 'loader'.
 * Returns 0 or a libfdt error.
 */
int efi_fdt_prepare(void *buf, size_t size, const void *fdt, const char *cmdline,
                    const char *loader);

/*
 * Describe RAM in 'fdt' as the UEFI memory map does once boot services are gone: every
 * /memory node is replaced by one whose reg lists the write-back ranges of the types the OS may
 * use (loader, boot services, conventional). Calls no UEFI service. Returns 0 or a libfdt error
 * (-FDT_ERR_NOSPACE also when there are more than EFI_FDT_MAX_RANGES ranges).
 */
#define EFI_FDT_MAX_RANGES 64
int efi_fdt_set_memory(void *fdt, const void *map, UINTN map_size, UINTN desc_size);

/*
 * Take the final memory map, write it into 'fdt' (efi_fdt_set_memory) and leave boot services,
 * retrying while the map changes in between, as the specification allows. A device tree that
 * cannot take the map sets '*fdt_err' and returns EFI_LOAD_ERROR with boot services still up;
 * any other failure may leave them half gone, so the caller must not print after it.
 */
EFI_STATUS efi_exit_boot_services(EFI_HANDLE image, void *fdt, int *fdt_err);

/* efi_enter.S: clean and invalidate [start, start + size) to the point of coherency. */
void efi_dcache_clean_poc(const void *start, size_t size);

/* efi_enter.S: timers off, MMU and caches off at EL2, then jump to 'entry' with x0 = 'fdt'
 * and x1-x3 zero. Its own code lies between efi_enter_image and efi_enter_image_end, which the
 * caller cleans to the point of coherency first. */
extern const char efi_enter_image_end[];
__attribute__((noreturn)) void efi_enter_image(uint64_t entry, const void *fdt);

#endif
