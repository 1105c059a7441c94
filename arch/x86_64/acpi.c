// SPDX-License-Identifier: MIT
/* ACPI table reading (ACPI 6.5 §5.2): RSDP → XSDT (or RSDT) → MADT, FADT → DSDT. */
#include <string.h>
#include <arch/acpi.h>

struct acpi_rsdp {
    char signature[8]; /* "RSD PTR " */
    uint8_t checksum;  /* over the first 20 bytes */
    char oem_id[6];
    uint8_t revision; /* 0: ACPI 1.0, only the RSDT; 2: the XSDT follows */
    uint32_t rsdt;
    uint32_t length;
    uint64_t xsdt;
    uint8_t ext_checksum; /* over 'length' bytes */
    uint8_t reserved[3];
} __attribute__((packed));

struct acpi_header {
    char signature[4];
    uint32_t length;
    uint8_t revision;
    uint8_t checksum;
    char oem_id[6];
    char oem_table_id[8];
    uint32_t oem_revision;
    uint32_t creator_id;
    uint32_t creator_revision;
} __attribute__((packed));

/* MADT (§5.2.12): the header, the local APIC address (axvm reads the APIC base MSR instead),
 * the flags, then entries. */
#define MADT_FLAGS        40
#define MADT_ENTRIES      44
#define MADT_PCAT_COMPAT  (1u << 0)
#define MADT_LOCAL_APIC   0
#define MADT_IO_APIC      1
#define MADT_LOCAL_X2APIC 9
#define MADT_CPU_ENABLED  (1u << 0)

/* FADT (§5.2.9) byte offsets of the fields used here. */
#define FADT_DSDT         40
#define FADT_PM1A_CNT_BLK 64
#define FADT_PM1B_CNT_BLK 68
#define FADT_PM_TMR_BLK   76
#define FADT_FLAGS        112
#define FADT_X_DSDT       140
#define FADT_X_PM1A_CNT   172
#define FADT_X_PM1B_CNT   184
#define FADT_X_PM_TMR     208
#define FADT_GAS_SIZE     12
#define FADT_TMR_VAL_EXT  (1u << 8)
#define GAS_SYSTEM_IO     1

/* AML opcodes used to read the \_S5 package (§20.2). */
#define AML_ZERO        0x00
#define AML_ONE         0x01
#define AML_BYTE_PREFIX 0x0a
#define AML_PACKAGE_OP  0x12

static bool acpi_checksum_ok(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum += b[i];
    return sum == 0;
}

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static const struct acpi_header *acpi_table_at(uint64_t pa, const char *signature)
{
    const struct acpi_header *h = phys_to_ptr(pa);
    if (!pa || memcmp(h->signature, signature, 4) != 0 || h->length < sizeof(*h))
        return NULL;
    return acpi_checksum_ok(h, h->length) ? h : NULL;
}

/* Walk the XSDT (8-byte entries) or RSDT (4-byte entries) for the table 'signature'. */
static const struct acpi_header *acpi_find(const struct acpi_header *sdt, unsigned entry_size,
                                           const char *signature)
{
    const uint8_t *entries = (const uint8_t *)(sdt + 1);
    unsigned count = (sdt->length - sizeof(*sdt)) / entry_size;
    for (unsigned i = 0; i < count; i++) {
        const uint8_t *e = entries + i * entry_size;
        uint64_t pa = entry_size == 8 ? get64(e) : get32(e);
        const struct acpi_header *t = acpi_table_at(pa, signature);
        if (t)
            return t;
    }
    return NULL;
}

static void acpi_add_cpu(struct acpi_info *info, uint32_t apic_id, uint32_t flags,
                         uint32_t boot_apic_id)
{
    if (!(flags & MADT_CPU_ENABLED))
        return;
    /* Keep the last slot for the boot CPU until it has been seen: it must be in the list. */
    bool boot_seen = false;
    for (unsigned i = 0; i < info->cpu_count; i++) {
        if (info->cpu_apic_id[i] == apic_id)
            return; /* listed twice (local APIC and x2APIC entries) */
        boot_seen |= info->cpu_apic_id[i] == boot_apic_id;
    }
    unsigned room = CPU_MAX - (boot_seen || apic_id == boot_apic_id ? 0 : 1);
    if (info->cpu_count >= room) {
        info->cpus_dropped++;
        return;
    }
    info->cpu_apic_id[info->cpu_count++] = apic_id;
}

/* An I/O APIC entry (§5.2.12.3): ID, reserved, the 32-bit address of its registers. */
static void acpi_add_ioapic(struct acpi_info *info, uint32_t base)
{
    if (info->ioapic_count < ACPI_MAX_IOAPICS)
        info->ioapic_base[info->ioapic_count++] = base;
    else
        info->ioapics_dropped++;
}

