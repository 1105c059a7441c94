// SPDX-License-Identifier: MIT
/* A VM's generated ACPI tables (arch/x86_64/vacpi_model.c): pointers, lengths, checksums, the
 * MADT's entries, the FADT's ports and the DSDT's \_S5. */
#include <string.h>
#include "check.h"
#include "x86_64/aml_model.h"
#include "x86_64/vacpi_model.h"

#define GPA 0xe0000ull

static uint8_t buf[4096];

static const struct vacpi_config cfg = {
    .cpu_count = 3,
    .ioapic_base = 0xfec00000,
    .ioapic_id = 3,
    .pm1a_evt_port = 0x600,
    .pm1a_cnt_port = 0x604,
    .pm_tmr_port = 0x608,
    .reset_port = 0x60c,
    .reset_value = 1,
    .sci_irq = 9,
};

static uint32_t u32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t u64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static const uint8_t *table(uint64_t gpa)
{
    CHECK(gpa >= GPA && gpa < GPA + sizeof(buf));
    return buf + (gpa - GPA);
}

static unsigned sum(const uint8_t *p, size_t len)
{
    unsigned s = 0;
    for (size_t i = 0; i < len; i++)
        s += p[i];
    return s & 0xff;
}

static const uint8_t *build(void)
{
    size_t used = vacpi_build(&cfg, GPA, buf, sizeof(buf));
    CHECK(used > 0 && used < sizeof(buf));
    return buf;
}

TEST(acpi_rsdp_and_xsdt)
{
    const uint8_t *rsdp = build();
    CHECK(memcmp(rsdp, "RSD PTR ", 8) == 0);
    CHECK_EQ(sum(rsdp, 20), 0);
    CHECK_EQ(sum(rsdp, 36), 0);
    CHECK_EQ(rsdp[15], 2);
    CHECK_EQ(u32(rsdp + 20), 36);
    const uint8_t *xsdt = table(u64(rsdp + 24));
    CHECK(memcmp(xsdt, "XSDT", 4) == 0);
    CHECK_EQ(u32(xsdt + 4), 36 + 16);
    CHECK_EQ(sum(xsdt, u32(xsdt + 4)), 0);
    CHECK(memcmp(table(u64(xsdt + 36)), "FACP", 4) == 0);
    CHECK(memcmp(table(u64(xsdt + 44)), "APIC", 4) == 0);
}

TEST(acpi_fadt)
{
    build();
    const uint8_t *fadt = table(u64(table(u64(buf + 24)) + 36));
    CHECK_EQ(u32(fadt + 4), VACPI_FADT_LEN);
    CHECK_EQ(sum(fadt, VACPI_FADT_LEN), 0);
    CHECK_EQ(fadt[8], 6);
    CHECK_EQ(fadt[46], 9);       /* SCI */
    CHECK_EQ(u32(fadt + 48), 0); /* SMI_CMD: always in ACPI mode */
    CHECK_EQ(u32(fadt + 56), 0x600);
    CHECK_EQ(u32(fadt + 64), 0x604);
    CHECK_EQ(u32(fadt + 76), 0x608);
    CHECK_EQ(fadt[88], 4);
    CHECK_EQ(fadt[89], 2);
    CHECK_EQ(fadt[91], 4);
    CHECK(u32(fadt + 112) & (1u << 10)); /* RESET_REG_SUP */
    /* Reset register: system I/O, 8 bits, at the port, with its value. */
    CHECK_EQ(fadt[116], 1);
    CHECK_EQ(fadt[117], 8);
    CHECK_EQ(u64(fadt + 120), 0x60c);
    CHECK_EQ(fadt[128], 1);
    /* The 64-bit PM1a control block agrees with the 32-bit one. */
    CHECK_EQ(fadt[172], 1);
    CHECK_EQ(fadt[173], 16);
    CHECK_EQ(u64(fadt + 176), 0x604);
    /* FACS and DSDT, both in 32 and 64 bits. */
    const uint8_t *facs = table(u32(fadt + 36));
    CHECK_EQ(u64(fadt + 132), u32(fadt + 36));
    CHECK(memcmp(facs, "FACS", 4) == 0);
    CHECK_EQ(u32(facs + 4), 64);
    CHECK_EQ((u32(fadt + 36) & 63), 0);
    CHECK_EQ(u64(fadt + 140), u32(fadt + 40));
}

