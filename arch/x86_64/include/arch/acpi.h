/* SPDX-License-Identifier: MIT */
#ifndef ARCH_ACPI_H
#define ARCH_ACPI_H

/*
 * What the hypervisor takes from the firmware's ACPI tables: the CPUs and the interrupt
 * controllers (MADT), the power-off registers and the PM timer (FADT, and \_S5 in the DSDT).
 * Read once at boot; the tables stay where the firmware put them (ACPI reclaim memory is never
 * handed to the frame allocator).
 */

#include <axvm/boot.h>

#define ACPI_IOAPIC_MAX       8
#define ACPI_IRQ_OVERRIDE_MAX 16 /* one per ISA IRQ at most */

/* An I/O APIC (MADT type 1): its pins are GSIs gsi_base, gsi_base + 1, ... */
struct acpi_ioapic {
    uint8_t id;
    uint32_t base;
    uint32_t gsi_base;
};

/* An interrupt source override (MADT type 2): ISA IRQ 'source' arrives on 'gsi', with the
 * polarity and trigger mode in 'flags' (MPS INTI flags; 0 = as the ISA bus does it). */
struct acpi_irq_override {
    uint8_t source;
    uint32_t gsi;
    uint16_t flags;
};

struct acpi_info {
    uint32_t cpu_apic_id[CPU_MAX]; /* enabled CPUs in MADT order, the boot CPU always kept */
    unsigned cpu_count;
    unsigned cpus_dropped; /* enabled CPUs beyond CPU_MAX */
    bool has_8259;         /* MADT PCAT_COMPAT: legacy PICs present (and to be masked) */
    uint64_t lapic_base;   /* the MADT's local APIC address (or its 64-bit override) */
    struct acpi_ioapic ioapic[ACPI_IOAPIC_MAX];
    unsigned ioapic_count;
    struct acpi_irq_override irq_override[ACPI_IRQ_OVERRIDE_MAX];
    unsigned irq_override_count;
    unsigned madt_dropped;       /* I/O APICs or overrides beyond the arrays above */
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
