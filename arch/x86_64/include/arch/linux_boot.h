/* SPDX-License-Identifier: MIT */
#ifndef ARCH_LINUX_BOOT_H
#define ARCH_LINUX_BOOT_H

/* Direct boot of a Linux bzImage (arch/x86_64/linux_boot.c). */

#include <axvm/types.h>

struct vm;

/* If the VM's image is a bzImage: write its zero page, command line and ACPI tables into guest
 * memory (after the image and initrd are loaded). 0 for any other image; -1 with the reason
 * logged if the config cannot boot Linux. */
int linux_boot_setup(struct vm *vm);

/* True if the VM boots Linux, with the zero page's guest-physical address for ESI. */
bool linux_boot_params(const struct vm *vm, uint64_t *gpa);

#endif
