/* SPDX-License-Identifier: MIT */
/*
 * The way into C for every exception and interrupt: one 16-byte stub per IDT vector pushes a
 * zero where the CPU pushes no error code (so every frame has the same shape), then the vector
 * number; trap_common saves the general registers as a struct trap_frame (arch/trap.h).
 */
#include <arch/trap.h>

    .text
    .altmacro

/* Vectors for which the CPU pushes an error code (Intel SDM vol. 3 §6.15, AMD APM vol. 2
 * §8.2): #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP, #VC, #SX. */
.macro trap_stub vec
    /* Fixed slots: idt.c computes each stub's address, and .org fails the build if a stub
     * outgrows its slot. */
    .org    trap_stubs + \vec * TRAP_STUB_SIZE, 0xcc
    .if !(\vec == 8 || (\vec >= 10 && \vec <= 14) || \vec == 17 || \vec == 21 || \
          \vec == 29 || \vec == 30)
    pushq   $0
    .endif
    pushq   $\vec
    jmp     trap_common
.endm

    .balign TRAP_STUB_SIZE
    .globl  trap_stubs
trap_stubs:
    .set    vec, 0
    .rept   256
    trap_stub %vec
    .set    vec, vec + 1
    .endr
    .org    trap_stubs + 256 * TRAP_STUB_SIZE, 0xcc

trap_common:
    pushq   %rax
    pushq   %rbx
    pushq   %rcx
    pushq   %rdx
    pushq   %rsi
    pushq   %rdi
    pushq   %rbp
    pushq   %r8
    pushq   %r9
    pushq   %r10
    pushq   %r11
    pushq   %r12
    pushq   %r13
    pushq   %r14
    pushq   %r15
    /* The CPU aligned the stack to 16 bytes before its 5 words; with error, vector and 15
     * registers (22 words in all) it is still aligned for the call. */
    movq    %rsp, %rdi
    cld
    call    trap_dispatch
    popq    %r15
    popq    %r14
    popq    %r13
    popq    %r12
    popq    %r11
    popq    %r10
    popq    %r9
    popq    %r8
    popq    %rbp
    popq    %rdi
    popq    %rsi
    popq    %rdx
    popq    %rcx
    popq    %rbx
    popq    %rax
    addq    $16, %rsp                   /* vector and error code */
    iretq
