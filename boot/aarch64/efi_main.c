// SPDX-License-Identifier: MIT
/*
 * axvm.efi on AArch64: UEFI firmware (AAVMF, a board's EDK II or U-Boot's UEFI) starts it here
 * through GNU-EFI's crt0, which has applied the application's own relocations. It checks what
 * axvm needs from the firmware (EL2, a device tree), puts axvm.bin where it is linked to run,
 * hands the device tree over with the UEFI memory map in it, leaves boot services and enters
 * axvm.bin as the Image path does (boot/aarch64/head.S).
 */
#include <string.h>
#include <libfdt.h>
#include "efi_boot.h"

/* The arm64 Image header fields checked here (Documentation/arch/arm64/booting.rst). */
#define IMAGE_MAGIC_OFFSET 56
#define IMAGE_SIZE_OFFSET  16
#define IMAGE_MAGIC        0x644d5241 /* "ARM\x64" */
/* Room added to the firmware's device tree for /chosen and the memory node. */
#define FDT_SLACK (64 * 1024)
#define EFI_PAGE  4096

static unsigned current_el(void)
{
    uint64_t el;
    __asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
    return (el >> 2) & 3;
}

/* GNU-EFI's formatting into a C string (%a: a C string, %s: a UEFI string). */
static void ascii_format(char *out, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    AsciiVSPrint((CHAR8 *)out, size, (const CHAR8 *)fmt, ap);
    va_end(ap);
}

static EFI_STATUS fail(EFI_STATUS status, const CHAR16 *why)
{
    Print(L"axvm.efi: cannot start axvm: %s\n", why);
    return status;
}

/* "UEFI 2.70 (EDK II)": the specification revision and the vendor, as the x86_64 banner says. */
static void firmware_describe(EFI_SYSTEM_TABLE *st, char *out, size_t size)
{
    uint32_t rev = st->Hdr.Revision;
    const CHAR16 *vendor = st->FirmwareVendor ? st->FirmwareVendor : L"unknown vendor";
    ascii_format(out, size, "UEFI %d.%02d (%s)", rev >> 16, rev & 0xffff, vendor);
}

static const void *config_table(EFI_SYSTEM_TABLE *st, EFI_GUID guid)
{
    for (UINTN i = 0; i < st->NumberOfTableEntries; i++)
        if (CompareGuid(&st->ConfigurationTable[i].VendorGuid, &guid) == 0)
            return st->ConfigurationTable[i].VendorTable;
    return NULL;
}

static uint32_t le32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/*
 * Copy axvm.bin to the address it is linked at and clear the rest of its image_size (.bss).
 * The pages stay EfiLoaderData until boot services end; the memory map then lists them as RAM
 * and axvm reserves its own image.
 */
static EFI_STATUS payload_place(uint64_t *entry)
{
    size_t len = efi_payload_end - efi_payload;
    if (len < 64 || le32(efi_payload + IMAGE_MAGIC_OFFSET) != IMAGE_MAGIC)
        return fail(EFI_LOAD_ERROR, L"the axvm.bin inside axvm.efi has no arm64 Image header");
    uint64_t size = le64(efi_payload + IMAGE_SIZE_OFFSET);
    if (size < len)
        size = len;
    EFI_PHYSICAL_ADDRESS at = efi_payload_link_addr;
    EFI_STATUS s =
        BS->AllocatePages(AllocateAddress, EfiLoaderData, (size + EFI_PAGE - 1) / EFI_PAGE, &at);
    if (EFI_ERROR(s)) {
        Print(L"axvm.efi: cannot start axvm: memory at 0x%lx-0x%lx, where axvm is linked to "
              L"run, is not free RAM (%r)\n",
              efi_payload_link_addr, efi_payload_link_addr + size, s);
        return s;
    }
    memcpy((void *)at, efi_payload, len);
    memset((uint8_t *)at + len, 0, size - len);
    efi_dcache_clean_poc((void *)at, size);
    *entry = at;
    return EFI_SUCCESS;
}

