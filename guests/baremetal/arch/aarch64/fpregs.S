// SPDX-License-Identifier: MIT
/*
 * The AArch64 guest's FP/SIMD registers for the FP canary (struct fpregs, ../../fpregs.h):
 * q0-q31 at 16 bytes each, then FPCR and FPSR. The rest of the guest is built with
 * -mgeneral-regs-only; these three functions are the only code that touches the registers.
 */

#define CPACR_FPEN (3 << 20) /* EL1 and EL0 FP/SIMD accesses not trapped (D17.2.30) */
#define CTL_OFFSET 512

/*
 * FPCR: RMode (23:22), FZ (24), DN (25), AHP (26); the trap enables stay clear. FPSR: the
 * cumulative flags IOC, DZC, OFC, UFC, IXC (4:0), IDC (7) and QC (27) (C5.2.7, C5.2.8).
 */
#define FPCR_BITS 0x07c00000
#define FPSR_BITS 0x0800009f

    .text
    .globl fpregs_enable
fpregs_enable:
    mrs     x0, cpacr_el1
    orr     x0, x0, #CPACR_FPEN
    msr     cpacr_el1, x0
    isb
    ret

    .globl fpregs_load
fpregs_load:                    // x0 = const struct fpregs *
    .irp    n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, \
            16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    ldr     q\n, [x0, #(\n * 16)]
    .endr
    add     x3, x0, #CTL_OFFSET
    ldp     x1, x2, [x3]
    msr     fpcr, x1
    msr     fpsr, x2
    ret

    .globl fpregs_save
fpregs_save:                    // x0 = struct fpregs *
    .irp    n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, \
            16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    str     q\n, [x0, #(\n * 16)]
    .endr
    mrs     x1, fpcr
    mrs     x2, fpsr
    add     x3, x0, #CTL_OFFSET
    stp     x1, x2, [x3]
    ret

    .section .rodata
    .balign 8
    .globl fpregs_shape
fpregs_shape:                   // struct fpregs_shape
    .word   32, 2, 2, 0
    .quad   FPCR_BITS, FPSR_BITS
    .quad   0, 0
    .quad   .Lprefix, .Lname_fpcr, .Lname_fpsr
.Lprefix:
    .asciz  "q"
.Lname_fpcr:
    .asciz  "fpcr"
.Lname_fpsr:
    .asciz  "fpsr"
