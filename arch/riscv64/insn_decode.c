// SPDX-License-Identifier: MIT
/*
 * Table-driven decoding of RV64 loads and stores for MMIO emulation (see insn_decode.h). Each
 * row matches an encoding under a mask and says where its register field is.
 */
#include "insn_decode.h"

enum reg_field {
    REG_RD,     /* 32-bit I-type: rd = bits 11:7 */
    REG_RS2,    /* 32-bit S-type: rs2 = bits 24:20 */
    REG_C_RDP,  /* CL: rd' = bits 4:2, x8-x15 */
    REG_C_RS2P, /* CS: rs2' = bits 4:2, x8-x15 */
    REG_C_RD,   /* CI (C.LWSP, C.LDSP): rd = bits 11:7, x0 reserved */
    REG_C_RS2,  /* CSS (C.SWSP, C.SDSP): rs2 = bits 6:2 */
};

struct insn_pattern {
    uint32_t mask;
    uint32_t match;
    uint8_t width;
    bool store;
    bool sign_extend;
    enum reg_field field;
};

/* RV64I loads (opcode LOAD 0x03) and stores (STORE 0x23): funct3 gives the width. */
#define OP32_MASK 0x0000707fu
static const struct insn_pattern patterns32[] = {
    {OP32_MASK, 0x00000003u, 1, false, true, REG_RD},  /* LB */
    {OP32_MASK, 0x00001003u, 2, false, true, REG_RD},  /* LH */
    {OP32_MASK, 0x00002003u, 4, false, true, REG_RD},  /* LW */
    {OP32_MASK, 0x00003003u, 8, false, false, REG_RD}, /* LD */
    {OP32_MASK, 0x00004003u, 1, false, false, REG_RD}, /* LBU */
    {OP32_MASK, 0x00005003u, 2, false, false, REG_RD}, /* LHU */
    {OP32_MASK, 0x00006003u, 4, false, false, REG_RD}, /* LWU */
    {OP32_MASK, 0x00000023u, 1, true, false, REG_RS2}, /* SB */
    {OP32_MASK, 0x00001023u, 2, true, false, REG_RS2}, /* SH */
    {OP32_MASK, 0x00002023u, 4, true, false, REG_RS2}, /* SW */
    {OP32_MASK, 0x00003023u, 8, true, false, REG_RS2}, /* SD */
};

/* RVC (RV64C): quadrant in bits 1:0, funct3 in bits 15:13. */
#define OP16_MASK 0xe003u
static const struct insn_pattern patterns16[] = {
    {OP16_MASK, 0x4000u, 4, false, true, REG_C_RDP},  /* C.LW */
    {OP16_MASK, 0x6000u, 8, false, false, REG_C_RDP}, /* C.LD */
    {OP16_MASK, 0xc000u, 4, true, false, REG_C_RS2P}, /* C.SW */
    {OP16_MASK, 0xe000u, 8, true, false, REG_C_RS2P}, /* C.SD */
    {OP16_MASK, 0x4002u, 4, false, true, REG_C_RD},   /* C.LWSP */
    {OP16_MASK, 0x6002u, 8, false, false, REG_C_RD},  /* C.LDSP */
    {OP16_MASK, 0xc002u, 4, true, false, REG_C_RS2},  /* C.SWSP */
    {OP16_MASK, 0xe002u, 8, true, false, REG_C_RS2},  /* C.SDSP */
};

unsigned riscv_insn_length(uint16_t low)
{
    return (low & 3) == 3 ? 4 : 2;
}

static unsigned reg_field_get(enum reg_field field, uint32_t insn)
{
    switch (field) {
    case REG_RD:
    case REG_C_RD:
        return (insn >> 7) & 0x1f;
    case REG_RS2:
        return (insn >> 20) & 0x1f;
    case REG_C_RDP:
    case REG_C_RS2P:
        return 8 + ((insn >> 2) & 7);
    case REG_C_RS2:
        return (insn >> 2) & 0x1f;
    }
    return 0;
}

static bool match_table(const struct insn_pattern *table, unsigned count, uint32_t insn,
                        unsigned len, struct riscv_mem_access *out)
{
    for (unsigned i = 0; i < count; i++) {
        const struct insn_pattern *p = &table[i];
        if ((insn & p->mask) != p->match)
            continue;
        unsigned reg = reg_field_get(p->field, insn);
        if (p->field == REG_C_RD && reg == 0)
            return false; /* C.LWSP/C.LDSP with rd = x0 are reserved encodings */
        *out = (struct riscv_mem_access){
            .len = len,
            .width = p->width,
            .store = p->store,
            .sign_extend = p->sign_extend,
            .reg = reg,
        };
        return true;
    }
    return false;
}

bool riscv_insn_decode(uint32_t insn, struct riscv_mem_access *out)
{
    unsigned len = riscv_insn_length((uint16_t)insn);
    if (len == 2) {
        insn &= 0xffffu;
        /* All zeros is the defined illegal instruction, not C.ADDI4SPN or a load. */
        return insn != 0 &&
               match_table(patterns16, sizeof(patterns16) / sizeof(patterns16[0]), insn, 2, out);
    }
    /* Encodings of 48 bits and more have bits 4:2 = 0b111; none is a load or store. */
    if ((insn & 0x1c) == 0x1c)
        return false;
    return match_table(patterns32, sizeof(patterns32) / sizeof(patterns32[0]), insn, 4, out);
}

bool riscv_insn_decode_transformed(uint32_t htinst, struct riscv_mem_access *out)
{
    if (!(htinst & 1))
        return false; /* zero or a pseudo-instruction */
    /* Bit 1 clear marks a compressed original; decode the 32-bit form it was transformed to. */
    unsigned len = (htinst & 2) ? 4 : 2;
    if (!riscv_insn_decode(htinst | 2, out) || out->len != 4)
        return false;
    out->len = len;
    return true;
}
