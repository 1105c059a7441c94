// SPDX-License-Identifier: MIT
/* The RISC-V MMIO instruction decoder, on encodings produced by GNU as (rv64imafdc). */
#include "riscv64/insn_decode.h"
#include "check.h"

struct decode_case {
    uint32_t insn;
    const char *text; /* what the assembler made it from, for failure messages */
    unsigned len, width, reg;
    bool store, sign_extend;
};

static const struct decode_case accesses[] = {
    {0x00058503, "lb a0,0(a1)", 4, 1, 10, false, true},
    {0xffc41283, "lh t0,-4(s0)", 4, 2, 5, false, true},
    {0x7ff12d83, "lw s11,2047(sp)", 4, 4, 27, false, true},
    {0x008fb083, "ld ra,8(t6)", 4, 8, 1, false, false},
    {0x00554783, "lbu a5,5(a0)", 4, 1, 15, false, false},
    {0x0000df83, "lhu t6,0(ra)", 4, 2, 31, false, false},
    {0x00c26183, "lwu gp,12(tp)", 4, 4, 3, false, false},
    {0x00a58023, "sb a0,0(a1)", 4, 1, 10, true, false},
    {0x00661123, "sh t1,2(a2)", 4, 2, 6, true, false},
    {0xff29ac23, "sw s2,-8(s3)", 4, 4, 18, true, false},
    {0x01f2b823, "sd t6,16(t0)", 4, 8, 31, true, false},
    {0x00053023, "sd zero,0(a0)", 4, 8, 0, true, false},
    {0x41c8, "c.lw a0,4(a1)", 2, 4, 10, false, true},
    {0x6784, "c.ld s1,8(a5)", 2, 8, 9, false, false},
    {0xc290, "c.sw a2,0(a3)", 2, 4, 12, true, false},
    {0xff60, "c.sd s0,248(a4)", 2, 8, 8, true, false},
    {0x40b2, "c.lwsp ra,12(sp)", 2, 4, 1, false, true},
    {0x7ffe, "c.ldsp t6,504(sp)", 2, 8, 31, false, false},
    {0xc046, "c.swsp a7,0(sp)", 2, 4, 17, true, false},
    {0xe402, "c.sdsp zero,8(sp)", 2, 8, 0, true, false},
};

struct reject_case {
    uint32_t insn;
    const char *text;
};

static const struct reject_case others[] = {
    {0x00052007, "flw ft0,0(a0)"},
    {0x00153427, "fsd ft1,8(a0)"},
    {0x08b6252f, "amoswap.w a0,a1,(a2)"},
    {0x1005b52f, "lr.d a0,(a1)"},
    {0x00150513, "addi a0,a0,1"},
    {0x00000073, "ecall"},
    {0x10500073, "wfi"},
    {0x2100, "c.fld fs0,0(a0)"},
    {0xa584, "c.fsd fs1,8(a1)"},
    {0x0505, "c.addi a0,1"},
    {0x852e, "c.mv a0,a1"},
    {0x2082, "c.fldsp ft1,0(sp)"},
    {0x4002, "c.lwsp x0 (reserved)"},
    {0x6002, "c.ldsp x0 (reserved)"},
    {0x0000, "defined illegal instruction"},
    {0x0000003f, "48-bit encoding"},
};

TEST(riscv64_decode_loads_and_stores)
{
    for (unsigned i = 0; i < sizeof(accesses) / sizeof(accesses[0]); i++) {
        const struct decode_case *c = &accesses[i];
        struct riscv_mem_access a = {0};
        if (!riscv_insn_decode(c->insn, &a)) {
            check_fail(__FILE__, __LINE__, "%s (0x%08x) not decoded", c->text, c->insn);
            continue;
        }
        if (a.len != c->len || a.width != c->width || a.reg != c->reg || a.store != c->store ||
            a.sign_extend != c->sign_extend)
            check_fail(__FILE__, __LINE__, "%s (0x%08x): len %u width %u reg x%u store %d sign %d",
                       c->text, c->insn, a.len, a.width, a.reg, a.store, a.sign_extend);
    }
}

TEST(riscv64_decode_rejects_other_instructions)
{
    for (unsigned i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        struct riscv_mem_access a;
        if (riscv_insn_decode(others[i].insn, &a))
            check_fail(__FILE__, __LINE__, "%s (0x%08x) decoded as an access", others[i].text,
                       others[i].insn);
    }
}

TEST(riscv64_decode_compressed_ignores_upper_half)
{
    /* A 16-bit instruction read as 32 bits carries the next instruction in its upper half. */
    struct riscv_mem_access a;
    CHECK(riscv_insn_decode(0x852e41c8u, &a)); /* c.lw a0,4(a1); c.mv a0,a1 */
    CHECK_EQ(a.len, 2);
    CHECK_EQ(a.width, 4);
    CHECK_EQ(a.reg, 10);
}

TEST(riscv64_insn_length)
{
    CHECK_EQ(riscv_insn_length(0x41c8), 2);
    CHECK_EQ(riscv_insn_length(0x8503), 4);
    CHECK_EQ(riscv_insn_length(0x0001), 2);
    CHECK_EQ(riscv_insn_length(0x0002), 2);
}

TEST(riscv64_decode_transformed_htinst)
{
    struct riscv_mem_access a;
    /* c.lw a0,4(a1) reported as "lw a0,0(x0)" with bit 1 clear (Privileged spec 8.6.3). */
    CHECK(riscv_insn_decode_transformed(0x00002501u, &a));
    CHECK_EQ(a.len, 2);
    CHECK_EQ(a.width, 4);
    CHECK_EQ(a.reg, 10);
    CHECK(!a.store);
    CHECK(a.sign_extend);
    /* sw s2,-8(s3) with its address fields cleared. */
    CHECK(riscv_insn_decode_transformed(0x01202023u, &a));
    CHECK_EQ(a.len, 4);
    CHECK_EQ(a.width, 4);
    CHECK_EQ(a.reg, 18);
    CHECK(a.store);
    /* No information, and the pseudo-instructions of implicit VS-stage table accesses. */
    CHECK(!riscv_insn_decode_transformed(0, &a));
    CHECK(!riscv_insn_decode_transformed(0x00002000u, &a));
    CHECK(!riscv_insn_decode_transformed(0x00003020u, &a));
}
