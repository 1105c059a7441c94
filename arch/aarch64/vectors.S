// SPDX-License-Identifier: MIT
/*
 * EL2 exception vectors. Every entry saves a struct trap_frame (arch/trap.h) on the stack and
 * calls arch_trap(kind, frame); kind is the vector index 0..15 (ARM ARM D1.10.2: current EL
 * with SP0, current EL with SPx, lower EL AArch64, lower EL AArch32; each sync, IRQ, FIQ, SError).
 * Exceptions from a guest (lower EL) go to guest_exit instead (guest_entry.S).
 */
#include <axvm/hypercall.h>

#define FRAME_SIZE 288
#define ESR_EC_SHIFT 26
#define EC_HVC64     0x16
#define FLOOR_FID    (AXVM_HC_BASE_ARM + AXVM_HC_TRAP_FLOOR)

.macro ventry kind
    .balign 128
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp, #0]
    mov     x0, #\kind
    b       trap_common
.endm

/* From a guest (lower EL): back to the caller of guest_enter. A synchronous exception from
 * AArch64 (kind 8) that is the trap-floor hypercall is answered here instead, with nothing of
 * the guest saved but x1: HVC leaves ELR past itself, so ERET returns to the next instruction.
 * Any other HVC goes to guest_hvc (guest_entry.S), which answers the axvm calls that only read
 * in place and sends the rest on to guest_exit. */
.macro gentry kind
    .balign 128
    stp     x0, x1, [sp, #-16]!
.if \kind == 8
    mrs     x1, esr_el2
    ubfx    x1, x1, #ESR_EC_SHIFT, #6
    cmp     x1, #EC_HVC64
    b.ne    1f
    mov     x1, #(FLOOR_FID & 0xffff)
    movk    x1, #(FLOOR_FID >> 16), lsl #16
    cmp     w0, w1                      // SMCCC: the function id is w0
    b.ne    guest_hvc
    ldr     x1, [sp, #8]
    add     sp, sp, #16
    mov     x0, #0
    eret
1:
.endif
    mov     x0, #\kind
    b       guest_exit
.endm

    .text
    .balign 2048
    .globl exception_vectors
exception_vectors:
    ventry 0
    ventry 1
    ventry 2
    ventry 3
    ventry 4
    ventry 5
    ventry 6
    ventry 7
    gentry 8
    gentry 9
    gentry 10
    gentry 11
    gentry 12
    gentry 13
    gentry 14
    gentry 15

trap_common:
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    add     x1, sp, #FRAME_SIZE
    stp     x30, x1, [sp, #240]         // x30, sp before the exception
    mrs     x1, elr_el2
    mrs     x2, spsr_el2
    stp     x1, x2, [sp, #256]
    mrs     x1, esr_el2
    mrs     x2, far_el2
    stp     x1, x2, [sp, #272]
    mov     x1, sp
    bl      arch_trap

    // Return to where the exception came from, with whatever the handler changed.
    ldp     x1, x2, [sp, #256]
    msr     elr_el2, x1
    msr     spsr_el2, x2
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x19, [sp, #144]
    ldp     x20, x21, [sp, #160]
    ldp     x22, x23, [sp, #176]
    ldp     x24, x25, [sp, #192]
    ldp     x26, x27, [sp, #208]
    ldp     x28, x29, [sp, #224]
    ldr     x30, [sp, #240]
    ldp     x0, x1, [sp, #0]
    add     sp, sp, #FRAME_SIZE
    eret
