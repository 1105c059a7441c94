/* SPDX-License-Identifier: MIT */
#ifndef BOOT_X86_64_EFI_BOOT_H
#define BOOT_X86_64_EFI_BOOT_H

/* The UEFI application's parts (boot/x86_64/efi_*.c): only these files see the UEFI API. */

#include <efi.h>
#include <axvm/boot.h>
#include <arch/setup.h>
#include "efi_cmdline.h"

extern EFI_SYSTEM_TABLE *efi_st;

static inline EFI_BOOT_SERVICES *efi_bs(void)
{
    return efi_st->BootServices;
}

/* Print ASCII text on the firmware console (boot services only). */
void efi_print(const char *text);

/* The end of the highest range in the memory map, 0 if the map cannot be read. */
uint64_t efi_memmap_top(void);

/*
 * Take the final memory map, leave boot services (retrying while the map changes under us),
 * mask interrupts, and describe memory in 'bi' (RAM, runtime regions as reserved) and 'h'
 * (write-back ranges). On failure boot services may already be gone: nothing may be printed.
 */
EFI_STATUS efi_exit_boot_services(EFI_HANDLE image, struct boot_info *bi, struct setup_handoff *h);

/* Keep the runtime-services table for efi_reset_shutdown() after ExitBootServices. */
void efi_runtime_init(EFI_RUNTIME_SERVICES *rt);

#endif
