// SPDX-License-Identifier: MIT
/*
 * The UEFI application: OVMF (or any UEFI firmware) starts axvm.efi here, through GNU-EFI's
 * crt0, which has already applied the image's relocations. Everything that needs boot
 * services happens here and in the other efi_*.c files; then ExitBootServices, and
 * setup_machine() (arch/x86_64/setup.c) takes the machine.
 */
#include <axvm/format.h>
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <arch/mmu.h>
#include "efi_boot.h"

/* Every address space axvm maps starts with the first 4 GiB (MMIO, the APICs, flash). */
#define MAP_MIN_TOP GiB(4)
#define MAP_MAX_TOP (1ull << 47) /* the lower half of a 48-bit address space */
#define BELOW_1M    0xfffff
#define BELOW_4G    0xffffffff

EFI_SYSTEM_TABLE *efi_st;

/* Both live in the image, which stays reserved: the core keeps using them. */
static struct boot_info boot_info;
static struct setup_handoff handoff;

void efi_print(const char *text)
{
    CHAR16 buf[64];
    size_t n = 0;
    for (const char *p = text;; p++) {
        if (*p == '\n')
            buf[n++] = '\r';
        if (*p)
            buf[n++] = (CHAR16)*p;
        if (!*p || n >= ARRAY_SIZE(buf) - 2) {
            buf[n] = 0;
            efi_st->ConOut->OutputString(efi_st->ConOut, buf);
            n = 0;
        }
        if (!*p)
            return;
    }
}

static EFI_STATUS efi_fail(const char *why, EFI_STATUS status)
{
    efi_print("axvm: cannot start: ");
    efi_print(why);
    efi_print("\n");
    return status;
}

/* "UEFI 2.70 (EDK II)": the specification revision and the vendor, for the banner. */
static void firmware_describe(char *out, size_t size)
{
    char vendor[24] = "unknown vendor";
    const CHAR16 *v = efi_st->FirmwareVendor;
    if (v) {
        size_t n = 0;
        for (; v[n] && n + 1 < sizeof(vendor); n++)
            vendor[n] = v[n] < 0x7f ? (char)v[n] : '?';
        vendor[n] = '\0';
    }
    uint32_t rev = efi_st->Hdr.Revision;
    format_snprintf(out, size, "UEFI %u.%02u (%s)", rev >> 16, rev & 0xffff, vendor);
}

static bool guid_equal(const EFI_GUID *a, const EFI_GUID *b)
{
    const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;
    for (size_t i = 0; i < sizeof(EFI_GUID); i++)
        if (x[i] != y[i])
            return false;
    return true;
}

static const void *efi_config_table(EFI_GUID guid)
{
    for (UINTN i = 0; i < efi_st->NumberOfTableEntries; i++)
        if (guid_equal(&efi_st->ConfigurationTable[i].VendorGuid, &guid))
            return efi_st->ConfigurationTable[i].VendorTable;
    return NULL;
}

static EFI_STATUS efi_alloc_below(uint64_t max, unsigned pages, paddr_t *out)
{
    EFI_PHYSICAL_ADDRESS addr = max;
    EFI_STATUS s = efi_bs()->AllocatePages(AllocateMaxAddress, EfiLoaderData, pages, &addr);
    *out = addr;
    return s;
}

/* A page below 1 MiB for the secondaries' real-mode start, anywhere but page 0: that one
 * stays unmapped to catch NULL pointers. */
static EFI_STATUS efi_alloc_trampoline(paddr_t *out)
{
    paddr_t page;
    EFI_STATUS s = efi_alloc_below(BELOW_1M, 1, &page);
    if (!EFI_ERROR(s) && page == 0) {
        s = efi_alloc_below(BELOW_1M, 1, out);
        efi_bs()->FreePages(0, 1);
        return s;
    }
    *out = page;
    return s;
}

