// SPDX-License-Identifier: MIT
/*
 * A way into EL0 and back for the fault checks: el0_run(entry, arg) erets to 'entry' at EL0
 * with x0 = arg and every exception masked; the EL0 code ends with SVC, which guest_trap
 * (traps.c) sends to el0_return, back at EL1 in el0_run's caller. EL0 code uses no stack.
 */
    .text
    .balign 4
    .globl el0_run
el0_run:                        // x0 = entry (an EL0-executable address), x1 = argument
    stp     x29, x30, [sp, #-96]!
    stp     x19, x20, [sp, #16]
    stp     x21, x22, [sp, #32]
    stp     x23, x24, [sp, #48]
    stp     x25, x26, [sp, #64]
    stp     x27, x28, [sp, #80]
    adrp    x2, el0_saved_sp
    add     x2, x2, :lo12:el0_saved_sp
    mov     x3, sp
    str     x3, [x2]
    msr     elr_el1, x0
    mov     x2, #0x3c0          // EL0t, DAIF masked
    msr     spsr_el1, x2
    mov     x0, x1
    eret

    .globl el0_return
el0_return:                     // at EL1 again, from guest_trap
    adrp    x2, el0_saved_sp
    add     x2, x2, :lo12:el0_saved_sp
    ldr     x3, [x2]
    mov     sp, x3
    ldp     x19, x20, [sp, #16]
    ldp     x21, x22, [sp, #32]
    ldp     x23, x24, [sp, #48]
    ldp     x25, x26, [sp, #64]
    ldp     x27, x28, [sp, #80]
    ldp     x29, x30, [sp], #96
    ret

/* EL0: a load from x0 (el0_load_insn), then back to EL1. */
    .balign 4
    .globl el0_load
el0_load:
    .globl el0_load_insn
el0_load_insn:
    ldr     x1, [x0]
    svc     #0

    .section .bss
    .balign 8
el0_saved_sp:
    .space  8
