/* SPDX-License-Identifier: MIT */
#ifndef GUEST_RISCV64_TRAPS_H
#define GUEST_RISCV64_TRAPS_H

/*
 * What vectors.S saves on the stack for every trap the guest takes and hands to guest_trap
 * (traps.c): x1-x31 (x[0] holds nothing), then the trap CSRs. guest_trap may change sepc and
 * sstatus: vectors.S returns with them.
 */

#define FRAME_SEPC    256
#define FRAME_SSTATUS 264
#define FRAME_SCAUSE  272
#define FRAME_STVAL   280
#define FRAME_SIZE    288

#define SSTATUS_SPP (1 << 8) /* the trap came from S-mode (1) or U-mode (0) */
#define USER_TOKEN  0x5a     /* what user_counter_read leaves in a0 */

#ifndef __ASSEMBLER__
#include <stdint.h>

struct trap_frame {
    uint64_t x[32];
    uint64_t sepc, sstatus, scause, stval;
};

_Static_assert(__builtin_offsetof(struct trap_frame, sepc) == FRAME_SEPC, "frame layout");
_Static_assert(sizeof(struct trap_frame) == FRAME_SIZE && FRAME_SIZE % 16 == 0, "frame layout");

/* Called by vectors.S for every trap. */
void guest_trap(struct trap_frame *f);

/* Supervisor external interrupts go to 'fn' (irq.c: it claims and completes at the PLIC). */
void trap_irq_handler(void (*fn)(void));
/* Supervisor timer interrupts go to 'fn' (timer_irq.c, for timerbench.c). */
void trap_timer_handler(void (*fn)(void));

/* Run 'entry' in U-mode on the current stack until it makes an ECALL; return its a0 then. */
uint64_t user_run(void (*entry)(void));
/* Where guest_trap sends an ECALL from U-mode (in S-mode, with the U-mode registers). */
extern char user_return[];

/* A U-mode routine (vectors.S): a0 = USER_TOKEN, reads hpmcounter3 at user_counter_insn,
 * ECALL. */
void user_counter_read(void);
extern char user_counter_insn[];
#endif

#endif
