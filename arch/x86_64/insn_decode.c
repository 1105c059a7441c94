// SPDX-License-Identifier: MIT
/*
 * A table-driven decoder for the MOV forms that access MMIO (insn_decode.h). The instruction
 * format is AMD APM vol. 3 chapter 1: legacy prefixes, REX (64-bit mode only, and only when it
 * comes last), opcode, ModRM, SIB, displacement, immediate.
 */
#include "insn_decode.h"

/* How an operand's size is given. */
enum size_kind {
    SZ_BYTE = 1,
    SZ_WORD,
    SZ_OP,      /* the operand size: 2, 4 or 8 bytes from mode, 66h and REX.W */
    SZ_OP_MAX4, /* the operand size, at most 4 bytes (MOVSXD's source) */
};

#define F_MODRM 0x01  /* a ModRM memory operand follows */
#define F_STORE 0x02  /* memory is written */
#define F_REG   0x04  /* the register operand is ModRM.reg */
#define F_ACC   0x08  /* the register operand is the accumulator (AL/AX/EAX/RAX) */
#define F_MOFFS 0x10  /* an address-sized offset instead of ModRM */
#define F_IMM   0x20  /* an immediate: 1 byte for a byte store, else 2 or 4 */
#define F_SEXT  0x40  /* the load sign-extends; otherwise a narrower load zero-extends */
#define F_LONG  0x80  /* valid in 64-bit mode only */
#define F_REG0  0x100 /* ModRM.reg must be 0 (group 11: MOV /0) */

struct opcode {
    uint16_t flags;
    uint8_t mem; /* size of the memory operand */
    uint8_t reg; /* size of the register operand */
};

static const struct opcode one_byte[256] = {
    [0x63] = {F_MODRM | F_REG | F_SEXT | F_LONG, SZ_OP_MAX4, SZ_OP}, /* MOVSXD r, r/m32 */
    [0x88] = {F_MODRM | F_REG | F_STORE, SZ_BYTE, SZ_BYTE},          /* MOV r/m8, r8 */
    [0x89] = {F_MODRM | F_REG | F_STORE, SZ_OP, SZ_OP},              /* MOV r/m, r */
    [0x8a] = {F_MODRM | F_REG, SZ_BYTE, SZ_BYTE},                    /* MOV r8, r/m8 */
    [0x8b] = {F_MODRM | F_REG, SZ_OP, SZ_OP},                        /* MOV r, r/m */
    [0xa0] = {F_MOFFS | F_ACC, SZ_BYTE, SZ_BYTE},                    /* MOV AL, moffs8 */
    [0xa1] = {F_MOFFS | F_ACC, SZ_OP, SZ_OP},                        /* MOV rAX, moffs */
    [0xa2] = {F_MOFFS | F_ACC | F_STORE, SZ_BYTE, SZ_BYTE},          /* MOV moffs8, AL */
    [0xa3] = {F_MOFFS | F_ACC | F_STORE, SZ_OP, SZ_OP},              /* MOV moffs, rAX */
    [0xc6] = {F_MODRM | F_STORE | F_IMM | F_REG0, SZ_BYTE, 0},       /* MOV r/m8, imm8 */
    [0xc7] = {F_MODRM | F_STORE | F_IMM | F_REG0, SZ_OP, 0},         /* MOV r/m, imm */
};

static const struct opcode two_byte[256] = {
    [0xb6] = {F_MODRM | F_REG, SZ_BYTE, SZ_OP},          /* MOVZX r, r/m8 */
    [0xb7] = {F_MODRM | F_REG, SZ_WORD, SZ_OP},          /* MOVZX r, r/m16 */
    [0xbe] = {F_MODRM | F_REG | F_SEXT, SZ_BYTE, SZ_OP}, /* MOVSX r, r/m8 */
    [0xbf] = {F_MODRM | F_REG | F_SEXT, SZ_WORD, SZ_OP}, /* MOVSX r, r/m16 */
};

#define REX_W 0x8
#define REX_R 0x4

static unsigned size_of(enum size_kind k, unsigned opsize)
{
    switch (k) {
    case SZ_BYTE:
        return 1;
    case SZ_WORD:
        return 2;
    case SZ_OP:
        return opsize;
    case SZ_OP_MAX4:
        return opsize > 4 ? 4 : opsize;
    }
    return 0;
}

static bool is_legacy_prefix(uint8_t b)
{
    switch (b) {
    case 0x26: /* ES: */
    case 0x2e: /* CS: */
    case 0x36: /* SS: */
    case 0x3e: /* DS: */
    case 0x64: /* FS: */
    case 0x65: /* GS: */
    case 0x66: /* operand size */
    case 0x67: /* address size */
    case 0xf0: /* LOCK */
    case 0xf2: /* REPNE */
    case 0xf3: /* REP */
        return true;
    default:
        return false;
    }
}

