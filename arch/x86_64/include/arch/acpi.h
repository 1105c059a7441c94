/* SPDX-License-Identifier: MIT */
#ifndef ARCH_ACPI_H
#define ARCH_ACPI_H

/*
 * What the hypervisor takes from the firmware's ACPI tables: the CPUs and I/O APICs (MADT), the
 * power-off registers and the PM timer (FADT, and \_S5 in the DSDT). Read once at boot; the tables
 * stay where the firmware put them (ACPI reclaim memory is never handed to the frame allocator).
 */

#include <axvm/boot.h>

#define ACPI_MAX_IOAPICS 8

struct acpi_info {
    uint32_t cpu_apic_id[CPU_MAX]; /* enabled CPUs in MADT order, the boot CPU always kept */
    unsigned cpu_count;
    unsigned cpus_dropped; /* enabled CPUs beyond CPU_MAX */
    bool has_8259;         /* MADT PCAT_COMPAT: legacy PICs present (and to be masked) */
    paddr_t ioapic_base[ACPI_MAX_IOAPICS]; /* the MADT's I/O APICs' register windows */
    unsigned ioapic_count;
    unsigned ioapics_dropped;    /* I/O APICs beyond ACPI_MAX_IOAPICS */
    uint16_t pm1a_cnt, pm1b_cnt; /* PM1 control ports, 0 if absent */
    uint16_t pm_timer;           /* PM timer port, 0 if absent */
    bool pm_timer_32bit;
    bool s5_known; /* \_S5 found in the DSDT: slp_typ_a/b are valid */
    uint8_t slp_typ_a, slp_typ_b;
};

/*
 * Read the tables below 'rsdp' (the pointer from the UEFI configuration table). Returns NULL
 * on success, else a sentence saying what is missing or broken.
 */
const char *acpi_parse(const void *rsdp, uint32_t boot_apic_id, struct acpi_info *info);

#endif