TEST(acpi_dsdt_s5)
{
    build();
    const uint8_t *fadt = table(u64(table(u64(buf + 24)) + 36));
    const uint8_t *dsdt = table(u32(fadt + 40));
    CHECK(memcmp(dsdt, "DSDT", 4) == 0);
    CHECK_EQ(sum(dsdt, u32(dsdt + 4)), 0);
    static const uint8_t s5[] = {0x08, '_',  'S', '5',  '_', 0x12, 0x08,
                                 0x04, 0x0a, 5,   0x0a, 5,   0x00, 0x00};
    CHECK_EQ(u32(dsdt + 4), 36 + sizeof(s5));
    CHECK(memcmp(dsdt + 36, s5, sizeof(s5)) == 0);
}

TEST(acpi_madt_entries)
{
    build();
    const uint8_t *madt = table(u64(table(u64(buf + 24)) + 44));
    uint32_t len = u32(madt + 4);
    CHECK_EQ(len, 44 + 3 * 8 + 12 + 2 * 10 + 6);
    CHECK_EQ(sum(madt, len), 0);
    CHECK_EQ(u32(madt + 36), 0xfee00000);
    CHECK_EQ(u32(madt + 40), 1); /* PCAT_COMPAT: the 8259s are there */
    unsigned lapics = 0, ioapics = 0, overrides = 0, nmis = 0;
    for (uint32_t off = 44; off < len; off += madt[off + 1]) {
        const uint8_t *e = madt + off;
        CHECK(e[1] > 0);
        switch (e[0]) {
        case 0:
            CHECK_EQ(e[1], 8);
            CHECK_EQ(e[2], lapics); /* processor UID */
            CHECK_EQ(e[3], lapics); /* APIC ID = vCPU index */
            CHECK_EQ(u32(e + 4), 1);
            lapics++;
            break;
        case 1:
            CHECK_EQ(e[1], 12);
            CHECK_EQ(e[2], 3);
            CHECK_EQ(u32(e + 4), 0xfec00000);
            CHECK_EQ(u32(e + 8), 0);
            ioapics++;
            break;
        case 2:
            CHECK_EQ(e[1], 10);
            if (e[3] == 0) {
                CHECK_EQ(u32(e + 4), 2);
            } else {
                CHECK_EQ(e[3], 9);
                CHECK_EQ(u32(e + 4), 9);
                CHECK_EQ(e[8] | e[9] << 8, 0xd);
            }
            overrides++;
            break;
        case 4:
            CHECK_EQ(e[5], 1);
            nmis++;
            break;
        default:
            CHECK(!"unexpected MADT entry");
        }
    }
    CHECK_EQ(lapics, 3);
    CHECK_EQ(ioapics, 1);
    CHECK_EQ(overrides, 2);
    CHECK_EQ(nmis, 1);
}

TEST(acpi_too_small)
{
    CHECK_EQ(vacpi_build(&cfg, GPA, buf, 256), 0);
    CHECK_EQ(vacpi_build(&cfg, GPA, buf, 600), 0);
}

/* Where 'needle' first occurs in p[0..len), or NULL. */
static const uint8_t *find(const uint8_t *p, size_t len, const void *needle, size_t n)
{
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(p + i, needle, n) == 0)
            return p + i;
    return NULL;
}

static unsigned count(const uint8_t *p, size_t len, const char *needle)
{
    unsigned c = 0;
    for (const uint8_t *q = p; (q = find(q, len - (size_t)(q - p), needle, strlen(needle))); q++)
        c++;
    return c;
}

static const uint8_t *dsdt_of(size_t *len)
{
    const uint8_t *fadt = table(u64(table(u64(buf + 24)) + 36));
    const uint8_t *dsdt = table(u64(fadt + 140));
    *len = u32(dsdt + 4);
    CHECK(memcmp(dsdt, "DSDT", 4) == 0);
    CHECK_EQ(sum(dsdt, *len), 0);
    return dsdt;
}

