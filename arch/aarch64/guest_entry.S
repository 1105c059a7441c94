// SPDX-License-Identifier: MIT
/*
 * Entering and leaving a guest. guest_enter(struct guest_regs *) keeps the host's callee-saved
 * registers on the EL2 stack and erets into the guest; an exception from EL1 lands in
 * guest_exit (through exception_vectors), which saves the guest's registers into the same
 * struct and returns from guest_enter with the vector kind (8 sync, 9 IRQ, 10 FIQ, 11 SError).
 * The guest never changes SP_EL2, so the stack is where guest_enter left it.
 */
#include <axvm/hypercall.h>

#define REGS_ELR   248
#define REGS_ESR   264
#define REGS_HPFAR 280
#define HOST_FRAME 112
#define HOST_REGS  96 /* where the struct guest_regs pointer is kept in the host frame */

    .text
    .globl guest_enter
guest_enter:
    sub     sp, sp, #HOST_FRAME
    stp     x19, x20, [sp, #0]
    stp     x21, x22, [sp, #16]
    stp     x23, x24, [sp, #32]
    stp     x25, x26, [sp, #48]
    stp     x27, x28, [sp, #64]
    stp     x29, x30, [sp, #80]
    str     x0, [sp, #HOST_REGS]

    ldp     x1, x2, [x0, #REGS_ELR]
    msr     elr_el2, x1
    msr     spsr_el2, x2
    ldp     x2, x3, [x0, #16]
    ldp     x4, x5, [x0, #32]
    ldp     x6, x7, [x0, #48]
    ldp     x8, x9, [x0, #64]
    ldp     x10, x11, [x0, #80]
    ldp     x12, x13, [x0, #96]
    ldp     x14, x15, [x0, #112]
    ldp     x16, x17, [x0, #128]
    ldp     x18, x19, [x0, #144]
    ldp     x20, x21, [x0, #160]
    ldp     x22, x23, [x0, #176]
    ldp     x24, x25, [x0, #192]
    ldp     x26, x27, [x0, #208]
    ldp     x28, x29, [x0, #224]
    ldr     x30, [x0, #240]
    ldp     x0, x1, [x0, #0]
    eret

/* From the vector: guest x0, x1 pushed on the stack, x0 = vector kind. */
    .globl guest_exit
guest_exit:
    ldr     x1, [sp, #(16 + HOST_REGS)]
    stp     x2, x3, [x1, #16]
    stp     x4, x5, [x1, #32]
    stp     x6, x7, [x1, #48]
    stp     x8, x9, [x1, #64]
    stp     x10, x11, [x1, #80]
    stp     x12, x13, [x1, #96]
    stp     x14, x15, [x1, #112]
    stp     x16, x17, [x1, #128]
    stp     x18, x19, [x1, #144]
    stp     x20, x21, [x1, #160]
    stp     x22, x23, [x1, #176]
    stp     x24, x25, [x1, #192]
    stp     x26, x27, [x1, #208]
    stp     x28, x29, [x1, #224]
    str     x30, [x1, #240]
    ldp     x2, x3, [sp], #16
    stp     x2, x3, [x1, #0]
guest_exit_sysregs:                     // x1 = the struct guest_regs, every GPR in it
    mrs     x2, elr_el2
    mrs     x3, spsr_el2
    stp     x2, x3, [x1, #REGS_ELR]
    mrs     x2, esr_el2
    mrs     x3, far_el2
    stp     x2, x3, [x1, #REGS_ESR]
    mrs     x2, hpfar_el2
    str     x2, [x1, #REGS_HPFAR]

    ldp     x19, x20, [sp, #0]
    ldp     x21, x22, [sp, #16]
    ldp     x23, x24, [sp, #32]
    ldp     x25, x26, [sp, #48]
    ldp     x27, x28, [sp, #64]
    ldp     x29, x30, [sp, #80]
    add     sp, sp, #HOST_FRAME
    ret

/*
 * From the lower-EL sync vector: an HVC64 other than the trap floor, guest x0 and x1 pushed on
 * the stack, x0 = guest x0 (the SMCCC function id). An axvm call that only reads is answered
 * here by hvc_fast_answer (hvc_fast.c) with only the registers a C call may clobber saved
 * (x0-x18, x30: AAPCS64 keeps x19-x29 and SP), and the guest resumes at once (ELR is already
 * past the HVC). Every other call continues into guest_exit without saving anything twice.
 * Interrupts stay masked (DAIF set on exception entry) until the ERET.
 */
    .globl guest_hvc
guest_hvc:
    mov     w1, #AXVM_HC_BASE_ARM
    sub     w1, w0, w1
    cmp     w1, #0x10, lsl #12          // the axvm range: AXVM_HC_BASE_ARM + 0..0xffff
    b.hs    2f
    ldr     x0, [sp, #(16 + HOST_REGS)]
    stp     x2, x3, [x0, #16]
    stp     x4, x5, [x0, #32]
    stp     x6, x7, [x0, #48]
    stp     x8, x9, [x0, #64]
    stp     x10, x11, [x0, #80]
    stp     x12, x13, [x0, #96]
    stp     x14, x15, [x0, #112]
    stp     x16, x17, [x0, #128]
    str     x18, [x0, #144]
    str     x30, [x0, #240]
    ldp     x2, x3, [sp]
    stp     x2, x3, [x0, #0]
    bl      hvc_fast_answer
    ldr     x1, [sp, #(16 + HOST_REGS)]
    cbz     w0, 1f
    ldr     x30, [x1, #240]
    ldr     x18, [x1, #144]
    ldp     x16, x17, [x1, #128]
    ldp     x14, x15, [x1, #112]
    ldp     x12, x13, [x1, #96]
    ldp     x10, x11, [x1, #80]
    ldp     x8, x9, [x1, #64]
    ldp     x6, x7, [x1, #48]
    ldp     x4, x5, [x1, #32]
    ldp     x2, x3, [x1, #16]
    ldp     x0, x1, [x1, #0]
    add     sp, sp, #16
    eret
1:  // Not answered: the rest of guest_exit, x19-x29 still the guest's.
    str     x19, [x1, #152]
    stp     x20, x21, [x1, #160]
    stp     x22, x23, [x1, #176]
    stp     x24, x25, [x1, #192]
    stp     x26, x27, [x1, #208]
    stp     x28, x29, [x1, #224]
    add     sp, sp, #16
    mov     x0, #8
    b       guest_exit_sysregs
2:  // Not an axvm call (PSCI, SMCCC): the ordinary exit.
    mov     x0, #8
    b       guest_exit
