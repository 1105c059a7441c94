// SPDX-License-Identifier: MIT
/* A VM's ACPI tables (vacpi_model.h). Offsets and fields: ACPI 6.4 §5.2. */
#include <string.h>
#include "aml_model.h"
#include "vacpi_model.h"

#define VACPI_OEM_ID       "AXVM  "
#define VACPI_OEM_TABLE_ID "AXVMVM  "
#define VACPI_CREATOR      "AXVM"

#define GAS_LEN       12
#define GAS_SYSTEM_IO 1
#define GAS_BYTE      1
#define GAS_WORD      2
#define GAS_DWORD     3

/* FADT flags (§5.2.9 table 5.10) and IA-PC boot architecture flags (table 5.11). */
#define FADT_WBINVD        (1u << 0)
#define FADT_PROC_C1       (1u << 2)
#define FADT_PWR_BUTTON    (1u << 4) /* set: no fixed-feature power button */
#define FADT_SLP_BUTTON    (1u << 5) /* set: no fixed-feature sleep button */
#define FADT_RESET_REG_SUP (1u << 10)
#define BOOT_ARCH_NO_VGA   (1u << 2)
#define BOOT_ARCH_NO_CMOS  (1u << 5)

/* MADT (§5.2.12) */
#define MADT_PCAT_COMPAT      1u
#define MADT_LOCAL_APIC       0
#define MADT_IO_APIC          1
#define MADT_OVERRIDE         2
#define MADT_LOCAL_APIC_NMI   4
#define MADT_ENABLED          1u
#define MPS_ACTIVE_HIGH_LEVEL 0x000du /* polarity 01, trigger mode 11 */

/* Little-endian fields whatever the host: 'bytes' bytes of 'v' at 'p'; returns 'bytes'. */
static size_t put_le(uint8_t *p, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
    return bytes;
}

static void put8(uint8_t *p, size_t off, uint8_t v)
{
    p[off] = v;
}

static void put16(uint8_t *p, size_t off, uint16_t v)
{
    put_le(p + off, v, 2);
}

static void put32(uint8_t *p, size_t off, uint32_t v)
{
    put_le(p + off, v, 4);
}

static void put64(uint8_t *p, size_t off, uint64_t v)
{
    put_le(p + off, v, 8);
}

uint8_t vacpi_checksum(const uint8_t *p, size_t len)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + p[i]);
    return (uint8_t)(0x100 - sum);
}

/* The common header of every table but the RSDP and FACS (§5.2.6); checksummed by seal(). */
static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t revision)
{
    memcpy(t, sig, 4);
    put32(t, 4, len);
    put8(t, 8, revision);
    memcpy(t + 10, VACPI_OEM_ID, 6);
    memcpy(t + 16, VACPI_OEM_TABLE_ID, 8);
    put32(t, 24, 1);
    memcpy(t + 28, VACPI_CREATOR, 4);
    put32(t, 32, 1);
}

static void seal(uint8_t *t)
{
    uint32_t len;
    memcpy(&len, t + 4, sizeof(len));
    t[9] = 0;
    t[9] = vacpi_checksum(t, len);
}

/* A Generic Address Structure for 'bytes' bytes of I/O ports at 'port' (0: none). */
static void gas_io(uint8_t *p, size_t off, uint16_t port, unsigned bytes, uint8_t access)
{
    if (!port)
        return;
    put8(p, off, GAS_SYSTEM_IO);
    put8(p, off + 1, (uint8_t)(bytes * 8));
    put8(p, off + 3, access);
    put64(p, off + 4, port);
}

/* Resource descriptors (§6.4): large items, a tag byte and a 16-bit length. */
#define RES_MEMORY32_FIXED 0x86
#define RES_EXT_IRQ        0x89
#define RES_QWORD_SPACE    0x8a
#define RES_END_TAG        0x79
#define RES_IRQ_CONSUMER   0x01
#define RES_IRQ_EDGE       0x02 /* clear: level; active high (bit 2 clear), exclusive */
#define RES_SPACE_FIXED    0x0d /* consumer; _MIF and _MAF: exactly [min, max] */

