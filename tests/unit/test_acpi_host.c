// SPDX-License-Identifier: MIT
/*
 * The x86_64 hypervisor's machine discovery (arch/x86_64/acpi.c) on the ACPI tables of a real
 * UEFI PC: QEMU q35 under OVMF with 4 CPUs and room for a fifth, captured from the firmware's
 * memory by scripts/acpidump.py (build/host/fixtures/q35-acpi.bin, made at build time). The
 * expected values are QEMU's q35 facts: APIC ids 0-3 enabled and 4 disabled, the local APIC at
 * 0xfee00000, one I/O APIC (id 0) at 0xfec00000 from GSI 0, ISA IRQ 0 on GSI 2 and the PCI
 * interrupt lines 5, 9, 10 and 11 level-triggered active-high, the ICH9 PM block at 0x600.
 */
#include <stdio.h>
#include <stdlib.h>
#include <axvm/types.h>
#include "check.h"

/* The tables are read where the capture found them: their physical addresses map into the
 * records loaded from the fixture instead of the hypervisor's identity map. */
static const void *fixture_phys_to_ptr(paddr_t pa);
#define phys_to_ptr fixture_phys_to_ptr
#include "x86_64/acpi.c"
#undef phys_to_ptr

struct record {
    uint64_t addr;
    uint32_t len;
    uint8_t *data;
};

static struct record records[32];
static unsigned record_count;
/* What an address the capture did not hold reads as: no table signature. */
static const uint8_t nothing[64];

static const void *fixture_phys_to_ptr(paddr_t pa)
{
    for (unsigned i = 0; i < record_count; i++)
        if (pa >= records[i].addr && pa - records[i].addr < records[i].len)
            return records[i].data + (pa - records[i].addr);
    if (pa)
        check_fail(__FILE__, __LINE__, "the reader followed 0x%llx, outside every table",
                   (unsigned long long)pa);
    return nothing;
}

static bool fixture_load(void)
{
    if (record_count)
        return true;
    char path[256];
    snprintf(path, sizeof(path), "%s/q35-acpi.bin", FIXTURE_DIR);
    FILE *f = fopen(path, "rb");
    if (!f) {
        check_fail(__FILE__, __LINE__, "cannot open %s (scripts/acpidump.py makes it)", path);
        return false;
    }
    uint8_t head[12];
    while (record_count < ARRAY_SIZE(records) && fread(head, 1, sizeof(head), f) == sizeof(head)) {
        struct record *r = &records[record_count++];
        memcpy(&r->addr, head, 8);
        memcpy(&r->len, head + 8, 4);
        r->data = malloc(r->len);
        CHECK(r->data && fread(r->data, 1, r->len, f) == r->len);
    }
    fclose(f);
    CHECK(record_count >= 5);
    return record_count >= 5;
}

static struct record *fixture_table(const char *signature)
{
    for (unsigned i = 0; i < record_count; i++)
        if (memcmp(records[i].data, signature, 4) == 0)
            return &records[i];
    check_fail(__FILE__, __LINE__, "the capture has no %s table", signature);
    return NULL;
}

static void check_q35(const struct acpi_info *info)
{
    CHECK_EQ(info->cpu_count, 4);
    for (unsigned i = 0; i < 4; i++)
        CHECK_EQ(info->cpu_apic_id[i], i);
    CHECK_EQ(info->cpus_dropped, 0);
    CHECK(info->has_8259);

    CHECK_EQ(info->lapic_base, 0xfee00000);
    CHECK_EQ(info->ioapic_count, 1);
    CHECK_EQ(info->ioapic[0].id, 0);
    CHECK_EQ(info->ioapic[0].base, 0xfec00000);
    CHECK_EQ(info->ioapic[0].gsi_base, 0);

    /* The PIT's IRQ 0 on pin 2 (flags 0: as the ISA bus); PCI links level, active high. */
    static const struct acpi_irq_override expect[] = {
        {0, 2, 0}, {5, 5, 0xd}, {9, 9, 0xd}, {10, 10, 0xd}, {11, 11, 0xd},
    };
    CHECK_EQ(info->irq_override_count, ARRAY_SIZE(expect));
    for (unsigned i = 0; i < ARRAY_SIZE(expect) && i < info->irq_override_count; i++) {
        CHECK_EQ(info->irq_override[i].source, expect[i].source);
        CHECK_EQ(info->irq_override[i].gsi, expect[i].gsi);
        CHECK_EQ(info->irq_override[i].flags, expect[i].flags);
    }
    CHECK_EQ(info->madt_dropped, 0);

    /* ICH9's ACPI PM block at 0x600: PM1 control at +4, the 24-bit PM timer at +8. */
    CHECK_EQ(info->pm1a_cnt, 0x604);
    CHECK_EQ(info->pm1b_cnt, 0);
    CHECK_EQ(info->pm_timer, 0x608);
    CHECK(!info->pm_timer_32bit);
    CHECK(info->s5_known);
    CHECK_EQ(info->slp_typ_a, 0);
    CHECK_EQ(info->slp_typ_b, 0);
}

/* What UEFI hands axvm: OVMF's ACPI 2.0 RSDP, so the XSDT path. */
TEST(acpi_discovers_qemu_q35_through_the_xsdt)
{
    if (!fixture_load())
        return;
    const uint8_t *rsdp = records[0].data;
    CHECK(memcmp(rsdp, "RSD PTR ", 8) == 0);
    CHECK(rsdp[15] >= 2);
    struct acpi_info info;
    const char *err = acpi_parse(rsdp, 0, &info);
    CHECK(err == NULL);
    check_q35(&info);
}

/* Firmware offering only ACPI 1.0 (revision 0: the RSDT's 32-bit pointers) finds the same. */
TEST(acpi_discovers_qemu_q35_through_the_rsdt)
{
    if (!fixture_load())
        return;
    uint8_t rsdp[20];
    memcpy(rsdp, records[0].data, sizeof(rsdp));
    rsdp[15] = 0;
    rsdp[8] = 0;
    uint8_t sum = 0;
    for (unsigned i = 0; i < sizeof(rsdp); i++)
        sum += rsdp[i];
    rsdp[8] = (uint8_t)-sum;
    struct acpi_info info;
    CHECK(acpi_parse(rsdp, 0, &info) == NULL);
    check_q35(&info);
}

/* The boot CPU is listed whichever CPU it is. */
TEST(acpi_q35_boot_cpu_is_listed)
{
    if (!fixture_load())
        return;
    struct acpi_info info;
    CHECK(acpi_parse(records[0].data, 3, &info) == NULL);
    CHECK_EQ(info.cpu_count, 4);
    CHECK_EQ(info.cpu_apic_id[3], 3);
}

/* A MADT whose checksum no longer holds is not trusted: no CPUs can be found. */
TEST(acpi_q35_corrupt_madt_is_refused)
{
    if (!fixture_load())
        return;
    struct record *madt = fixture_table("APIC");
    if (!madt)
        return;
    madt->data[MADT_ENTRIES + 3] ^= 1; /* the first CPU's APIC id */
    struct acpi_info info;
    const char *err = acpi_parse(records[0].data, 0, &info);
    madt->data[MADT_ENTRIES + 3] ^= 1;
    CHECK(err && strcmp(err, "ACPI has no MADT: the CPUs cannot be found") == 0);
}
