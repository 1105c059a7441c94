/* SPDX-License-Identifier: MIT */
#ifndef ARCH_TRAP_H
#define ARCH_TRAP_H

#include <axvm/types.h>

/* Saved by arch/aarch64/vectors.S; 288 bytes, layout fixed by the assembly. */
struct trap_frame {
    uint64_t x[31];
    uint64_t sp; /* stack pointer before the exception */
    uint64_t elr;
    uint64_t spsr;
    uint64_t esr;
    uint64_t far;
};

_Static_assert(sizeof(struct trap_frame) == 288, "vectors.S FRAME_SIZE");

/* ESR_ELx exception classes (ARM ARM D17.2.37). */
#define ESR_EC(esr)   (((esr) >> 26) & 0x3f)
#define EC_UNKNOWN    0x00
#define EC_WFX        0x01
#define EC_HVC64      0x16
#define EC_SMC64      0x17
#define EC_SYSREG     0x18
#define EC_IABT_LOWER 0x20
#define EC_IABT_CUR   0x21
#define EC_PC_ALIGN   0x22
#define EC_DABT_LOWER 0x24
#define EC_DABT_CUR   0x25
#define EC_SP_ALIGN   0x26
#define EC_SERROR     0x2f
#define EC_BRK64      0x3c

void arch_trap(uint64_t kind, struct trap_frame *f);

#endif