/* _DSD's device-properties UUID daffd814-6eba-4d8c-8a91-bc9bbf4aa301, as ToUUID lays it out. */
static const uint8_t dsd_uuid[16] = {0x14, 0xd8, 0xff, 0xda, 0xba, 0x6e, 0x8c, 0x4d,
                                     0x8a, 0x91, 0xbc, 0x9b, 0xbf, 0x4a, 0xa3, 0x01};

/* A memory resource descriptor at 'r' for [base, base + size): 32-bit fixed when it ends
 * below 4 GiB, else a QWord range. Always without the read-write bit: Linux's generic UIO
 * driver maps only memory resources with no flag but IORESOURCE_MEM, and the bit would add
 * IORESOURCE_MEM_WRITEABLE (the _DSD's "read-only" says how the region is mapped). Returns
 * the length. */
static size_t memory_descriptor(uint8_t *r, uint64_t base, uint64_t size)
{
    size_t n = 0;
    if (base + size <= 0x100000000ull) {
        r[n++] = RES_MEMORY32_FIXED;
        n += put_le(r + n, 9, 2);
        r[n++] = 0; /* information: read-only */
        n += put_le(r + n, base, 4);
        n += put_le(r + n, size, 4);
        return n;
    }
    r[n++] = RES_QWORD_SPACE;
    n += put_le(r + n, 43, 2);
    r[n++] = 0; /* memory */
    r[n++] = RES_SPACE_FIXED;
    r[n++] = 0; /* read-only, non-cacheable */
    n += put_le(r + n, 0, 8);
    n += put_le(r + n, base, 8);
    n += put_le(r + n, base + size - 1, 8);
    n += put_le(r + n, 0, 8);
    n += put_le(r + n, size, 8);
    return n;
}

/* The region's _CRS: its memory, its doorbell register page (the UIO device's second map)
 * and its doorbell's interrupt. Returns the length. */
static size_t shmem_crs(const struct vacpi_shmem *s, uint8_t *r)
{
    size_t n = memory_descriptor(r, s->base, s->size);
    if (s->doorbell)
        n += memory_descriptor(r + n, s->doorbell, VACPI_DOORBELL_SIZE);
    if (s->gsi >= 0) {
        r[n++] = RES_EXT_IRQ;
        n += put_le(r + n, 6, 2);
        r[n++] = RES_IRQ_CONSUMER | RES_IRQ_EDGE;
        r[n++] = 1;
        n += put_le(r + n, (uint32_t)s->gsi, 4);
    }
    r[n++] = RES_END_TAG;
    r[n++] = 0; /* checksum 0: none computed */
    return n;
}

/* Package () { "<key>", <value> }: the value is written by the caller, then aml_end(). */
static size_t dsd_property(struct aml *a, const char *key)
{
    size_t mark = aml_package(a, 2);
    aml_string(a, key);
    return mark;
}

static void dsd_integer(struct aml *a, const char *key, uint64_t v)
{
    size_t p = dsd_property(a, key);
    aml_integer(a, v);
    aml_end(a, p);
}

static void dsd_string(struct aml *a, const char *key, const char *v)
{
    size_t p = dsd_property(a, key);
    aml_string(a, v);
    aml_end(a, p);
}

static void shmem_dsd(struct aml *a, const struct vacpi_shmem *s)
{
    aml_name(a, "_DSD");
    size_t dsd = aml_package(a, 2);
    aml_buffer(a, dsd_uuid, sizeof(dsd_uuid));
    size_t props = aml_package(a, (uint8_t)(4 + s->read_only + (s->gsi >= 0)));
    size_t p = dsd_property(a, "compatible");
    size_t list = aml_package(a, 2);
    aml_string(a, "axvm,shmem");
    aml_string(a, "generic-uio");
    aml_end(a, list);
    aml_end(a, p);
    /* What /sys/class/uio/uioN/name says: the device-tree node's name on the other arches. */
    dsd_string(a, "linux,uio-name", "shmem");
    dsd_string(a, "label", s->label);
    dsd_integer(a, "axvm,index", s->index);
    if (s->read_only)
        dsd_integer(a, "read-only", 1);
    if (s->gsi >= 0)
        dsd_integer(a, "axvm,irq", (uint32_t)s->gsi);
    aml_end(a, props);
    aml_end(a, dsd);
}