static EFI_STATUS fdt_take(EFI_SYSTEM_TABLE *st, const char *cmdline, const char *loader,
                           void **out)
{
    const void *fdt = config_table(st, (EFI_GUID)EFI_DTB_TABLE_GUID);
    if (!fdt) {
        if (config_table(st, (EFI_GUID)ACPI_20_TABLE_GUID) ||
            config_table(st, (EFI_GUID)ACPI_TABLE_GUID))
            return fail(EFI_UNSUPPORTED,
                        L"the firmware describes this machine with ACPI only and gives no device "
                        L"tree; ACPI-only machines are not supported yet (on QEMU: -M "
                        L"virt,acpi=off; on a board: the firmware's device-tree mode)");
        return fail(EFI_UNSUPPORTED, L"the firmware gives no device tree");
    }
    if (fdt_check_header(fdt) != 0)
        return fail(EFI_LOAD_ERROR, L"the firmware's device tree has no valid header");
    size_t size = fdt_totalsize(fdt) + FDT_SLACK;
    EFI_PHYSICAL_ADDRESS buf;
    EFI_STATUS s =
        BS->AllocatePages(AllocateAnyPages, EfiLoaderData, (size + EFI_PAGE - 1) / EFI_PAGE, &buf);
    if (EFI_ERROR(s))
        return fail(s, L"no memory for a copy of the device tree");
    int err = efi_fdt_prepare((void *)buf, size, fdt, cmdline, loader);
    if (err) {
        Print(L"axvm.efi: cannot start axvm: device tree: %a\n", fdt_strerror(err));
        return EFI_LOAD_ERROR;
    }
    *out = (void *)buf;
    return EFI_SUCCESS;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
    static char loader[64], cmdline[256];
    InitializeLib(image, st);
    firmware_describe(st, loader, sizeof(loader));
    unsigned el = current_el();
    Print(L"axvm.efi: started by %a at EL%d\n", loader, el);
    /* UEFI runs applications at the highest non-secure EL it has. At EL1 a hypervisor above
     * the firmware (or one it leaves no room for) owns EL2. */
    if (el != 2)
        return fail(EFI_UNSUPPORTED,
                    L"axvm must be entered at EL2, and this firmware runs applications at EL1 "
                    L"(enable virtualization / EL2 in the firmware or machine, e.g. QEMU -M "
                    L"virt,virtualization=on)");

    EFI_LOADED_IMAGE *li;
    EFI_STATUS s = BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&li);
    if (EFI_ERROR(s))
        return fail(s, L"no loaded-image protocol for axvm.efi");
    efi_cmdline_read(BS, li, cmdline, sizeof(cmdline));

    void *fdt;
    s = fdt_take(st, cmdline, loader, &fdt);
    if (EFI_ERROR(s))
        return s;
    uint64_t entry;
    s = payload_place(&entry);
    if (EFI_ERROR(s))
        return s;
    Print(L"axvm.efi: axvm.bin at 0x%lx, device tree at 0x%lx%a%a: leaving UEFI\n", entry,
          (uint64_t)fdt, cmdline[0] ? ", boot arguments: " : "", cmdline);

    int fdt_err = 0;
    s = efi_exit_boot_services(image, fdt, &fdt_err);
    if (fdt_err) {
        Print(L"axvm.efi: cannot start axvm: device tree memory node: %a\n", fdt_strerror(fdt_err));
        return s;
    }
    if (EFI_ERROR(s))
        return s; /* boot services may be half gone: printing is not safe */
    /* No UEFI from here on. The device tree now has its memory node: clean it for axvm,
     * which reads it with the MMU off, and the code that turns the MMU off. */
    efi_dcache_clean_poc(fdt, fdt_totalsize(fdt));
    efi_dcache_clean_poc((const void *)efi_enter_image,
                         efi_enter_image_end - (const char *)efi_enter_image);
    efi_enter_image(entry, fdt);
}
