/* SPDX-License-Identifier: MIT */
#ifndef RISCV64_INSN_DECODE_H
#define RISCV64_INSN_DECODE_H

/*
 * Decoding the guest loads and stores that reach emulated MMIO. On a guest-page fault the
 * hardware gives the address (htval) but, on QEMU 7.2, no instruction (htinst = 0), so the
 * hypervisor reads the instruction itself and needs to know its width, direction and
 * register. Pure C: also built into the host unit tests (tests/unit/test_riscv64_decode.c).
 *
 * Covered: RV64I LB/LH/LW/LD/LBU/LHU/LWU, SB/SH/SW/SD and the RVC forms C.LW/C.LD/C.SW/C.SD,
 * C.LWSP/C.LDSP/C.SWSP/C.SDSP (RISC-V Unprivileged ISA 20191213, chapters 2, 5 and 16).
 * Floating-point, atomic and other accesses are not MMIO material and are not decoded.
 */

#include <stdbool.h>
#include <stdint.h>

struct riscv_mem_access {
    unsigned len;     /* instruction length in bytes: 2 (compressed) or 4 */
    unsigned width;   /* access size in bytes: 1, 2, 4 or 8 */
    bool store;       /* store (reg is the source) or load (reg is the destination) */
    bool sign_extend; /* a load whose value is sign-extended to 64 bits */
    unsigned reg;     /* x0..x31 */
};

/* Length in bytes of the instruction whose lowest 16 bits are 'low': 2 when bits [1:0] are not
 * 0b11 (compressed), else 4 (the only longer encodings are reserved in RV64GC). */
unsigned riscv_insn_length(uint16_t low);

/*
 * Decode 'insn' (a 16-bit instruction in the low half, or a 32-bit one) into 'out'. Returns
 * false for anything that is not one of the loads and stores above.
 */
bool riscv_insn_decode(uint32_t insn, struct riscv_mem_access *out);

/*
 * The same for a transformed instruction from htinst (Privileged spec 8.6.3): bit 0 is 1, bit 1
 * is 0 when the trapping instruction was compressed, and the address fields are zero. Returns
 * false for zero, pseudo-instructions (bit 0 clear: an implicit access of the guest's own page
 * tables) and anything not decodable.
 */
bool riscv_insn_decode_transformed(uint32_t htinst, struct riscv_mem_access *out);

#endif
