/* SPDX-License-Identifier: MIT */
#ifndef X86_64_INSN_DECODE_H
#define X86_64_INSN_DECODE_H

/*
 * Decoding the guest instructions that reach emulated MMIO. A nested page fault gives the
 * guest-physical address but, without decode assists (QEMU's SVM has none), neither the
 * instruction, its length nor its register: the hypervisor reads the bytes at the guest's RIP
 * and decodes them itself. The address is known already, so only what the access does matters:
 * direction, width, the register or immediate, and the length to step over.
 *
 * Covered (AMD APM vol. 3, "MOV", "MOVZX", "MOVSX", "MOVSXD"): MOV 88/89/8A/8B with any
 * ModRM/SIB/displacement form, MOV A0-A3 (moffs), MOV C6/C7 /0 with an immediate, MOVZX 0F B6/B7,
 * MOVSX 0F BE/BF, MOVSXD 63 (64-bit mode); legacy prefixes (66, 67, segment, LOCK, REP) and REX.
 * Pure C: also built into the host unit tests (tests/unit/test_x86_64_decode.c).
 */

#include <stdbool.h>
#include <stdint.h>

/* Default operand and address size of the code segment, in bytes. */
enum x86_mode {
    X86_MODE_16 = 2, /* real mode, or CS.D = 0 */
    X86_MODE_32 = 4, /* protected mode with CS.D = 1, or compatibility mode */
    X86_MODE_64 = 8, /* long mode with CS.L = 1 */
};

#define X86_INSN_MAX 15 /* the architectural limit on an instruction's length */

struct x86_mmio_insn {
    unsigned length;    /* bytes, prefixes included */
    bool write;         /* a store to memory */
    unsigned width;     /* bytes the memory access moves: 1, 2, 4 or 8 */
    bool has_imm;       /* a store of 'imm' rather than of register 'reg' */
    uint64_t imm;       /* the immediate, sign-extended to 'width' as the CPU would */
    unsigned reg;       /* the register operand, 0-15 in encoding order (0 = RAX) */
    bool high8;         /* 'reg' (0-3) names AH, CH, DH or BH */
    unsigned reg_width; /* loads: bytes of 'reg' written (4 zero-extends to 64 bits) */
    bool sign_extend;   /* loads: the value is sign-extended to 'reg_width' */
};

enum x86_decode_result {
    X86_DECODE_OK = 0,
    X86_DECODE_UNSUPPORTED = -1, /* not an instruction this decoder knows */
    X86_DECODE_TRUNCATED = -2,   /* needs more than the 'len' bytes given */
};

/* Decode the instruction at 'bytes' ('len' of them available) as executed in 'mode'. */
enum x86_decode_result x86_insn_decode(const uint8_t *bytes, unsigned len, enum x86_mode mode,
                                       struct x86_mmio_insn *out);

/* The value a store of register 'reg' puts in memory, given the register's 64-bit contents:
 * its low 'width' bytes, or bits 8-15 for AH..BH. */
uint64_t x86_reg_read(uint64_t contents, unsigned width, bool high8);

/* The register's new contents after a load of 'value' into its low 'width' bytes (AH..BH if
 * 'high8'): 1 and 2 bytes merge, 4 zero-extends to 64 bits, 8 replaces. */
uint64_t x86_reg_write(uint64_t contents, uint64_t value, unsigned width, bool high8);

#endif
