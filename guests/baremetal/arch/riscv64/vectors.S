// SPDX-License-Identifier: MIT
/*
 * The riscv64 test guest's trap entry (stvec, direct mode: every trap comes here) and its way
 * into U-mode. A trap saves the registers in a struct trap_frame on the current stack, calls
 * guest_trap (traps.c), and returns (sret) to the frame's sepc with its sstatus, so the handler
 * can step over an instruction or change the privilege it returns to. U-mode code runs on the
 * same stack and must not move sp.
 */
#include "traps.h"

    .text
    .balign 4
    .globl trap_entry
trap_entry:
    addi    sp, sp, -FRAME_SIZE
    .irp    n, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, \
            24, 25, 26, 27, 28, 29, 30, 31
    sd      x\n, (\n * 8)(sp)
    .endr
    addi    t0, sp, FRAME_SIZE
    sd      t0, 16(sp)                  // x2: sp before the trap
    csrr    t0, sepc
    sd      t0, FRAME_SEPC(sp)
    csrr    t0, sstatus
    sd      t0, FRAME_SSTATUS(sp)
    csrr    t0, scause
    sd      t0, FRAME_SCAUSE(sp)
    csrr    t0, stval
    sd      t0, FRAME_STVAL(sp)
    mv      a0, sp
    call    guest_trap
    ld      t0, FRAME_SEPC(sp)
    csrw    sepc, t0
    ld      t0, FRAME_SSTATUS(sp)
    csrw    sstatus, t0
    .irp    n, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, \
            24, 25, 26, 27, 28, 29, 30, 31
    ld      x\n, (\n * 8)(sp)
    .endr
    addi    sp, sp, FRAME_SIZE
    sret

/* uint64_t user_run(void (*entry)(void)): sret to 'entry' in U-mode (sstatus.SPP = 0). */
    .balign 4
    .globl user_run
user_run:
    addi    sp, sp, -112
    sd      ra, 0(sp)
    .irp    n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
    sd      s\n, (8 + \n * 8)(sp)
    .endr
    la      t0, user_saved_sp
    sd      sp, 0(t0)
    csrw    sepc, a0
    li      t0, SSTATUS_SPP
    csrc    sstatus, t0
    sret

/* guest_trap sends the U-mode ECALL here, in S-mode; a0 is what U-mode left in it. */
    .balign 4
    .globl user_return
user_return:
    la      t0, user_saved_sp
    ld      sp, 0(t0)
    ld      ra, 0(sp)
    .irp    n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
    ld      s\n, (8 + \n * 8)(sp)
    .endr
    addi    sp, sp, 112
    ret

/* U-mode: a counter this mode may not read (hcounteren leaves hpmcounter3 to the hypervisor),
 * then back to S-mode. */
    .balign 4
    .globl user_counter_read
user_counter_read:
    li      a0, USER_TOKEN
    .globl user_counter_insn
user_counter_insn:
    csrr    a1, hpmcounter3
    ecall

    .section .bss
    .balign 8
user_saved_sp:
    .space  8
