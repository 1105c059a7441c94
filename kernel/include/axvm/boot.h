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

/*
 * The interrupt controller the machine's interrupts go to (the root node's interrupt-parent):
 * its "compatible" strings (NUL-separated, as in the device tree) and its register ranges at
 * CPU addresses, in device-tree order (GICD, GICR... or GICD, GICC, GICH, GICV; a PLIC).
 * The architecture picks its driver by the compatible strings.
 */
#define BOOT_INTC_REGS 6
struct boot_intc {
    char compatible[64];
    unsigned compatible_len; /* 0: no interrupt controller found */
    struct mem_range reg[BOOT_INTC_REGS];
    unsigned reg_count;
};

/* How a secondary CPU is started: its cpu node's enable-method. */
enum cpu_start_method {
    CPU_START_DEFAULT,    /* none given: the architecture's own way (SBI HSM, INIT-SIPI) */
    CPU_START_PSCI,       /* PSCI CPU_ON through the conduit of the /psci node */
    CPU_START_SPIN_TABLE, /* the entry point written to cpu_release_addr, then SEV */
    CPU_START_UNKNOWN,    /* a method axvm does not implement (named in the log) */
};

struct boot_info {
    struct mem_range ram[BOOT_MAX_RANGES];
    unsigned ram_count;
    /* Firmware, the hypervisor image, the device tree, ...: never handed to the allocator. */
    struct mem_range reserved[BOOT_MAX_RANGES];
    unsigned reserved_count;
    uint64_t cpu_hwid[CPU_MAX];
    uint8_t cpu_start[CPU_MAX];         /* enum cpu_start_method, per CPU */
    uint64_t cpu_release_addr[CPU_MAX]; /* CPU_START_SPIN_TABLE: where the CPU spins */
    unsigned cpu_count;
    /* The PSCI conduit the /psci node names ("smc" or "hvc"); empty without a /psci node. */
    char psci_method[4];
    unsigned boot_cpu; /* index into cpu_hwid of the CPU running kernel_main */
    char cmdline[256];
    const void *fdt; /* NULL where the firmware gave none (UEFI on x86_64) */
    struct uart_desc console;
    /* The console UART's "interrupts" cells as the device tree gives them (the architecture
     * knows its interrupt controller's format); count 0 when there are none. */
    uint32_t console_irq[3];
    unsigned console_irq_cells;
    /* The interrupt controller as the device tree describes it, and the name of the driver
     * the architecture chose for it ("GICv2"), shown at boot. */
    struct boot_intc intc;
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
