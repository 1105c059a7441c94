/* SPDX-License-Identifier: MIT */
#ifndef AXVM_BOOT_H
#define AXVM_BOOT_H

/*
 * What the architecture's entry code learned from the firmware (device tree, UEFI memory map
 * and ACPI), handed to kernel_main() in one neutral form.
 */

#include <axvm/types.h>
#include <drivers/uart.h>

struct percpu;

#define BOOT_MAX_RANGES 64
#define CPU_MAX         16

struct mem_range {
    paddr_t base;
    uint64_t size;
};

struct boot_info {
    struct mem_range ram[BOOT_MAX_RANGES];
    unsigned ram_count;
    /* Firmware, the hypervisor image, the device tree, ...: never handed to the allocator. */
    struct mem_range reserved[BOOT_MAX_RANGES];
    unsigned reserved_count;
    uint64_t cpu_hwid[CPU_MAX];
    unsigned cpu_count;
    unsigned boot_cpu; /* index into cpu_hwid of the CPU running kernel_main */
    char cmdline[256];
    const void *fdt; /* NULL where the firmware gave none (UEFI on x86_64) */
    struct uart_desc console;
    /* The console UART's "interrupts" cells as the device tree gives them (the architecture
     * knows its interrupt controller's format); count 0 when there are none. */
    uint32_t console_irq[3];
    unsigned console_irq_cells;
    /* Where the interrupt controller lives, for later use by the core. */
    const char *irqchip;
    char firmware[48]; /* "PSCI 1.1 (smc)", "OpenSBI 1.1", "UEFI ...": shown in the banner */
    /* How the firmware or boot loader entered axvm ("as a Linux Image at EL2, loaded by U-Boot
     * 2023.01"), shown at boot so a deployment path can be told from another; empty if the
     * architecture does not say. */
    char entry[96];
};

/* Add a range to a list, merging nothing; returns false when the list is full. */
bool boot_add_range(struct mem_range *list, unsigned *count, paddr_t base, uint64_t size);

/* Make the CPU with hardware id 'hwid' the boot CPU; false if the list does not hold it. */
bool boot_set_boot_cpu(struct boot_info *bi, uint64_t hwid);

/* Entry points of the core, called by the architecture once translation is on. */
/*
 * Before calling kernel_main, the boot CPU's per-CPU register must point at percpu_table[0]
 * (the boot CPU is always logical CPU 0).
 */
NORETURN void kernel_main(struct boot_info *bi);
NORETURN void kernel_secondary_main(struct percpu *cpu);

#endif