/* Bytes of displacement (and SIB) after a ModRM byte with a memory operand. */
static unsigned modrm_extra(uint8_t modrm, const uint8_t *next, unsigned avail, unsigned addr,
                            bool *truncated)
{
    unsigned mod = modrm >> 6, rm = modrm & 7;
    if (addr == 2) { /* 16-bit addressing has no SIB (APM vol. 3 table A-33) */
        if (mod == 0)
            return rm == 6 ? 2 : 0;
        return mod == 1 ? 1 : 2;
    }
    unsigned n = 0;
    if (rm == 4) { /* a SIB byte; base 5 with mod 0 means disp32 and no base */
        if (avail < 1) {
            *truncated = true;
            return 0;
        }
        n = 1;
        if (mod == 0 && (next[0] & 7) == 5)
            return n + 4;
    }
    if (mod == 0)
        return n + (rm == 5 ? 4 : 0); /* disp32, RIP-relative in 64-bit mode */
    return n + (mod == 1 ? 1 : 4);
}

enum x86_decode_result x86_insn_decode(const uint8_t *bytes, unsigned len, enum x86_mode mode,
                                       struct x86_mmio_insn *out)
{
    bool opsize_prefix = false, addr_prefix = false;
    uint8_t rex = 0;
    unsigned pos = 0;

    for (; pos < len; pos++) {
        uint8_t b = bytes[pos];
        if (is_legacy_prefix(b)) {
            opsize_prefix |= b == 0x66;
            addr_prefix |= b == 0x67;
            rex = 0; /* a REX not directly before the opcode is ignored */
        } else if (mode == X86_MODE_64 && (b & 0xf0) == 0x40) {
            rex = b;
        } else {
            break;
        }
    }
    if (pos >= len)
        return pos >= X86_INSN_MAX ? X86_DECODE_UNSUPPORTED : X86_DECODE_TRUNCATED;

    const struct opcode *op = &one_byte[bytes[pos++]];
    if (bytes[pos - 1] == 0x0f) {
        if (pos >= len)
            return X86_DECODE_TRUNCATED;
        op = &two_byte[bytes[pos++]];
    }
    if (!op->flags || ((op->flags & F_LONG) && mode != X86_MODE_64))
        return X86_DECODE_UNSUPPORTED;

    unsigned opsize, addr;
    if (mode == X86_MODE_64) {
        opsize = (rex & REX_W) ? 8 : opsize_prefix ? 2 : 4;
        addr = addr_prefix ? 4 : 8;
    } else {
        opsize = opsize_prefix ? 6 - mode : mode; /* 66h swaps 2 and 4 */
        addr = addr_prefix ? 6 - mode : mode;
    }

    *out = (struct x86_mmio_insn){0};
    out->write = op->flags & F_STORE;
    out->width = size_of(op->mem, opsize);

    if (op->flags & F_MODRM) {
        if (pos >= len)
            return X86_DECODE_TRUNCATED;
        uint8_t modrm = bytes[pos++];
        if ((modrm >> 6) == 3)
            return X86_DECODE_UNSUPPORTED; /* a register operand: no memory access */
        unsigned reg = (modrm >> 3) & 7;
        if ((op->flags & F_REG0) && reg != 0)
            return X86_DECODE_UNSUPPORTED;
        out->reg = reg | ((rex & REX_R) ? 8 : 0);
        bool truncated = false;
        pos += modrm_extra(modrm, bytes + pos, len - pos, addr, &truncated);
        if (truncated)
            return X86_DECODE_TRUNCATED;
    } else if (op->flags & F_MOFFS) {
        pos += addr;
    }

    if (op->flags & F_IMM) {
        unsigned n = out->width == 8 ? 4 : out->width; /* imm32 sign-extended for 64 bits */
        if (pos + n > len)
            return pos + n > X86_INSN_MAX ? X86_DECODE_UNSUPPORTED : X86_DECODE_TRUNCATED;
        uint64_t imm = 0;
        for (unsigned i = 0; i < n; i++)
            imm |= (uint64_t)bytes[pos + i] << (8 * i);
        if (out->width == 8)
            imm = (uint64_t)(int64_t)(int32_t)(uint32_t)imm;
        out->has_imm = true;
        out->imm = imm;
        pos += n;
    }
    if (pos > X86_INSN_MAX)
        return X86_DECODE_UNSUPPORTED;
    if (pos > len)
        return X86_DECODE_TRUNCATED;

    if (op->flags & (F_REG | F_ACC)) {
        out->reg_width = size_of(op->reg, opsize);
        /* Without REX, byte registers 4-7 are AH, CH, DH, BH (APM vol. 3 §1.4.2). */
        if (out->reg_width == 1 && !rex && out->reg >= 4 && out->reg < 8) {
            out->high8 = true;
            out->reg -= 4;
        }
        out->sign_extend = (op->flags & F_SEXT) && out->reg_width > out->width;
    }
    out->length = pos;
    return X86_DECODE_OK;
}

uint64_t x86_reg_read(uint64_t contents, unsigned width, bool high8)
{
    if (high8)
        return (contents >> 8) & 0xff;
    return width >= 8 ? contents : contents & ((1ull << (width * 8)) - 1);
}

uint64_t x86_reg_write(uint64_t contents, uint64_t value, unsigned width, bool high8)
{
    if (high8)
        return (contents & ~0xff00ull) | ((value & 0xff) << 8);
    switch (width) {
    case 1:
        return (contents & ~0xffull) | (value & 0xff);
    case 2:
        return (contents & ~0xffffull) | (value & 0xffff);
    case 4:
        return value & 0xffffffffull;
    default:
        return value;
    }
}
