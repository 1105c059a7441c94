// SPDX-License-Identifier: MIT
/*
 * The axvm hypercalls that only read, answered from the trap vector without leaving the guest's
 * context: no return from guest_enter, no exit decoding, no scheduler loop.
 *
 * trap_entry jumps here for an ECALL from VS with a7 = AXVM_SBI_EXT (not the trap floor), with
 * t6 = struct arch_percpu and the guest's t5, t6 in its scratch slots. Only what a C call may
 * change is saved into the vCPU's struct guest_regs: ra, the temporaries and the arguments
 * (the psABI keeps s0-s11), and sp, gp, tp, which become the host's (the C code's stack, global
 * pointer and picolibc's TLS pointer, as guest_enter left them on the host stack). A call
 * sbi_fast_answer (sbi_fast.c) does not answer goes on into guest_exit with the rest saved.
 *
 * HS-mode runs with sstatus.SIE = 0: an interrupt that arrives meanwhile (a kick to stop the VM
 * or reschedule, the pCPU's timer) stays pending and is taken as soon as the SRET sets V = 1,
 * where HS interrupts are always enabled (Privileged spec 3.1.6.1, 8.2), and the vCPU comes back
 * to vcpu_run's checks as an ordinary interrupt exit.
 */
#include <arch/percpu.h>
#include <arch/vcpu.h>

#define HOST_GP 8  /* guest_enter's host frame: ra, gp, tp, s0-s11 */
#define HOST_TP 16

    .text
    .balign 4
    .globl guest_sbi_axvm
guest_sbi_axvm:
    ld      t5, ARCH_PERCPU_GUEST_REGS(t6)
    .irp    n, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 28, 29
    sd      x\n, GUEST_REGS_X(\n)(t5)
    .endr
    save_parked_t5_t6 t6, t5, t4
    ld      sp, ARCH_PERCPU_HOST_SP(t6)
    ld      gp, HOST_GP(sp)
    ld      tp, HOST_TP(sp)
    mv      a0, t5
    call    sbi_fast_answer
    csrr    t6, sscratch                    // struct arch_percpu (trap_entry restored it)
    ld      t5, ARCH_PERCPU_GUEST_REGS(t6)
    beqz    a0, 1f

    csrr    t4, sepc                        // on past the ECALL
    addi    t4, t4, 4
    csrw    sepc, t4
    .irp    n, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 28, 29, 31
    ld      x\n, GUEST_REGS_X(\n)(t5)
    .endr
    ld      t5, GUEST_REGS_X(30)(t5)
    sret

1:  // Not answered: the rest of guest_exit, s0-s11 still the guest's.
    .irp    n, 8, 9, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27
    sd      x\n, GUEST_REGS_X(\n)(t5)
    .endr
    j       guest_exit_csrs
