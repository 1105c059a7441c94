/* SPDX-License-Identifier: MIT */
/*
 * The x86_64 guest's SSE registers for the FP canary (struct fpregs, ../../fpregs.h):
 * xmm0-xmm15 at 16 bytes each, then MXCSR. The rest of the guest is built with
 * -mgeneral-regs-only; these three functions are the only code that touches the registers.
 */
#define CR0_MP         0x00000002 /* WAIT/FWAIT honour TS */
#define CR0_EM         0x00000004 /* x87 emulation: must be clear for SSE (#UD otherwise) */
#define CR0_TS         0x00000008 /* task switched: SSE would raise #NM */
#define CR4_OSFXSR     0x00000200 /* the OS saves SSE state with FXSAVE: SSE allowed */
#define CR4_OSXMMEXCPT 0x00000400 /* unmasked SIMD FP exceptions raise #XM, not #UD */
#define CTL_OFFSET     512

/* MXCSR: every exception mask (12:7) stays set; the flags (5:0), DAZ (6), RC (14:13) and FZ (15)
 * take the pattern. Bits 31:16 are reserved (#GP on LDMXCSR). AMD APM vol. 1 §4.2.2. */
#define MXCSR_FIXED 0x1f80
#define MXCSR_BITS  0xe07f

    .text
    .globl fpregs_enable
fpregs_enable:
    movq    %cr0, %rax
    andq    $~(CR0_EM | CR0_TS), %rax
    orq     $CR0_MP, %rax
    movq    %rax, %cr0
    movq    %cr4, %rax
    orq     $(CR4_OSFXSR | CR4_OSXMMEXCPT), %rax
    movq    %rax, %cr4
    ret

    .globl fpregs_load
fpregs_load:                    /* rdi = const struct fpregs * */
    .irp    n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    movdqu  (\n * 16)(%rdi), %xmm\n
    .endr
    ldmxcsr CTL_OFFSET(%rdi)
    ret

    .globl fpregs_save
fpregs_save:                    /* rdi = struct fpregs * */
    .irp    n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    movdqu  %xmm\n, (\n * 16)(%rdi)
    .endr
    movq    $0, CTL_OFFSET(%rdi)
    stmxcsr CTL_OFFSET(%rdi)
    ret

    .section .rodata
    .balign 8
    .globl fpregs_shape
fpregs_shape:                   /* struct fpregs_shape */
    .long   16, 2, 1, 0
    .quad   MXCSR_BITS, 0
    .quad   MXCSR_FIXED, 0
    .quad   .Lprefix, .Lname_mxcsr, 0
.Lprefix:
    .asciz  "xmm"
.Lname_mxcsr:
    .asciz  "mxcsr"