static const char *boot_read_cpus(struct boot_info *bi, struct setup_handoff *h)
{
    lapic_init();
    uint32_t boot_apic_id = lapic_id();
    const void *rsdp = efi_config_table((EFI_GUID)ACPI_20_TABLE_GUID);
    if (!rsdp)
        rsdp = efi_config_table((EFI_GUID)ACPI_TABLE_GUID);
    const char *err = acpi_parse(rsdp, boot_apic_id, &h->acpi);
    if (err)
        return err;
    for (unsigned i = 0; i < h->acpi.cpu_count; i++)
        bi->cpu_hwid[i] = h->acpi.cpu_apic_id[i];
    bi->cpu_count = h->acpi.cpu_count;
    if (!boot_set_boot_cpu(bi, boot_apic_id))
        return "the boot CPU is not among the MADT's enabled CPUs";
    return NULL;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
    struct boot_info *bi = &boot_info;
    struct setup_handoff *h = &handoff;
    efi_st = st;

    EFI_GUID loaded_image_guid = LOADED_IMAGE_PROTOCOL;
    EFI_LOADED_IMAGE *li;
    EFI_STATUS s = efi_bs()->HandleProtocol(image, &loaded_image_guid, (void **)&li);
    if (EFI_ERROR(s))
        return efi_fail("no loaded-image protocol for axvm.efi", s);

    firmware_describe(bi->firmware, sizeof(bi->firmware));
    /* How axvm was entered, in the form the other architectures use (kernel/main.c logs it):
     * on x86_64 always as this UEFI application, in the long mode UEFI runs it in. */
    format_snprintf(bi->entry, sizeof(bi->entry), "from UEFI in long mode (%s, through axvm.efi)",
                    bi->firmware);
    efi_cmdline_read(efi_bs(), li, bi->cmdline, sizeof(bi->cmdline));

    if (read_cr4() & CR4_LA57)
        return efi_fail("5-level paging is on; axvm builds 4-level page tables", EFI_UNSUPPORTED);
    const char *err = boot_read_cpus(bi, h);
    if (err)
        return efi_fail(err, EFI_UNSUPPORTED);

    uint64_t top = efi_memmap_top();
    if (!top)
        return efi_fail("cannot read the memory map", EFI_LOAD_ERROR);
    h->map_top = ALIGN_UP(MAX(top, MAP_MIN_TOP), GiB(1));
    if (h->map_top > MAP_MAX_TOP)
        return efi_fail("memory reaches beyond 128 TiB", EFI_UNSUPPORTED);

    /* Secondary CPUs load CR3 in 32-bit mode: the page tables must lie below 4 GiB. */
    paddr_t tables;
    h->page_table_pages = mmu_table_pages(h->map_top);
    s = efi_alloc_below(BELOW_4G, h->page_table_pages, &tables);
    if (EFI_ERROR(s))
        return efi_fail("no memory below 4 GiB for page tables", s);
    h->page_tables = phys_to_ptr(tables);
    s = efi_alloc_trampoline(&h->trampoline);
    if (EFI_ERROR(s))
        return efi_fail("no free page below 1 MiB to start the other CPUs", s);
    efi_runtime_init(st->RuntimeServices);

    paddr_t image_base = ALIGN_DOWN(ptr_to_phys(li->ImageBase), PAGE_SIZE);
    uint64_t image_size =
        ALIGN_UP(ptr_to_phys(li->ImageBase) + li->ImageSize, PAGE_SIZE) - image_base;
    boot_add_range(bi->reserved, &bi->reserved_count, 0, PAGE_SIZE); /* unmapped: NULL guard */
    boot_add_range(bi->reserved, &bi->reserved_count, image_base, image_size);
    boot_add_range(bi->reserved, &bi->reserved_count, tables,
                   (uint64_t)h->page_table_pages * PAGE_SIZE);
    boot_add_range(bi->reserved, &bi->reserved_count, h->trampoline, PAGE_SIZE);

    s = efi_exit_boot_services(image, bi, h);
    if (EFI_ERROR(s))
        return s; /* boot services may be half gone: printing is not safe */
    setup_machine(bi, h);
}
