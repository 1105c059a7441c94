// SPDX-License-Identifier: MIT
/*
 * riscv64 test guest entry, in VS-mode with translation off (vsatp = 0), as the SBI boot
 * protocol leaves a kernel: a0 = hart id, a1 = device tree. RAM is ordinary memory without an
 * MMU here (its attributes come from the platform, not from page tables), so C code and
 * atomics work at once.
 */
    .section .text.start, "ax"
    .globl _start
_start:
    rdtime  s2                              // the first instruction's time, for bench.c
    mv      s1, a1
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  la      t0, guest_start_cycles
    sd      s2, 0(t0)
    la      sp, __stack_top
    mv      a0, s1
    call    guest_main
3:  wfi
    j       3b

/* SBI HSM hart_start lands here with a0 = hart id, a1 = opaque = secondary index (1..7). */
    .text
    .balign 4
    .globl guest_secondary_entry
guest_secondary_entry:
    la      t0, __secondary_stacks_top
    addi    t1, a1, -1
    slli    t1, t1, 13                      // 8 KiB per secondary
    sub     sp, t0, t1
    mv      a0, a1
    call    guest_secondary_main
4:  wfi
    j       4b
