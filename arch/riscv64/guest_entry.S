// SPDX-License-Identifier: MIT
/*
 * Entering and leaving a guest.
 *
 * guest_enter(struct guest_regs *regs) keeps the host's callee-saved registers (and gp, tp:
 * tp is picolibc's TLS pointer) on the host stack, notes that stack and 'regs' in this hart's
 * struct arch_percpu, loads sepc, sstatus (SPP: the guest's VS or VU), hstatus (SPV = 1) and
 * every guest GPR, and srets into the guest (Privileged spec 8.6.4: SRET with SPV = 1 sets
 * V = 1 and the privilege from SPP).
 *
 * Every trap from the guest that is not delegated to VS arrives at trap_entry (trap_entry.S)
 * with hstatus.SPV = 1, which jumps here to guest_exit with t6 = struct arch_percpu and the
 * guest's t5 and t6 in its scratch slots. guest_exit saves the guest GPRs, sepc, sstatus,
 * hstatus and the trap CSRs into the same struct guest_regs, switches back to the host stack
 * and returns from guest_enter. The C code then decodes the exit from the saved values, so a
 * trap it takes itself (say, reading the guest's instruction) cannot lose them.
 *
 * HS-mode runs with sstatus.SIE = 0, but interrupts for HS are always enabled while V = 1
 * (3.1.6.1, 8.2), so an IPI (SSIP, not delegated) takes any busy guest out.
 */
#include <arch/csr.h>
#include <arch/percpu.h>
#include <arch/vcpu.h>

#define HOST_FRAME (16 * 8)

    .text
    .balign 4
    .globl guest_enter
guest_enter:
    addi    sp, sp, -HOST_FRAME
    sd      ra, 0(sp)
    sd      gp, 8(sp)
    sd      tp, 16(sp)
    sd      s0, 24(sp)
    sd      s1, 32(sp)
    .irp    n, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
    sd      s\n, (24 + \n * 8)(sp)
    .endr

    csrr    t0, sscratch
    sd      sp, ARCH_PERCPU_HOST_SP(t0)
    sd      a0, ARCH_PERCPU_GUEST_REGS(t0)

    ld      t1, GUEST_REGS_SEPC(a0)
    csrw    sepc, t1
    ld      t1, GUEST_REGS_SSTATUS(a0)
    csrw    sstatus, t1
    ld      t1, GUEST_REGS_HSTATUS(a0)
    csrw    hstatus, t1

    ld      x1, GUEST_REGS_X(1)(a0)
    .irp    n, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16
    ld      x\n, GUEST_REGS_X(\n)(a0)
    .endr
    .irp    n, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    ld      x\n, GUEST_REGS_X(\n)(a0)
    .endr
    ld      a0, GUEST_REGS_X(10)(a0)
    sret

/* From trap_entry: t6 = struct arch_percpu, guest t5/t6 in its scratch slots. */
    .balign 4
    .globl guest_exit
guest_exit:
    ld      t5, ARCH_PERCPU_GUEST_REGS(t6)
    sd      x1, GUEST_REGS_X(1)(t5)
    .irp    n, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16
    sd      x\n, GUEST_REGS_X(\n)(t5)
    .endr
    .irp    n, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29
    sd      x\n, GUEST_REGS_X(\n)(t5)
    .endr
    save_parked_t5_t6 t6, t5, t4
    .globl guest_exit_csrs
guest_exit_csrs:                            // t5 = struct guest_regs, every GPR in it
    csrr    t4, sepc
    sd      t4, GUEST_REGS_SEPC(t5)
    csrr    t4, sstatus
    sd      t4, GUEST_REGS_SSTATUS(t5)
    csrr    t4, hstatus
    sd      t4, GUEST_REGS_HSTATUS(t5)
    csrr    t4, scause
    sd      t4, GUEST_REGS_SCAUSE(t5)
    csrr    t4, stval
    sd      t4, GUEST_REGS_STVAL(t5)
    csrr    t4, htval
    sd      t4, GUEST_REGS_HTVAL(t5)
    csrr    t4, htinst
    sd      t4, GUEST_REGS_HTINST(t5)

    ld      sp, ARCH_PERCPU_HOST_SP(t6)
    ld      ra, 0(sp)
    ld      gp, 8(sp)
    ld      tp, 16(sp)
    ld      s0, 24(sp)
    ld      s1, 32(sp)
    .irp    n, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
    ld      s\n, (24 + \n * 8)(sp)
    .endr
    addi    sp, sp, HOST_FRAME
    ret
