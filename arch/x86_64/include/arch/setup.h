/* SPDX-License-Identifier: MIT */
#ifndef ARCH_SETUP_H
#define ARCH_SETUP_H

/*
 * The hand-over from boot/x86_64 (the UEFI application, which owns the machine until
 * ExitBootServices) to the architecture code, which then sets up the CPU and calls kernel_main.
 */

#include <axvm/boot.h>
#include <arch/acpi.h>

struct setup_handoff {
    paddr_t trampoline; /* one page below 1 MiB for starting secondary CPUs */
    void *page_tables;  /* 'page_table_pages' pages below 4 GiB */
    unsigned page_table_pages;
    uint64_t map_top; /* identity-map [0, map_top): every range of the memory map */
    struct mem_range wb[BOOT_MAX_RANGES]; /* what the firmware says is write-back memory */
    unsigned wb_count;
    unsigned ranges_dropped; /* memory-map ranges that did not fit the lists above */
    struct acpi_info acpi;
};

/* Boot services are gone and interrupts are off: take over and run kernel_main(bi). */
NORETURN void setup_machine(struct boot_info *bi, const struct setup_handoff *h);

#endif
