/* SPDX-License-Identifier: MIT */
#ifndef ARCH_POWER_H
#define ARCH_POWER_H

#include <arch/acpi.h>

/* Remember how to power off: ACPI S5 through the PM1 control registers, if the tables say. */
void power_init(const struct acpi_info *acpi);

/* Provided by boot/x86_64 (UEFI runtime services): ResetSystem(EfiResetShutdown). Returns
 * only if the firmware did not power off. */
void efi_reset_shutdown(void);

#endif
