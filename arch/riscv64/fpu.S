// SPDX-License-Identifier: MIT
/*
 * Saving and loading a vCPU's floating-point registers (struct fpu_regs, arch/vcpu.h) when
 * another vCPU takes the hart. The hypervisor is built soft-float and never touches them
 * otherwise. Needs the D extension and sstatus.FS != Off (Privileged spec 3.1.6.6);
 * arch/riscv64/vcpu.c calls these only when the probe found an FPU.
 *
 *   void fpu_save(struct fpu_regs *)
 *   void fpu_load(const struct fpu_regs *)
 */

#define FPU_FCSR (32 * 8)

    .text
    .option push
    .option arch, +d

    .balign 4
    .globl fpu_save
fpu_save:
    .irp    n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    fsd     f\n, (\n * 8)(a0)
    .endr
    .irp    n, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    fsd     f\n, (\n * 8)(a0)
    .endr
    frcsr   t0
    sd      t0, FPU_FCSR(a0)
    ret

    .balign 4
    .globl fpu_load
fpu_load:
    .irp    n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    fld     f\n, (\n * 8)(a0)
    .endr
    .irp    n, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    fld     f\n, (\n * 8)(a0)
    .endr
    ld      t0, FPU_FCSR(a0)
    fscsr   t0
    ret

    .option pop
