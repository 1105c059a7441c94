/* SPDX-License-Identifier: MIT */
#ifndef GUEST_AARCH64_TRAPS_H
#define GUEST_AARCH64_TRAPS_H

/*
 * What vectors.S saves on the stack for every exception the guest takes and hands to
 * guest_trap (traps.c): the general registers, the exception registers, and which of the 16
 * vector table entries was taken. guest_trap may change elr and spsr: vectors.S returns with
 * them.
 */

#define FRAME_ELR    248
#define FRAME_SPSR   256
#define FRAME_ESR    264
#define FRAME_FAR    272
#define FRAME_VECTOR 280
#define FRAME_SIZE   288

/* Vector table entries (ARM ARM D1.10.2): group * 4 + kind. */
#define VEC_KIND_SYNC 0
#define VEC_KIND_IRQ  1
#define VEC_CUR_SP0   0 /* current EL with SP_EL0 */
#define VEC_CUR_SPX   4 /* current EL with SP_ELx */
#define VEC_LOWER64   8 /* lower EL, AArch64 */

#ifndef __ASSEMBLER__
#include <stdint.h>

struct trap_frame {
    uint64_t x[31];
    uint64_t elr, spsr, esr, far;
    uint64_t vector;
};

_Static_assert(__builtin_offsetof(struct trap_frame, elr) == FRAME_ELR, "frame layout");
_Static_assert(__builtin_offsetof(struct trap_frame, vector) == FRAME_VECTOR, "frame layout");
_Static_assert(sizeof(struct trap_frame) == FRAME_SIZE && FRAME_SIZE % 16 == 0, "frame layout");

/* Called by vectors.S for every exception. */
void guest_trap(struct trap_frame *f);

/* IRQs: vectors.S -> guest_trap acknowledges the interrupt (ICC_IAR1_EL1), calls 'fn' with its
 * INTID, and ends it (ICC_EOIR1_EL1). Spurious ones (INTID 1020-1023) are only counted. */
void trap_irq_handler(void (*fn)(unsigned intid));
unsigned trap_irq_spurious(void);
#endif

#endif
