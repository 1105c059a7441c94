// SPDX-License-Identifier: MIT
/* The last memory map and the way out of boot services. */
#include "efi_boot.h"

/* Descriptors of room beyond what the map needs now: allocating the buffer adds some. */
#define MAP_SLACK 16
/* ExitBootServices fails while the map keeps changing under us (firmware events): retries. */
#define EXIT_TRIES 8

EFI_STATUS efi_exit_boot_services(EFI_HANDLE image, void *fdt, int *fdt_err)
{
    UINTN size = 0, key, desc_size;
    UINT32 desc_version;
    EFI_STATUS s = BS->GetMemoryMap(&size, NULL, &key, &desc_size, &desc_version);
    if (s != EFI_BUFFER_TOO_SMALL)
        return s;
    UINTN capacity = size + MAP_SLACK * desc_size;
    void *map;
    s = BS->AllocatePool(EfiLoaderData, capacity, &map);
    if (EFI_ERROR(s))
        return s;
    for (int i = 0; i < EXIT_TRIES; i++) {
        size = capacity;
        s = BS->GetMemoryMap(&size, map, &key, &desc_size, &desc_version);
        if (EFI_ERROR(s))
            return s;
        /* Only the memory map calls may come between GetMemoryMap and ExitBootServices; the
         * device tree edit calls nothing. */
        *fdt_err = efi_fdt_set_memory(fdt, map, size, desc_size);
        if (*fdt_err)
            return EFI_LOAD_ERROR;
        s = BS->ExitBootServices(image, key);
        if (s != EFI_INVALID_PARAMETER)
            return s;
    }
    return s;
}
