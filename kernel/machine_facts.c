// SPDX-License-Identifier: MIT
/*
 * What the hypervisor found at boot, kept for the boot-time config check (config_check.c):
 * host RAM, the ranges the firmware and the hypervisor keep, and the MMIO the hypervisor drives.
 * Recorded before the VMs' identity regions are carved out of RAM, which would otherwise look
 * like memory the hypervisor keeps.
 */
#include <libfdt.h>
#include <axvm/arch_vm.h>
#include <axvm/boot.h>
#include <axvm/config.h>
#include <axvm/dt.h>
#include <axvm/frame.h>
#include <axvm/log.h>
#include <axvm/percpu.h>

#define FACTS_MAX_DEVICES 16

static struct mem_range facts_ram[BOOT_MAX_RANGES];
static unsigned facts_ram_count;
static struct mem_range facts_reserved[BOOT_MAX_RANGES];
static unsigned facts_reserved_count;
static struct mem_range facts_devices[FACTS_MAX_DEVICES];
static unsigned facts_device_count;

void machine_facts_add_device(paddr_t base, uint64_t size)
{
    paddr_t lo = ALIGN_DOWN(base, PAGE_SIZE);
    uint64_t len = ALIGN_UP(base + size, PAGE_SIZE) - lo;
    if (!boot_add_range(facts_devices, &facts_device_count, lo, len))
        log_warn("machine facts: more than %u host devices; 0x%llx not recorded", FACTS_MAX_DEVICES,
                 (unsigned long long)base);
}

/* Every interrupt or MSI controller the device tree describes: the hypervisor's own (GICv3
 * distributor, redistributors and ITS; the PLIC), whichever of them it drives today. */
static void record_irq_controllers(const void *fdt)
{
    for (int node = fdt_next_node(fdt, -1, NULL); node >= 0;
         node = fdt_next_node(fdt, node, NULL)) {
        if (!fdt_getprop(fdt, node, "interrupt-controller", NULL) &&
            !fdt_getprop(fdt, node, "msi-controller", NULL))
            continue;
        paddr_t base;
        uint64_t size;
        for (unsigned i = 0; dt_node_reg(fdt, node, i, &base, &size) == 0; i++)
            machine_facts_add_device(base, size);
    }
}

void machine_facts_record(const struct boot_info *bi)
{
    facts_ram_count = facts_reserved_count = 0;
    for (unsigned i = 0; i < bi->ram_count; i++)
        boot_add_range(facts_ram, &facts_ram_count, bi->ram[i].base, bi->ram[i].size);
    for (unsigned i = 0; i < bi->reserved_count; i++)
        boot_add_range(facts_reserved, &facts_reserved_count, bi->reserved[i].base,
                       bi->reserved[i].size);
    /* The console UART, when it is MMIO (x86's COM1 is an I/O port: no passthrough reaches
     * it). Its registers fit in a page on every UART axvm drives. */
    if (bi->console.kind != UART_NONE && !bi->console.io_read)
        machine_facts_add_device(bi->console.base, PAGE_SIZE);
    if (bi->fdt)
        record_irq_controllers(bi->fdt);
}

/* The guest-physical address size of the stage-2 format: 4 KiB pages, the root's index bits
 * and 'index_bits' for each further level. */
static unsigned guest_addr_bits(const struct pt_format *f)
{
    return PAGE_SHIFT + f->root_index_bits + f->index_bits * (f->levels - 1);
}

static uint32_t cpus_offline(void)
{
    uint32_t mask = 0;
    for (unsigned i = 0; i < percpu_count && i < 32; i++)
        if (!percpu_get(i)->online)
            mask |= 1u << i;
    return mask;
}

void machine_facts_fill(struct machine_facts *m)
{
    *m = (struct machine_facts){
        .cpu_count = percpu_count,
        .cpus_offline = cpus_offline(),
        .free_bytes = frame_free_count() * PAGE_SIZE,
        .guest_addr_bits = guest_addr_bits(arch_s2_format()),
        .ram = facts_ram,
        .ram_count = facts_ram_count,
        .reserved = facts_reserved,
        .reserved_count = facts_reserved_count,
        .devices = facts_devices,
        .device_count = facts_device_count,
    };
}
