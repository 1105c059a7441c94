// SPDX-License-Identifier: MIT
/* The device tree axvm.efi hands to axvm: the firmware's, with /chosen and memory from UEFI. */
#include <string.h>
#include <libfdt.h>
#include "efi_boot.h"

int efi_fdt_prepare(void *buf, size_t size, const void *fdt, const char *cmdline,
                    const char *loader)
{
    int err = fdt_open_into(fdt, buf, (int)size);
    if (err)
        return err;
    int chosen = fdt_path_offset(buf, "/chosen");
    if (chosen == -FDT_ERR_NOTFOUND)
        chosen = fdt_add_subnode(buf, 0, "chosen");
    if (chosen < 0)
        return chosen;
    if (cmdline[0]) {
        err = fdt_setprop_string(buf, chosen, "bootargs", cmdline);
        if (err)
            return err;
    }
    return fdt_setprop_string(buf, chosen, EFI_FDT_LOADER_PROP, loader);
}

/* Memory the OS owns once boot services are gone (UEFI 2.10, 7.2, table 7.10). Runtime
 * services, ACPI, reserved and MMIO ranges stay out of the map axvm sees. */
static bool usable(const EFI_MEMORY_DESCRIPTOR *d)
{
    if (!(d->Attribute & EFI_MEMORY_WB))
        return false;
    switch (d->Type) {
    case EfiLoaderCode:
    case EfiLoaderData:
    case EfiBootServicesCode:
    case EfiBootServicesData:
    case EfiConventionalMemory:
        return true;
    default:
        return false;
    }
}

struct range {
    uint64_t base, end;
};

/* Usable ranges in address order, neighbours merged. Returns the count, or -1 if they do not
 * fit in 'max'. */
static int ranges_collect(const void *map, UINTN map_size, UINTN desc_size, struct range *r,
                          int max)
{
    int n = 0;
    for (UINTN off = 0; off + desc_size <= map_size; off += desc_size) {
        const EFI_MEMORY_DESCRIPTOR *d = (const void *)((const uint8_t *)map + off);
        if (!usable(d) || d->NumberOfPages == 0)
            continue;
        uint64_t base = d->PhysicalStart, end = base + d->NumberOfPages * 4096;
        int i = n;
        while (i > 0 && r[i - 1].base > base)
            i--;
        if (i > 0 && r[i - 1].end == base) {
            r[i - 1].end = end;
        } else {
            if (n == max)
                return -1;
            memmove(&r[i + 1], &r[i], (n - i) * sizeof(*r));
            r[i] = (struct range){base, end};
            n++;
        }
        if (i + 1 < n && r[i].end == r[i + 1].base) { /* it closed a gap */
            r[i].end = r[i + 1].end;
            memmove(&r[i + 1], &r[i + 2], (n - i - 2) * sizeof(*r));
            n--;
        }
    }
    return n;
}

static void put_cells(uint8_t **p, uint64_t v, int cells)
{
    for (int i = cells - 1; i >= 0; i--) {
        fdt32_st(*p, (uint32_t)(v >> (32 * i)));
        *p += 4;
    }
}

static void hex_name(char *out, const char *prefix, uint64_t v)
{
    static const char hex[] = "0123456789abcdef";
    while (*prefix)
        *out++ = *prefix++;
    int shift = 60;
    while (shift > 0 && !((v >> shift) & 0xf))
        shift -= 4;
    for (; shift >= 0; shift -= 4)
        *out++ = hex[(v >> shift) & 0xf];
    *out = '\0';
}

int efi_fdt_set_memory(void *fdt, const void *map, UINTN map_size, UINTN desc_size)
{
    static struct range r[EFI_FDT_MAX_RANGES];
    static uint8_t reg[EFI_FDT_MAX_RANGES * 16];
    int n = ranges_collect(map, map_size, desc_size, r, EFI_FDT_MAX_RANGES);
    if (n < 0)
        return -FDT_ERR_NOSPACE;
    if (n == 0)
        return -FDT_ERR_NOTFOUND;
    int ac = fdt_address_cells(fdt, 0), sc = fdt_size_cells(fdt, 0);
    if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
        return -FDT_ERR_BADNCELLS;

    int node;
    while ((node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory",
                                                 sizeof("memory"))) >= 0) {
        int err = fdt_del_node(fdt, node);
        if (err)
            return err;
    }
    char name[32];
    hex_name(name, "memory@", r[0].base);
    node = fdt_add_subnode(fdt, 0, name);
    if (node < 0)
        return node;
    uint8_t *p = reg;
    for (int i = 0; i < n; i++) {
        put_cells(&p, r[i].base, ac);
        put_cells(&p, r[i].end - r[i].base, sc);
    }
    int err = fdt_setprop_string(fdt, node, "device_type", "memory");
    return err ? err : fdt_setprop(fdt, node, "reg", reg, (int)(p - reg));
}
