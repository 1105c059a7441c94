/* SPDX-License-Identifier: MIT */
#ifndef BOOT_EFI_EFI_CMDLINE_H
#define BOOT_EFI_EFI_CMDLINE_H

/*
 * The boot arguments of axvm.efi, shared by the UEFI applications of every architecture that
 * has one (boot/aarch64, boot/x86_64). It calls the firmware only through the boot-services
 * table it is given, so it needs neither GNU-EFI's library nor a C library beyond strlen and
 * memmove.
 */

#include <efi.h>
#include <stdbool.h>
#include <stddef.h>

/* The boot arguments: the image's load options when they are text (a boot entry or the UEFI
 * shell), else the file \axvm.cmdline on the volume the image came from (the firmware's default
 * boot of \EFI\BOOT\BOOT<arch>.EFI passes no options), else empty. 'out' holds 'size' bytes
 * and is always terminated. */
void efi_cmdline_read(EFI_BOOT_SERVICES *bs, EFI_LOADED_IMAGE *image, char *out, size_t size);

#endif
