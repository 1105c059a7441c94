// SPDX-License-Identifier: MIT
#include "efi_boot.h"

/* Room for the descriptors our own allocations add between sizing the map and reading it. */
#define MAP_SLACK_DESCRIPTORS 32
/* ExitBootServices fails while the map keeps changing (a firmware event allocated memory);
 * each retry reads the map again. */
#define EXIT_ATTEMPTS 8

struct efi_memmap {
    EFI_MEMORY_DESCRIPTOR *buf;
    UINTN capacity, size, key, desc_size;
    UINT32 desc_version;
};

static struct efi_memmap efi_map;

static EFI_STATUS memmap_read(struct efi_memmap *m)
{
    for (;;) {
        m->size = m->capacity;
        EFI_STATUS s =
            efi_bs()->GetMemoryMap(&m->size, m->buf, &m->key, &m->desc_size, &m->desc_version);
        if (s != EFI_BUFFER_TOO_SMALL)
            return s;
        if (m->buf)
            efi_bs()->FreePool(m->buf);
        m->buf = NULL;
        m->capacity = m->size + MAP_SLACK_DESCRIPTORS * m->desc_size;
        s = efi_bs()->AllocatePool(EfiLoaderData, m->capacity, (void **)&m->buf);
        if (EFI_ERROR(s)) {
            m->capacity = 0;
            return s;
        }
    }
}

static const EFI_MEMORY_DESCRIPTOR *memmap_desc(const struct efi_memmap *m, UINTN i)
{
    return (const EFI_MEMORY_DESCRIPTOR *)((const char *)m->buf + i * m->desc_size);
}

static UINTN memmap_count(const struct efi_memmap *m)
{
    return m->size / m->desc_size;
}

uint64_t efi_memmap_top(void)
{
    if (EFI_ERROR(memmap_read(&efi_map)))
        return 0;
    uint64_t top = 0;
    for (UINTN i = 0; i < memmap_count(&efi_map); i++) {
        const EFI_MEMORY_DESCRIPTOR *d = memmap_desc(&efi_map, i);
        top = MAX(top, d->PhysicalStart + (d->NumberOfPages << EFI_PAGE_SHIFT));
    }
    return top;
}

/* Memory the hypervisor may allocate from once boot services are gone (UEFI 2.10 §7.2.3,
 * table "Memory Type Usage after ExitBootServices()"). */
static bool memmap_is_ram(UINT32 type)
{
    switch (type) {
    case EfiConventionalMemory:
    case EfiBootServicesCode:
    case EfiBootServicesData:
    case EfiLoaderCode:
    case EfiLoaderData:
        return true;
    default:
        return false;
    }
}

/* Add [base, base + size) to a list, extending a range it touches when there is one. */
static bool ranges_add_merged(struct mem_range *list, unsigned *count, paddr_t base, uint64_t size)
{
    for (unsigned i = 0; i < *count; i++) {
        struct mem_range *r = &list[i];
        if (r->base + r->size == base) {
            r->size += size;
            return true;
        }
        if (base + size == r->base) {
            r->base = base;
            r->size += size;
            return true;
        }
    }
    return boot_add_range(list, count, base, size);
}

static void memmap_describe(const struct efi_memmap *m, struct boot_info *bi,
                            struct setup_handoff *h)
{
    for (UINTN i = 0; i < memmap_count(m); i++) {
        const EFI_MEMORY_DESCRIPTOR *d = memmap_desc(m, i);
        paddr_t base = d->PhysicalStart;
        uint64_t size = d->NumberOfPages << EFI_PAGE_SHIFT;
        bool ok = true;
        if (memmap_is_ram(d->Type))
            ok &= ranges_add_merged(bi->ram, &bi->ram_count, base, size);
        /* Runtime services keep using their code, data and MMIO: never give them away. */
        if (d->Attribute & EFI_MEMORY_RUNTIME)
            ok &= ranges_add_merged(bi->reserved, &bi->reserved_count, base, size);
        if ((d->Attribute & EFI_MEMORY_WB) && d->Type != EfiMemoryMappedIO &&
            d->Type != EfiMemoryMappedIOPortSpace)
            ok &= ranges_add_merged(h->wb, &h->wb_count, base, size);
        h->ranges_dropped += !ok;
    }
}

EFI_STATUS efi_exit_boot_services(EFI_HANDLE image, struct boot_info *bi, struct setup_handoff *h)
{
    EFI_STATUS s = EFI_INVALID_PARAMETER;
    for (int attempt = 0; attempt < EXIT_ATTEMPTS && s == EFI_INVALID_PARAMETER; attempt++) {
        s = memmap_read(&efi_map);
        if (EFI_ERROR(s))
            return s;
        s = efi_bs()->ExitBootServices(image, efi_map.key);
    }
    if (EFI_ERROR(s))
        return s;
    /* The firmware's interrupt handlers are gone with boot services. */
    __asm__ volatile("cli" ::: "memory");
    memmap_describe(&efi_map, bi, h);
    return EFI_SUCCESS;
}
