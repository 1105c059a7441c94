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

/* ESR_EL1's exception class (ARM ARM D17.2.37). */
#define ESR_EC(esr)   (((esr) >> 26) & 0x3f)
#define EC_SVC64      0x15
#define EC_IABT_CUR   0x21
#define EC_DABT_LOWER 0x24
#define EC_DABT_CUR   0x25

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

/* EL0 (el0.S): el0_run erets to 'entry' at EL0 with x0 = 'arg'; the EL0 code's SVC comes back
 * (guest_trap sends it to el0_return) and el0_run returns. */
void el0_run(uint64_t entry, uint64_t arg);
extern char el0_return[];
/* EL0 code: a load from x0 at el0_load_insn, then SVC. */
extern char el0_load[], el0_load_insn[];
#endif

#endif