static void shmem_device(struct aml *a, const struct vacpi_shmem *s)
{
    char seg[5] = "SHM0";
    seg[3] = "0123456789ABCDEF"[s->index & 0xf];
    size_t dev = aml_device(a, seg);
    aml_name(a, "_HID");
    aml_string(a, "PRP0001");
    aml_name(a, "_UID");
    aml_integer(a, s->index);
    uint8_t crs[128];
    aml_name(a, "_CRS");
    aml_buffer(a, crs, shmem_crs(s, crs));
    shmem_dsd(a, s);
    aml_end(a, dev);
}

/* The DSDT's body (vacpi_model.h); returns its length, or 0 if it does not fit 'size'. */
static size_t build_dsdt_body(const struct vacpi_config *c, uint8_t *buf, size_t size)
{
    struct aml a;
    aml_init(&a, buf, size);
    aml_name(&a, "_S5_");
    size_t s5 = aml_package(&a, 4);
    aml_integer(&a, VACPI_SLP_TYP_S5); /* SLP_TYPa */
    aml_integer(&a, VACPI_SLP_TYP_S5); /* SLP_TYPb */
    aml_integer(&a, 0);
    aml_integer(&a, 0);
    aml_end(&a, s5);
    if (c->shmem_count) {
        size_t sb = aml_scope(&a, "\\_SB_");
        for (unsigned i = 0; i < c->shmem_count; i++)
            shmem_device(&a, &c->shmem[i]);
        aml_end(&a, sb);
    }
    return a.overflow ? 0 : a.len;
}

static void build_fadt(const struct vacpi_config *c, uint8_t *t, uint64_t facs, uint64_t dsdt)
{
    header(t, "FACP", VACPI_FADT_LEN, 6);
    put32(t, 36, (uint32_t)facs);
    put32(t, 40, (uint32_t)dsdt);
    put16(t, 46, c->sci_irq);
    put32(t, 56, c->pm1a_evt_port);
    put32(t, 64, c->pm1a_cnt_port);
    put32(t, 76, c->pm_tmr_port);
    put8(t, 88, 4);                      /* PM1_EVT_LEN */
    put8(t, 89, 2);                      /* PM1_CNT_LEN */
    put8(t, 91, c->pm_tmr_port ? 4 : 0); /* PM_TMR_LEN */
    put16(t, 96, 101);                   /* P_LVL2_LAT > 100: no C2 */
    put16(t, 98, 1001);                  /* P_LVL3_LAT > 1000: no C3 */
    put16(t, 109, BOOT_ARCH_NO_VGA | BOOT_ARCH_NO_CMOS);
    /* PWR_BUTTON clear: the fixed power button is there (PWRBTN_STS/EN in the PM1a event
     * block, the SCI), through which the console's `stop` asks the guest to power off. */
    uint32_t flags = FADT_WBINVD | FADT_PROC_C1 | FADT_SLP_BUTTON;
    if (c->reset_port)
        flags |= FADT_RESET_REG_SUP;
    put32(t, 112, flags);
    gas_io(t, 116, c->reset_port, 1, GAS_BYTE);
    put8(t, 128, c->reset_value);
    put8(t, 131, 4); /* FADT minor version: ACPI 6.4 */
    put64(t, 132, facs);
    put64(t, 140, dsdt);
    gas_io(t, 148, c->pm1a_evt_port, 4, GAS_WORD);
    gas_io(t, 172, c->pm1a_cnt_port, 2, GAS_WORD);
    gas_io(t, 208, c->pm_tmr_port, 4, GAS_DWORD);
    seal(t);
}

