// SPDX-License-Identifier: MIT
/*
 * First instructions of the hypervisor. OpenSBI (fw_dynamic or fw_jump) enters here in
 * HS-mode with the MMU off, a0 = hart id, a1 = physical address of the device tree
 * (Linux Documentation/arch/riscv/boot.rst gives the same contract).
 *
 * OpenSBI lets exactly one hart enter the payload and keeps the others in its HSM "stopped"
 * state. Which one is not fixed: fw_jump takes the winner of its own boot lottery (any hart id,
 * seen: 2), fw_dynamic under QEMU 7.2 took hart 0 in every run. Nothing here assumes hart 0.
 * A loader that releases every hart here at once is handled too: the first hart to win
 * boot_lottery boots, any other returns itself to the firmware with HSM hart_stop, from where
 * arch_cpu_start() starts it like any other secondary.
 */
#include <arch/csr.h>
#include <arch/percpu.h>
#include <arch/sbi.h>

#define BOOT_STACK_SIZE (16 * 1024)

    .section .text.head, "ax"
    .globl _start
/*
 * A RISC-V Linux Image header (Documentation/arch/riscv/boot-image-header.rst), so U-Boot's
 * booti starts the image like a kernel; OpenSBI and QEMU -kernel just run its first
 * instruction, a jump over the header. booti never moves a RISC-V image: it runs where it was
 * loaded, which must be the link address (0x80200000 = RAM base + text_offset on QEMU virt).
 */
_start:
    .option push
    .option norvc
    j       primary_entry           // code0: 4 bytes, whatever the C extension
    .option pop
    .word   0                       // code1
    .dword  0x200000                // text_offset
    .dword  _end - _start           // image_size, .bss included
    .dword  0                       // flags: little endian
    .word   2                       // version 0.2
    .word   0                       // res1
    .dword  0                       // res2
    .ascii  "RISCV\0\0\0"           // magic (deprecated, still checked by U-Boot)
    .ascii  "RSC\x05"               // magic2
    .word   0                       // res3: no PE header

primary_entry:
    csrw    sie, zero
    csrci   sstatus, SSTATUS_SIE

    la      t0, boot_lottery
    li      t1, 1
    amoswap.w.aqrl t1, t1, (t0)
    bnez    t1, park

    mv      s1, a0                  // hart id
    mv      s2, a1                  // device tree

    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:
    la      sp, boot_stack_top

    // Without the H extension this is not HS-mode and hstatus does not exist (misa cannot be
    // read from S-mode). Probe it with a temporary vector: trap_entry itself reads hstatus.
    la      t0, no_hypervisor
    csrw    stvec, t0
    csrr    zero, hstatus

    // riscv_boot_main() points sscratch at percpu_table[0] before anything can trap.
    la      t0, trap_entry
    csrw    stvec, t0

    mv      a0, s1
    mv      a1, s2
    li      s0, 0                   // frame pointer chain ends here
    call    riscv_boot_main
    j       halt

    .balign 4
no_hypervisor:
    la      a0, no_hypervisor_msg
    call    sbi_early_puts
    j       halt

    // A hart that lost the lottery: give it back to the firmware as stopped.
park:
    li      a7, SBI_EXT_HSM
    li      a6, SBI_HSM_HART_STOP
    ecall
halt:
    wfi
    j       halt

/*
 * Secondary harts, started by arch_cpu_start() through SBI HSM hart_start: S-mode, MMU off,
 * sstatus.SIE = 0, a0 = hart id, a1 = the struct arch_start_args of this CPU (SBI v1.0, 9.1).
 */
    .text
    .balign 4
    .globl secondary_entry
secondary_entry:
    csrw    sie, zero
    ld      sp, START_ARGS_STACK_TOP(a1)
    ld      t0, START_ARGS_ARCH(a1)
    csrw    sscratch, t0
    la      t1, trap_entry
    csrw    stvec, t1

    // Same translation as the boot hart. The map is an identity map, so the next
    // instruction is fetched from the same address with or without it.
    ld      t1, START_ARGS_SATP(a1)
    sfence.vma
    csrw    satp, t1
    sfence.vma

    mv      a0, t0
    li      s0, 0
    call    riscv_secondary_main
    j       halt

    .section .rodata
no_hypervisor_msg:
    .asciz  "[axvm] error: this hart has no H extension (HS-mode); axvm cannot run here\n"

    .data
    .balign 4
    // In .data, not .bss: a losing hart may read it while the winner clears .bss.
boot_lottery:
    .word   0

    .section .bss.boot_stack, "aw", @nobits
    .balign 16
    .globl boot_stack_top
boot_stack:
    .space  BOOT_STACK_SIZE
boot_stack_top:
