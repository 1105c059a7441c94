// SPDX-License-Identifier: MIT
/*
 * The x86_64 MMIO instruction decoder and guest page-table walker (arch/x86_64/insn_decode.c,
 * gva_decode.c) on real encodings: the bytes are GNU as output for the instruction each test
 * names.
 */
#include <string.h>
#include "check.h"
#include "x86_64/gva_decode.h"
#include "x86_64/insn_decode.h"

struct want {
    unsigned length, width, reg, reg_width;
    bool write, high8, sign_extend, has_imm;
    uint64_t imm;
};

static void check_insn(const char *what, const uint8_t *bytes, unsigned len, enum x86_mode mode,
                       struct want w)
{
    struct x86_mmio_insn d;
    enum x86_decode_result r = x86_insn_decode(bytes, len, mode, &d);
    if (r != X86_DECODE_OK) {
        check_fail(__FILE__, __LINE__, "%s: decode returned %d", what, r);
        return;
    }
#define FIELD(f)                                                                                   \
    if (d.f != w.f)                                                                                \
        check_fail(__FILE__, __LINE__, "%s: " #f " 0x%llx, expected 0x%llx", what,                 \
                   (unsigned long long)d.f, (unsigned long long)w.f);
    FIELD(length)
    FIELD(write)
    FIELD(width)
    FIELD(has_imm)
    FIELD(imm)
    FIELD(high8)
    FIELD(sign_extend)
    if (!w.has_imm)
        FIELD(reg)
    if (!w.write)
        FIELD(reg_width)
#undef FIELD
}

#define INSN(mode, text, expect, ...)                                                              \
    do {                                                                                           \
        static const uint8_t b_[] = {__VA_ARGS__};                                                 \
        check_insn(text, b_, sizeof(b_), mode, (struct want)expect);                               \
    } while (0)

#define LOAD(len, w, r, rw)                                                                        \
    {                                                                                              \
        .length = len, .width = w, .reg = r, .reg_width = rw                                       \
    }
#define STORE(len, w, r)                                                                           \
    {                                                                                              \
        .length = len, .width = w, .reg = r, .write = true                                         \
    }
#define STORE_IMM(len, w, i)                                                                       \
    {                                                                                              \
        .length = len, .width = w, .write = true, .has_imm = true, .imm = i                        \
    }

TEST(x86_decode_mov_64)
{
    INSN(X86_MODE_64, "movl %eax,(%rdx)", STORE(2, 4, 0), 0x89, 0x02);
    INSN(X86_MODE_64, "movl (%rdx),%eax", LOAD(2, 4, 0, 4), 0x8b, 0x02);
    INSN(X86_MODE_64, "movb %al,0x5(%rdi)", STORE(3, 1, 0), 0x88, 0x47, 0x05);
    INSN(X86_MODE_64, "movq %r9,0x12345678(%rax,%rbx,4)", STORE(8, 8, 9), 0x4c, 0x89, 0x8c, 0x98,
         0x78, 0x56, 0x34, 0x12);
    INSN(X86_MODE_64, "movl 0x10(%rip),%r10d", LOAD(7, 4, 10, 4), 0x44, 0x8b, 0x15, 0x10, 0, 0, 0);
    INSN(X86_MODE_64, "movl %eax,%fs:(%rdx)", STORE(3, 4, 0), 0x64, 0x89, 0x02);
    INSN(X86_MODE_64, "addr32 movl %eax,(%edx)", STORE(3, 4, 0), 0x67, 0x89, 0x02);
    INSN(X86_MODE_64, "movb %r15b,(%r8)", STORE(3, 1, 15), 0x45, 0x88, 0x38);
    /* SIB with no base and no index: an absolute disp32. */
    INSN(X86_MODE_64, "movl 0xfee00000,%eax", LOAD(7, 4, 0, 4), 0x8b, 0x04, 0x25, 0x00, 0x00, 0xe0,
         0xfe);
    /* 66h then REX.W: REX.W wins. REX then 66h: the REX is not last, so it is ignored. */
    INSN(X86_MODE_64, "66 movq %rax,(%rdx)", STORE(4, 8, 0), 0x66, 0x48, 0x89, 0x02);
    INSN(X86_MODE_64, "rex.w 66 movw %ax,(%rdx)", STORE(4, 2, 0), 0x48, 0x66, 0x89, 0x02);
}

TEST(x86_decode_immediates_and_moffs)
{
    INSN(X86_MODE_64, "movw $0x1234,(%rcx)", STORE_IMM(5, 2, 0x1234), 0x66, 0xc7, 0x01, 0x34, 0x12);
    INSN(X86_MODE_64, "movq $-1,0x8(%rsp)", STORE_IMM(9, 8, ~0ull), 0x48, 0xc7, 0x44, 0x24, 0x08,
         0xff, 0xff, 0xff, 0xff);
    INSN(X86_MODE_64, "movl $0xdeadbeef,(%rax)", STORE_IMM(6, 4, 0xdeadbeef), 0xc7, 0x00, 0xef,
         0xbe, 0xad, 0xde);
    INSN(X86_MODE_64, "movb $0x5a,(%rax)", STORE_IMM(3, 1, 0x5a), 0xc6, 0x00, 0x5a);
    INSN(X86_MODE_64, "movabsl 0x1122334455667788,%eax", LOAD(9, 4, 0, 4), 0xa1, 0x88, 0x77, 0x66,
         0x55, 0x44, 0x33, 0x22, 0x11);
    INSN(X86_MODE_64, "movabsb %al,0xfee00000", STORE(9, 1, 0), 0xa2, 0x00, 0x00, 0xe0, 0xfe, 0, 0,
         0, 0);
    INSN(X86_MODE_32, "movl %eax,0xfee00020", STORE(5, 4, 0), 0xa3, 0x20, 0x00, 0xe0, 0xfe);
    INSN(X86_MODE_16, "movb 0x1234,%al", LOAD(3, 1, 0, 1), 0xa0, 0x34, 0x12);
    INSN(X86_MODE_16, "movw %ax,0x1234", STORE(3, 2, 0), 0xa3, 0x34, 0x12);
    INSN(X86_MODE_16, "movb $7,0x10(%bx,%si)", STORE_IMM(4, 1, 7), 0xc6, 0x40, 0x10, 0x07);
}

TEST(x86_decode_extensions)
{
    INSN(X86_MODE_64, "movzbl (%rsi),%ecx", LOAD(3, 1, 1, 4), 0x0f, 0xb6, 0x0e);
    INSN(X86_MODE_64, "movzwq 0x2(%rsi),%r8", LOAD(5, 2, 8, 8), 0x4c, 0x0f, 0xb7, 0x46, 0x02);
    INSN(X86_MODE_64, "movzbw (%rax),%ax", LOAD(4, 1, 0, 2), 0x66, 0x0f, 0xb6, 0x00);
    struct want sext = LOAD(3, 1, 0, 4);
    sext.sign_extend = true;
    INSN(X86_MODE_64, "movsbl (%rdx),%eax", sext, 0x0f, 0xbe, 0x02);
    sext = (struct want)LOAD(4, 2, 0, 8);
    sext.sign_extend = true;
    INSN(X86_MODE_64, "movswq (%rdx),%rax", sext, 0x48, 0x0f, 0xbf, 0x02);
    sext = (struct want)LOAD(3, 4, 0, 8);
    sext.sign_extend = true;
    INSN(X86_MODE_64, "movslq (%rdx),%rax", sext, 0x48, 0x63, 0x02);
    sext = (struct want)LOAD(4, 1, 2, 2);
    sext.sign_extend = true;
    INSN(X86_MODE_32, "movsbw (%eax),%dx", sext, 0x66, 0x0f, 0xbe, 0x10);
}

TEST(x86_decode_byte_registers)
{
    struct want ah = STORE(2, 1, 0);
    ah.high8 = true;
    INSN(X86_MODE_64, "movb %ah,(%rbx)", ah, 0x88, 0x23);
    INSN(X86_MODE_64, "movb %spl,(%rbx)", STORE(3, 1, 4), 0x40, 0x88, 0x23);
    struct want bh = LOAD(2, 1, 3, 1);
    bh.high8 = true;
    INSN(X86_MODE_64, "movb (%rbx),%bh", bh, 0x8a, 0x3b);
}

TEST(x86_decode_legacy_modes)
{
    INSN(X86_MODE_32, "movw (%ebx),%cx", LOAD(3, 2, 1, 2), 0x66, 0x8b, 0x0b);
    INSN(X86_MODE_32, "addr16 movb %al,(%bp,%si)", STORE(3, 1, 0), 0x67, 0x88, 0x02);
    INSN(X86_MODE_16, "movw %ax,(%bx)", STORE(2, 2, 0), 0x89, 0x07);
    INSN(X86_MODE_16, "movl %eax,0x10(%bp)", STORE(4, 4, 0), 0x66, 0x89, 0x46, 0x10);
    INSN(X86_MODE_16, "movw %ax,0x1234 (ModRM disp16)", STORE(4, 2, 0), 0x89, 0x06, 0x34, 0x12);
}

TEST(x86_decode_refuses)
{
    struct x86_mmio_insn d;
    static const uint8_t reg_reg[] = {0x89, 0xc2};          /* movl %eax,%edx */
    static const uint8_t add[] = {0x01, 0x02};              /* addl %eax,(%rdx) */
    static const uint8_t c7_1[] = {0xc7, 0x08, 1, 2, 3, 4}; /* C7 /1: not a MOV */
    static const uint8_t dec_eax[] = {0x48, 0x89, 0x02};    /* 32-bit: decl %eax, then a MOV */
    static const uint8_t arpl[] = {0x63, 0x02};             /* 32-bit: arpl */
    static const uint8_t disp32[] = {0x8b, 0x84, 0x24};     /* disp32 missing */
    static const uint8_t imm[] = {0xc7, 0x00, 0xef, 0xbe};  /* imm32 cut short */
    static const uint8_t prefixes[15] = {0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
                                         0x66, 0x66, 0x66, 0x66, 0x66, 0x89, 0x02};
    CHECK_EQ(x86_insn_decode(reg_reg, sizeof(reg_reg), X86_MODE_64, &d), X86_DECODE_UNSUPPORTED);
    CHECK_EQ(x86_insn_decode(add, sizeof(add), X86_MODE_64, &d), X86_DECODE_UNSUPPORTED);
    CHECK_EQ(x86_insn_decode(c7_1, sizeof(c7_1), X86_MODE_64, &d), X86_DECODE_UNSUPPORTED);
    CHECK_EQ(x86_insn_decode(dec_eax, sizeof(dec_eax), X86_MODE_32, &d), X86_DECODE_UNSUPPORTED);
    CHECK_EQ(x86_insn_decode(arpl, sizeof(arpl), X86_MODE_32, &d), X86_DECODE_UNSUPPORTED);
    CHECK_EQ(x86_insn_decode(disp32, sizeof(disp32), X86_MODE_64, &d), X86_DECODE_TRUNCATED);
    CHECK_EQ(x86_insn_decode(imm, sizeof(imm), X86_MODE_64, &d), X86_DECODE_TRUNCATED);
    CHECK_EQ(x86_insn_decode(add, 0, X86_MODE_64, &d), X86_DECODE_TRUNCATED);
    /* 13 prefixes, opcode and ModRM: exactly 15 bytes, still an instruction. One more prefix
     * makes it too long. */
    CHECK_EQ(x86_insn_decode(prefixes, sizeof(prefixes), X86_MODE_64, &d), X86_DECODE_OK);
    CHECK_EQ(d.length, 15);
    static const uint8_t too_long[16] = {0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
                                         0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x89, 0x02};
    CHECK_EQ(x86_insn_decode(too_long, sizeof(too_long), X86_MODE_64, &d), X86_DECODE_UNSUPPORTED);
}

TEST(x86_register_merge)
{
    const uint64_t r = 0x1122334455667788ull;
    CHECK_EQ(x86_reg_write(r, 0xaa, 1, false), 0x11223344556677aaull);
    CHECK_EQ(x86_reg_write(r, 0xaa, 1, true), 0x112233445566aa88ull);
    CHECK_EQ(x86_reg_write(r, 0xfffffffffffffeedull, 2, false), 0x112233445566feedull);
    CHECK_EQ(x86_reg_write(r, 0xffffffffdeadbeefull, 4, false), 0xdeadbeefull);
    CHECK_EQ(x86_reg_write(r, 0x0123456789abcdefull, 8, false), 0x0123456789abcdefull);
    CHECK_EQ(x86_reg_read(r, 1, false), 0x88);
    CHECK_EQ(x86_reg_read(r, 1, true), 0x77);
    CHECK_EQ(x86_reg_read(r, 2, false), 0x7788);
    CHECK_EQ(x86_reg_read(r, 4, false), 0x55667788);
    CHECK_EQ(x86_reg_read(r, 8, false), r);
}

/* ---- guest page tables ------------------------------------------------------------------- */

static uint8_t guest_ram[64 * 1024];

static bool ram_read(void *ctx, uint64_t gpa, void *buf, unsigned size)
{
    if (gpa + size > sizeof(guest_ram))
        return false;
    memcpy(buf, guest_ram + gpa, size);
    return true;
}

static void put64(uint64_t gpa, uint64_t v)
{
    memcpy(guest_ram + gpa, &v, 8);
}

static void put32(uint64_t gpa, uint32_t v)
{
    memcpy(guest_ram + gpa, &v, 4);
}

#define CR0_PG   0x80000000ull
#define CR4_PSE  0x10ull
#define CR4_PAE  0x20ull
#define CR4_LA57 0x1000ull
#define EFER_LMA 0x400ull
#define P        0x1ull
#define RW       0x2ull
#define PS       0x80ull

static bool walk(uint64_t cr0, uint64_t cr3, uint64_t cr4, uint64_t efer, uint64_t gva,
                 uint64_t *gpa)
{
    const struct x86_paging p = {cr0, cr3, cr4, efer, ram_read, NULL};
    return x86_gva_translate(&p, gva, gpa);
}

TEST(x86_gva_paging_off)
{
    uint64_t gpa = 0;
    CHECK(walk(0x11, 0, 0, 0, 0x123456, &gpa));
    CHECK_EQ(gpa, 0x123456);
    CHECK(walk(0x11, 0, 0, 0, 0x100123456ull, &gpa)); /* 32-bit linear addresses wrap */
    CHECK_EQ(gpa, 0x123456);
}

TEST(x86_gva_long_mode)
{
    memset(guest_ram, 0, sizeof(guest_ram));
    /* gva 0x0000_7f80_4060_1abc: PML4 index 255, PDPT 1, PD 3, PT 1. */
    const uint64_t gva = (255ull << 39) | (1ull << 30) | (3ull << 21) | (1ull << 12) | 0xabc;
    put64(0x1000 + 8 * 255, 0x2000 | P | RW);
    put64(0x2000 + 8 * 1, 0x3000 | P | RW);
    put64(0x3000 + 8 * 3, 0x4000 | P | RW);
    put64(0x4000 + 8 * 1, 0x00000123456789000ull | P | RW | (1ull << 63)); /* NX is not address */
    uint64_t gpa = 0;
    CHECK(walk(CR0_PG | 1, 0x1000, CR4_PAE, EFER_LMA, gva, &gpa));
    CHECK_EQ(gpa, 0x123456789abcull);

    /* A 2 MiB page at PD index 3: bit 12 of such an entry is PAT, not address. */
    put64(0x3000 + 8 * 3, 0x40000000ull | (1ull << 12) | P | RW | PS);
    CHECK(walk(CR0_PG | 1, 0x1000, CR4_PAE, EFER_LMA, gva, &gpa));
    CHECK_EQ(gpa, 0x40000000ull + (1ull << 12) + 0xabc);

    /* A 1 GiB page at PDPT index 1. */
    put64(0x2000 + 8 * 1, 0x80000000ull | P | RW | PS);
    CHECK(walk(CR0_PG | 1, 0x1000, CR4_PAE, EFER_LMA, gva, &gpa));
    CHECK_EQ(gpa, 0x80000000ull + (3ull << 21) + (1ull << 12) + 0xabc);

    /* Not present at the top. */
    CHECK(!walk(CR0_PG | 1, 0x1000, CR4_PAE, EFER_LMA, gva ^ (1ull << 39), &gpa));

    /* Five levels: a PML5 at 0x5000 whose entry 0 points at the same PML4. */
    put64(0x5000, 0x1000 | P | RW);
    CHECK(walk(CR0_PG | 1, 0x5000, CR4_PAE | CR4_LA57, EFER_LMA, gva, &gpa));
    CHECK_EQ(gpa, 0x80000000ull + (3ull << 21) + (1ull << 12) + 0xabc);

    /* Tables outside guest memory: no translation. */
    CHECK(!walk(CR0_PG | 1, 0x100000, CR4_PAE, EFER_LMA, gva, &gpa));
}

TEST(x86_gva_pae)
{
    memset(guest_ram, 0, sizeof(guest_ram));
    /* The PDPT is 32-byte aligned: CR3 bits 31:5. gva 0xc0403123: PDPT 3, PD 2, PT 3. */
    put64(0x1020 + 8 * 3, 0x2000 | P);
    put64(0x2000 + 8 * 2, 0x3000 | P | RW);
    put64(0x3000 + 8 * 3, 0x7000 | P | RW);
    uint64_t gpa = 0;
    CHECK(walk(CR0_PG | 1, 0x1020, CR4_PAE, 0, 0xc0403123, &gpa));
    CHECK_EQ(gpa, 0x7123);
    put64(0x2000 + 8 * 2, 0x12200000ull | P | RW | PS);
    CHECK(walk(CR0_PG | 1, 0x1020, CR4_PAE, 0, 0xc0403123, &gpa));
    CHECK_EQ(gpa, 0x12203123);
}

TEST(x86_gva_legacy_32bit)
{
    memset(guest_ram, 0, sizeof(guest_ram));
    /* gva 0x00c01234: PD index 3, PT index 1. */
    put32(0x1000 + 4 * 3, 0x2000 | P | RW);
    put32(0x2000 + 4 * 1, 0x9000 | P | RW);
    uint64_t gpa = 0;
    CHECK(walk(CR0_PG | 1, 0x1000, 0, 0, 0x00c01234, &gpa));
    CHECK_EQ(gpa, 0x9234);
    /* The same PDE as a 4 MiB page needs CR4.PSE; PSE-36 bits 20:13 are address bits 39:32. */
    put32(0x1000 + 4 * 3, 0x00800000 | (0x5 << 13) | P | RW | PS);
    CHECK(walk(CR0_PG | 1, 0x1000, CR4_PSE, 0, 0x00c01234, &gpa));
    CHECK_EQ(gpa, 0x500800000ull + 0x001234);
    /* Without CR4.PSE the PS bit is ignored: 0x00800000 is then the page table's address,
     * outside guest memory here. */
    CHECK(!walk(CR0_PG | 1, 0x1000, 0, 0, 0x00c01234, &gpa));
}