static size_t build_madt(const struct vacpi_config *c, uint8_t *t, size_t room)
{
    size_t len = 44 + 8 * (size_t)c->cpu_count + 12 + 2 * 10 + 6;
    if (len > room)
        return 0;
    header(t, "APIC", (uint32_t)len, 5);
    put32(t, 36, 0xfee00000u);
    put32(t, 40, MADT_PCAT_COMPAT);
    size_t off = 44;
    for (unsigned i = 0; i < c->cpu_count; i++, off += 8) {
        put8(t, off, MADT_LOCAL_APIC);
        put8(t, off + 1, 8);
        put8(t, off + 2, (uint8_t)i); /* ACPI processor UID */
        put8(t, off + 3, (uint8_t)i); /* APIC ID */
        put32(t, off + 4, MADT_ENABLED);
    }
    put8(t, off, MADT_IO_APIC);
    put8(t, off + 1, 12);
    put8(t, off + 2, c->ioapic_id);
    put32(t, off + 4, c->ioapic_base);
    put32(t, off + 8, 0); /* GSI base */
    off += 12;
    /* ISA IRQ 0 (the PIT) is wired to pin 2; the SCI is level-triggered, active high. */
    const struct {
        uint8_t irq;
        uint32_t gsi;
        uint16_t flags;
    } overrides[2] = {{0, 2, 0}, {c->sci_irq, c->sci_irq, MPS_ACTIVE_HIGH_LEVEL}};
    for (unsigned i = 0; i < 2; i++, off += 10) {
        put8(t, off, MADT_OVERRIDE);
        put8(t, off + 1, 10);
        put8(t, off + 2, 0); /* bus: ISA */
        put8(t, off + 3, overrides[i].irq);
        put32(t, off + 4, overrides[i].gsi);
        put16(t, off + 8, overrides[i].flags);
    }
    /* LINT1 of every local APIC is NMI, as on PCs. */
    put8(t, off, MADT_LOCAL_APIC_NMI);
    put8(t, off + 1, 6);
    put8(t, off + 2, 0xff); /* all processors */
    put16(t, off + 3, 0);
    put8(t, off + 5, 1);
    seal(t);
    return len;
}

size_t vacpi_build(const struct vacpi_config *c, uint64_t gpa, uint8_t *buf, size_t size)
{
    /* RSDP, FACS (64-byte aligned), XSDT, FADT and the MADT at fixed offsets; the DSDT, whose
     * length depends on the shared regions, last. */
    const size_t rsdp = 0, facs = 64, xsdt = 128, fadt = 192, madt = 480;
    const size_t xsdt_len = VACPI_HDR_LEN + 2 * 8;
    if (size < madt)
        return 0;
    memset(buf, 0, size);
    size_t madt_len = build_madt(c, buf + madt, size - madt);
    if (!madt_len)
        return 0;
    size_t dsdt = (madt + madt_len + 7) & ~(size_t)7;
    if (dsdt + VACPI_HDR_LEN >= size)
        return 0;
    size_t body = build_dsdt_body(c, buf + dsdt + VACPI_HDR_LEN, size - dsdt - VACPI_HDR_LEN);
    if (!body)
        return 0;

    memcpy(buf + facs, "FACS", 4);
    put32(buf, facs + 4, VACPI_FACS_LEN);
    put8(buf, facs + 32, 2); /* version */

    header(buf + dsdt, "DSDT", (uint32_t)(VACPI_HDR_LEN + body), 2);
    seal(buf + dsdt);

    build_fadt(c, buf + fadt, gpa + facs, gpa + dsdt);

    header(buf + xsdt, "XSDT", (uint32_t)xsdt_len, 1);
    put64(buf, xsdt + 36, gpa + fadt);
    put64(buf, xsdt + 44, gpa + madt);
    seal(buf + xsdt);

    memcpy(buf + rsdp, "RSD PTR ", 8);
    memcpy(buf + rsdp + 9, VACPI_OEM_ID, 6);
    put8(buf, rsdp + 15, 2); /* revision 2: the XSDT is valid */
    put32(buf, rsdp + 20, VACPI_RSDP_LEN);
    put64(buf, rsdp + 24, gpa + xsdt);
    put8(buf, rsdp + 8, vacpi_checksum(buf + rsdp, 20));
    put8(buf, rsdp + 32, vacpi_checksum(buf + rsdp, VACPI_RSDP_LEN));
    return dsdt + VACPI_HDR_LEN + body;
}