/* Two regions: one below 4 GiB with a doorbell on pin 10, one above, read-only, without. */
TEST(acpi_dsdt_shmem_devices)
{
    static const struct vacpi_shmem shm[2] = {
        {.base = 0x20000000,
         .size = 0x1000,
         .label = "mailbox",
         .index = 0,
         .gsi = 10,
         .doorbell = 0x20010000},
        {.base = 0x4000000000ull,
         .size = 0x200000,
         .label = "table",
         .index = 3,
         .gsi = -1,
         .read_only = true},
    };
    struct vacpi_config c = cfg;
    c.shmem = shm;
    c.shmem_count = 2;
    size_t used = vacpi_build(&c, GPA, buf, sizeof(buf));
    CHECK(used > 0 && used <= sizeof(buf));
    size_t len;
    const uint8_t *dsdt = dsdt_of(&len);
    CHECK_EQ((size_t)(dsdt - buf) + len, used);
    /* \_S5 first, unchanged, then Scope (\_SB) to the table's very end. */
    const uint8_t *body = dsdt + 36, *end = dsdt + len;
    CHECK_EQ(body[0], 0x08);
    CHECK_EQ(body[6], 8);
    const uint8_t *scope = body + 14;
    CHECK_EQ(scope[0], 0x10);
    size_t lb, slen = aml_pkg_length(scope + 1, (size_t)(end - scope - 1), &lb);
    CHECK_EQ(slen, (size_t)(end - scope - 1));
    CHECK(memcmp(scope + 1 + lb, "\\_SB_", 5) == 0);
    /* Two devices, SHM0 and SHM3, back to back, filling the scope. */
    const uint8_t *dev = scope + 1 + lb + 5;
    const char *names[2] = {"SHM0", "SHM3"};
    for (unsigned i = 0; i < 2; i++) {
        CHECK_EQ(dev[0], 0x5b);
        CHECK_EQ(dev[1], 0x82);
        size_t db, dlen = aml_pkg_length(dev + 2, (size_t)(end - dev - 2), &db);
        CHECK(dlen > 0 && dev + 2 + dlen <= end);
        CHECK(memcmp(dev + 2 + db, names[i], 4) == 0);
        CHECK_EQ(count(dev, dlen + 2, "PRP0001"), 1);
        CHECK_EQ(count(dev, dlen + 2, "generic-uio"), 1);
        CHECK_EQ(count(dev, dlen + 2, "linux,uio-name"), 1);
        dev += 2 + dlen;
    }
    CHECK(dev == end);
    /* Region 0: Memory32Fixed (without the read-write bit, which Linux's UIO driver would
     * not map; base, size), its doorbell register page the same way right after it, and the
     * doorbell interrupt: extended interrupt, consumer, edge, active high, one GSI. */
    const uint8_t mem0[] = {0x86, 9, 0, 0, 0, 0, 0, 0x20, 0, 0x10, 0, 0};
    const uint8_t bell0[] = {0x86, 9, 0, 0, 0, 0, 1, 0x20, 0, 0x10, 0, 0};
    const uint8_t irq0[] = {0x89, 6, 0, 0x03, 1, 10, 0, 0, 0, 0x79};
    const uint8_t *m0 = find(body, len - 36, mem0, sizeof(mem0));
    CHECK(m0 && memcmp(m0 + sizeof(mem0), bell0, sizeof(bell0)) == 0);
    CHECK(find(body, len - 36, irq0, sizeof(irq0)));
    CHECK_EQ(count(body, len - 36, "mailbox"), 1);
    CHECK_EQ(count(body, len - 36, "axvm,irq"), 1);
    /* Region 1: a QWord memory range consumed, read-only, [min, max] fixed, no interrupt. */
    const uint8_t *q = find(body, len - 36, "\x8a\x2b\x00\x00\x0d\x00", 6);
    CHECK(q);
    CHECK_EQ(u64(q + 14), 0x4000000000ull);
    CHECK_EQ(u64(q + 22), 0x40001fffffull);
    CHECK_EQ(u64(q + 38), 0x200000);
    CHECK_EQ(q[46], 0x79);
    CHECK_EQ(count(body, len - 36, "read-only"), 1);
}

/* PkgLength round trip at each encoding's edges: a scope whose body is 'n' ZeroOps. */
TEST(aml_pkg_lengths)
{
    static uint8_t out[1 << 13];
    const size_t bodies[] = {0, 1, 62, 63, 4093, 4094, 5000};
    const size_t widths[] = {1, 1, 1, 2, 2, 3, 3};
    for (unsigned i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        struct aml a;
        aml_init(&a, out, sizeof(out));
        size_t mark = aml_scope(&a, "");
        for (size_t k = 0; k < bodies[i]; k++)
            aml_integer(&a, 0);
        aml_end(&a, mark);
        CHECK(!a.overflow);
        CHECK_EQ(out[0], 0x10);
        size_t bytes, got = aml_pkg_length(out + 1, a.len - 1, &bytes);
        CHECK_EQ(got, a.len - 1);
        CHECK_EQ(bytes, widths[i]);
        CHECK_EQ(got, bodies[i] + widths[i]);
        CHECK_EQ(out[1 + bytes], 0); /* the body moved up behind the length */
    }
    /* An overflowing writer says so and stops. */
    struct aml a;
    aml_init(&a, out, 8);
    aml_string(&a, "too long for eight");
    CHECK(a.overflow);
    size_t len = a.len;
    CHECK(len < 8);
    aml_integer(&a, 0);
    CHECK_EQ(a.len, len);
}
