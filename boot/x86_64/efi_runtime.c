// SPDX-License-Identifier: MIT
/*
 * UEFI runtime services after ExitBootServices. axvm never calls SetVirtualAddressMap: the
 * services run at their physical addresses, which the identity map covers.
 */
#include <arch/power.h>
#include "efi_boot.h"

static EFI_RUNTIME_SERVICES *efi_rt;

void efi_runtime_init(EFI_RUNTIME_SERVICES *rt)
{
    efi_rt = rt;
}

void efi_reset_shutdown(void)
{
    if (efi_rt)
        efi_rt->ResetSystem(EfiResetShutdown, EFI_SUCCESS, 0, NULL);
}
