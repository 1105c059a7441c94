// SPDX-License-Identifier: MIT
/*
 * The riscv64 guest's floating-point registers for the FP canary (struct fpregs,
 * ../../fpregs.h): f0-f31 (the D extension, 64 bits) at 16 bytes each, then fcsr. The rest of
 * the guest is soft-float (rv64imac); these three functions are the only code that touches them.
 */

#define SSTATUS_FS_INITIAL (1 << 13) /* FS != Off: F and D instructions allowed (3.1.6.6) */
#define CTL_OFFSET 512

/* fcsr: fflags (4:0) and frm (7:5) limited to 0-3 (RNE, RTZ, RDN, RUP), so that the value
 * stays a valid rounding mode (Unprivileged spec, 11.2). */
#define FCSR_BITS 0x7f

    .text
    .option push
    .option arch, +d

    .balign 4
    .globl fpregs_enable
fpregs_enable:
    // In VS-mode this is vsstatus; the hypervisor keeps its own sstatus.FS on (8.2.11).
    li      t0, SSTATUS_FS_INITIAL
    csrs    sstatus, t0
    ret

    .balign 4
    .globl fpregs_load
fpregs_load:                    // a0 = const struct fpregs *
    .irp    n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, \
            16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    fld     f\n, (\n * 16)(a0)
    .endr
    ld      t0, CTL_OFFSET(a0)
    fscsr   t0
    ret

    .balign 4
    .globl fpregs_save
fpregs_save:                    // a0 = struct fpregs *
    .irp    n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, \
            16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    fsd     f\n, (\n * 16)(a0)
    .endr
    frcsr   t0
    sd      t0, CTL_OFFSET(a0)
    ret

    .option pop

    .section .rodata
    .balign 8
    .globl fpregs_shape
fpregs_shape:                   // struct fpregs_shape
    .word   32, 1, 1, 0
    .quad   FCSR_BITS, 0
    .quad   0, 0
    .quad   .Lprefix, .Lname_fcsr, 0
.Lprefix:
    .asciz  "f"
.Lname_fcsr:
    .asciz  "fcsr"