static const char *acpi_read_madt(const struct acpi_header *madt, uint32_t boot_apic_id,
                                  struct acpi_info *info)
{
    const uint8_t *base = (const uint8_t *)madt;
    info->has_8259 = get32(base + MADT_FLAGS) & MADT_PCAT_COMPAT;
    for (uint32_t off = MADT_ENTRIES; off + 2 <= madt->length;) {
        const uint8_t *e = base + off;
        uint8_t len = e[1];
        if (len < 2 || off + len > madt->length)
            return "the MADT has a malformed entry";
        if (e[0] == MADT_LOCAL_APIC && len >= 8)
            acpi_add_cpu(info, e[3], get32(e + 4), boot_apic_id);
        else if (e[0] == MADT_LOCAL_X2APIC && len >= 16)
            acpi_add_cpu(info, get32(e + 4), get32(e + 8), boot_apic_id);
        else if (e[0] == MADT_IO_APIC && len >= 12)
            acpi_add_ioapic(info, get32(e + 4));
        off += len;
    }
    if (info->cpu_count == 0)
        return "the MADT lists no enabled CPU";
    return NULL;
}

/* A FADT I/O port: the ACPI 1.0 field if set, else the I/O-space generic address. */
static uint16_t fadt_port(const struct acpi_header *fadt, unsigned legacy, unsigned gas)
{
    const uint8_t *b = (const uint8_t *)fadt;
    uint32_t port = get32(b + legacy);
    if (!port && fadt->length >= gas + FADT_GAS_SIZE && b[gas] == GAS_SYSTEM_IO)
        port = (uint32_t)get64(b + gas + 4);
    return port <= 0xffff ? (uint16_t)port : 0;
}

/* One integer element of an AML package: a ByteConst, Zero or One. */
static bool aml_small_int(const uint8_t **p, const uint8_t *end, uint8_t *value)
{
    if (*p >= end)
        return false;
    if (**p == AML_BYTE_PREFIX && *p + 1 < end) {
        *value = (*p)[1];
        *p += 2;
        return true;
    }
    if (**p == AML_ZERO || **p == AML_ONE) {
        *value = **p;
        *p += 1;
        return true;
    }
    return false;
}

/* \_S5 is "Name (_S5, Package () { SLP_TYPa, SLP_TYPb, ... })" (§7.4.2.6): find its
 * encoding in the DSDT rather than run an AML interpreter. */
static void acpi_read_s5(const struct acpi_header *dsdt, struct acpi_info *info)
{
    const uint8_t *b = (const uint8_t *)dsdt;
    const uint8_t *end = b + dsdt->length;
    for (const uint8_t *p = b + sizeof(*dsdt); p + 8 < end; p++) {
        if (memcmp(p, "_S5_", 4) != 0 || p[4] != AML_PACKAGE_OP)
            continue;
        const uint8_t *q = p + 5;
        q += 1 + (*q >> 6); /* PkgLength: the lead byte's top bits count the extra bytes */
        q += 1;             /* NumElements */
        if (aml_small_int(&q, end, &info->slp_typ_a) && aml_small_int(&q, end, &info->slp_typ_b))
            info->s5_known = true;
        return;
    }
}

static void acpi_read_fadt(const struct acpi_header *fadt, struct acpi_info *info)
{
    const uint8_t *b = (const uint8_t *)fadt;
    info->pm1a_cnt = fadt_port(fadt, FADT_PM1A_CNT_BLK, FADT_X_PM1A_CNT);
    info->pm1b_cnt = fadt_port(fadt, FADT_PM1B_CNT_BLK, FADT_X_PM1B_CNT);
    info->pm_timer = fadt_port(fadt, FADT_PM_TMR_BLK, FADT_X_PM_TMR);
    info->pm_timer_32bit = get32(b + FADT_FLAGS) & FADT_TMR_VAL_EXT;

    uint64_t dsdt = 0;
    if (fadt->length >= FADT_X_DSDT + 8)
        dsdt = get64(b + FADT_X_DSDT);
    if (!dsdt)
        dsdt = get32(b + FADT_DSDT);
    const struct acpi_header *t = acpi_table_at(dsdt, "DSDT");
    if (t)
        acpi_read_s5(t, info);
}

const char *acpi_parse(const void *rsdp_ptr, uint32_t boot_apic_id, struct acpi_info *info)
{
    const struct acpi_rsdp *rsdp = rsdp_ptr;
    memset(info, 0, sizeof(*info));
    if (!rsdp || memcmp(rsdp->signature, "RSD PTR ", 8) != 0 || !acpi_checksum_ok(rsdp, 20))
        return "the firmware gave no valid ACPI RSDP";

    const struct acpi_header *sdt;
    unsigned entry_size;
    if (rsdp->revision >= 2 && rsdp->xsdt && acpi_checksum_ok(rsdp, rsdp->length)) {
        sdt = acpi_table_at(rsdp->xsdt, "XSDT");
        entry_size = 8;
    } else {
        sdt = acpi_table_at(rsdp->rsdt, "RSDT");
        entry_size = 4;
    }
    if (!sdt)
        return "the ACPI root table (XSDT/RSDT) is missing or corrupt";

    const struct acpi_header *madt = acpi_find(sdt, entry_size, "APIC");
    if (!madt)
        return "ACPI has no MADT: the CPUs cannot be found";
    const char *err = acpi_read_madt(madt, boot_apic_id, info);
    if (err)
        return err;

    const struct acpi_header *fadt = acpi_find(sdt, entry_size, "FACP");
    if (fadt)
        acpi_read_fadt(fadt, info);
    return NULL;
}
