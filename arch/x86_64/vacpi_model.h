/* SPDX-License-Identifier: MIT */
#ifndef X86_64_VACPI_MODEL_H
#define X86_64_VACPI_MODEL_H

/*
 * A VM's ACPI tables, generated from its config as the device tree is elsewhere (ACPI 6.4):
 * RSDP, XSDT, FADT (+ FACS), DSDT and MADT.
 *
 *   - MADT: one Processor Local APIC per vCPU (APIC ID = vCPU index), the I/O APIC, interrupt
 *     source overrides for ISA IRQ 0 (-> GSI 2, where PC timers are wired) and the SCI
 *     (level, active high), and the 8259 pair present (PCAT_COMPAT).
 *   - FADT: a PM1a event block (with the fixed power button: PWR_BUTTON clear), a PM1a control
 *     block and optionally a PM timer on emulated I/O ports (arch/x86_64/vlegacy.c), the SCI,
 *     SMI_CMD 0 (the platform is always in ACPI mode), no CMOS RTC century, no VGA, a reset
 *     register on an emulated port.
 *   - DSDT: \_S5 (Name (_S5, Package () { 5, 5, 0, 0 }): the guest powers off by writing
 *     SLP_TYP 5 with SLP_EN to PM1a_CNT), and a device \_SB.SHM<i> per shared-memory region the
 *     VM maps, which Linux's generic UIO driver takes with no driver of axvm's: _HID "PRP0001"
 *     with _DSD compatible "axvm,shmem", "generic-uio" (the device-tree node's, matched through
 *     uio_pdrv_genirq.of_id=generic-uio), linux,uio-name "shmem", label, axvm,index,
 *     read-only and axvm,irq; _CRS the region, its doorbell register page if it has one
 *     (both always without the read-write bit, which would keep Linux's UIO driver from
 *     mapping them) and its doorbell interrupt, an edge-triggered, active-high I/O APIC pin.
 *
 * Pure C (also built into the host unit tests, tests/unit/test_acpi_guest.c).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VACPI_SLP_TYP_S5 5

struct vacpi_shmem {
    uint64_t base, size; /* where the VM sees the region */
    const char *label;   /* the region's name */
    unsigned index;      /* among the config's [[shmem]] tables (0..15): the device's SHM<i> */
    int gsi;             /* the doorbell's I/O APIC pin; -1: none */
    uint64_t doorbell;   /* its doorbell register page (kernel/include/axvm/shmem.h); 0: none */
    bool read_only;
};

struct vacpi_config {
    unsigned cpu_count;   /* local APIC IDs 0 .. cpu_count - 1 */
    uint32_t ioapic_base; /* MMIO address of the I/O APIC, GSI base 0 */
    uint8_t ioapic_id;
    uint16_t pm1a_evt_port; /* 4 bytes: status, enable */
    uint16_t pm1a_cnt_port; /* 2 bytes */
    uint16_t pm_tmr_port;   /* 4 bytes, 24-bit counter at 3.579545 MHz; 0: none */
    uint16_t reset_port;    /* 1 byte: write reset_value to reboot */
    uint8_t reset_value;
    uint8_t sci_irq;
    const struct vacpi_shmem *shmem; /* shmem_count regions */
    unsigned shmem_count;
};

#define VACPI_DOORBELL_SIZE 0x1000

/* Table sizes, for the callers' and the tests' arithmetic. */
#define VACPI_RSDP_LEN 36
#define VACPI_FADT_LEN 276
#define VACPI_FACS_LEN 64
#define VACPI_HDR_LEN  36

/* Build every table into 'buf', which the guest will see at guest-physical 'gpa' (16-byte
 * aligned; the RSDP is at its start). Returns the bytes used, or 0 if 'size' is too small. */
size_t vacpi_build(const struct vacpi_config *c, uint64_t gpa, uint8_t *buf, size_t size);

/* The byte that makes an ACPI table's bytes sum to zero. */
uint8_t vacpi_checksum(const uint8_t *p, size_t len);

#endif
