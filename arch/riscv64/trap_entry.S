// SPDX-License-Identifier: MIT
/*
 * The one trap vector of every hart (stvec, direct mode). A trap from HS-mode saves the whole
 * interrupted context into a struct trap_frame on the current stack, calls trap_handle() and
 * restores whatever the frame then holds.
 *
 * Getting a free register: sscratch holds this hart's struct arch_percpu (see
 * arch/percpu.h). Swapping it with t6 gives that pointer while parking t6 in sscratch; t5 and
 * t6 then go to the per-CPU scratch slots and sscratch is restored at once, so a nested trap
 * (say, a fault while saving) still finds the per-CPU block.
 *
 * A trap from a guest (hstatus.SPV = 1, Privileged spec 8.2.1) must not trust the guest's sp:
 * it goes to guest_exit (guest_entry.S), which saves the guest's registers into its vCPU and
 * returns to the host on the stack guest_enter left; only the trap-floor hypercall
 * (AXVM_HC_TRAP_FLOOR) is answered here, using t5 and t6 alone.
 */
#include <arch/csr.h>
#include <arch/percpu.h>
#include <arch/trap.h>
#include <axvm/hypercall.h>

    .text
    .balign 4
    .globl trap_entry
trap_entry:
    csrrw   t6, sscratch, t6                // t6 = per-CPU, sscratch = interrupted t6
    sd      t5, ARCH_PERCPU_SCRATCH_T5(t6)
    csrrw   t5, sscratch, t6                // t5 = interrupted t6, sscratch = per-CPU again
    sd      t5, ARCH_PERCPU_SCRATCH_T6(t6)

    csrr    t5, hstatus
    andi    t5, t5, HSTATUS_SPV
    beqz    t5, 1f

    /* From a guest. The trap-floor hypercall is answered here, nothing of the guest saved:
     * SBI error 0, value 0, and on past the ECALL. Other axvm calls: sbi_fast.S, which answers
     * those that only read in place. Everything else: guest_entry.S. */
    csrr    t5, scause
    addi    t5, t5, -EXC_ECALL_VS
    bnez    t5, 2f
    li      t5, AXVM_SBI_EXT
    bne     a7, t5, 2f
    li      t5, AXVM_HC_TRAP_FLOOR
    bne     a6, t5, 3f
    csrr    t5, sepc
    addi    t5, t5, 4
    csrw    sepc, t5
    li      a0, 0
    li      a1, 0
    ld      t5, ARCH_PERCPU_SCRATCH_T5(t6)
    ld      t6, ARCH_PERCPU_SCRATCH_T6(t6)
    sret
2:  j       guest_exit
3:  j       guest_sbi_axvm

1:  addi    t5, sp, -TRAP_FRAME_SIZE        // from HS-mode
    sd      sp, TRAP_FRAME_X(2)(t5)
    mv      sp, t5

    sd      x1, TRAP_FRAME_X(1)(sp)
    .irp    n, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16
    sd      x\n, TRAP_FRAME_X(\n)(sp)
    .endr
    .irp    n, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29
    sd      x\n, TRAP_FRAME_X(\n)(sp)
    .endr
    ld      t5, ARCH_PERCPU_SCRATCH_T5(t6)
    sd      t5, TRAP_FRAME_X(30)(sp)
    ld      t5, ARCH_PERCPU_SCRATCH_T6(t6)
    sd      t5, TRAP_FRAME_X(31)(sp)

    csrr    t0, sepc
    sd      t0, TRAP_FRAME_SEPC(sp)
    csrr    t0, sstatus
    sd      t0, TRAP_FRAME_SSTATUS(sp)
    csrr    t0, scause
    sd      t0, TRAP_FRAME_SCAUSE(sp)
    csrr    t0, stval
    sd      t0, TRAP_FRAME_STVAL(sp)
    csrr    t0, hstatus
    sd      t0, TRAP_FRAME_HSTATUS(sp)
    csrr    t0, htval
    sd      t0, TRAP_FRAME_HTVAL(sp)

    mv      a0, sp
    call    trap_handle

    ld      t0, TRAP_FRAME_SEPC(sp)
    csrw    sepc, t0
    ld      t0, TRAP_FRAME_SSTATUS(sp)
    csrw    sstatus, t0
    ld      t0, TRAP_FRAME_HSTATUS(sp)
    csrw    hstatus, t0

    ld      x1, TRAP_FRAME_X(1)(sp)
    .irp    n, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16
    ld      x\n, TRAP_FRAME_X(\n)(sp)
    .endr
    .irp    n, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    ld      x\n, TRAP_FRAME_X(\n)(sp)
    .endr
    ld      sp, TRAP_FRAME_X(2)(sp)
    sret
