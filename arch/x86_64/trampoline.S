/* SPDX-License-Identifier: MIT */
/*
 * Secondary CPU start (see arch/trampoline.h). Position independent: this code runs from
 * whatever page below 1 MiB it was copied to, found from CS in real mode and kept in %ebx.
 */
#include <arch/cpu.h>
#include <arch/trampoline.h>

#define REL(x) ((x) - trampoline_start)
#define ARG(a) (REL(trampoline_args) + (a))
#define PAGE   4096

    .section .text
    .balign 16
    .globl trampoline_start, trampoline_args, trampoline_end

    .code16
trampoline_start:
    cli
    cld
    movw    %cs, %ax
    movw    %ax, %ds
    movw    %ax, %ss
    movw    $PAGE, %sp                  /* the top of this page is our stack until C */
    movzwl  %ax, %ebx
    shll    $4, %ebx                    /* %ebx: linear address of this page */

    /* The GDT pointer holds a linear address: only known now. */
    leal    REL(tramp_gdt)(%ebx), %eax
    movl    %eax, REL(tramp_gdtr) + 4
    lgdtl   REL(tramp_gdtr) + 2

    movl    %cr0, %eax
    orl     $CR0_PE, %eax
    movl    %eax, %cr0
    leal    REL(start32)(%ebx), %eax
    pushl   $TRAMP_CODE32
    pushl   %eax
    lretl                               /* far return: loads CS, enters 32-bit code */

    .code32
start32:
    movl    $TRAMP_DATA, %eax
    movl    %eax, %ds
    movl    %eax, %es
    movl    %eax, %ss
    leal    PAGE(%ebx), %esp

    /* Long mode (Intel SDM vol. 3 §10.8.5): PAE, page tables, EFER.LME, then paging. */
    movl    ARG(TRAMP_ARG_CR4)(%ebx), %eax
    movl    %eax, %cr4
    movl    ARG(TRAMP_ARG_CR3)(%ebx), %eax
    movl    %eax, %cr3
    movl    $MSR_EFER, %ecx
    movl    ARG(TRAMP_ARG_EFER)(%ebx), %eax
    xorl    %edx, %edx
    wrmsr
    movl    ARG(TRAMP_ARG_CR0)(%ebx), %eax
    movl    %eax, %cr0
    leal    REL(start64)(%ebx), %eax
    pushl   $TRAMP_CODE64
    pushl   %eax
    lret

    .code64
start64:
    movl    %ebx, %ebx                  /* upper halves are undefined after the mode change */
    /* Take the arguments. A CPU so late that the boot CPU gave up on it and moved on finds
     * them taken and stops, instead of sharing another CPU's stack. */
    xorl    %edi, %edi
    xchgq   %rdi, ARG(TRAMP_ARG_PERCPU)(%rbx)
    testq   %rdi, %rdi
    jz      stop
    movq    ARG(TRAMP_ARG_STACK)(%rbx), %rsp
    movq    ARG(TRAMP_ARG_ENTRY)(%rbx), %rax
    xorl    %ebp, %ebp
    pushq   $0                          /* as if called: the C entry sees the usual alignment */
    jmpq    *%rax
stop:
    hlt
    jmp     stop

    .balign 8
tramp_gdtr:
    .word   0                           /* padding: keeps the 32-bit base aligned */
    .word   tramp_gdt_end - tramp_gdt - 1
    .long   0
tramp_gdt:
    .quad   0
    .quad   0x00cf9a000000ffff          /* TRAMP_CODE32: flat 32-bit code */
    .quad   0x00cf92000000ffff          /* TRAMP_DATA: flat data */
    .quad   0x00af9a000000ffff          /* TRAMP_CODE64: 64-bit code */
tramp_gdt_end:
trampoline_args:
    .fill   TRAMP_ARGS_SIZE, 1, 0
trampoline_end:
