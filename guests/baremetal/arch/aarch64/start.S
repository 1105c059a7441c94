// SPDX-License-Identifier: MIT
/*
 * AArch64 test guest entry: EL1, MMU off, x0 = device tree (on bare QEMU, which enters an ELF
 * with x0 = 0, scripts/bench.py loads the device tree at BARE_DTB instead). Turns on an identity map first
 * (normal memory for RAM, device memory below it) because with the MMU off every access is
 * Device memory: no unaligned accesses and no exclusives, which C code and spinlocks want.
 */
#define MAIR 0x000000000000ff00 /* attr0 Device-nGnRnE, attr1 Normal write-back */
#define BARE_DTB 0x48000000

    .section .text.start, "ax"
    .globl _start
_start:
    mrs     x20, cntvct_el0             // the first instruction's time, for bench.c
    mov     x19, x0
    cbnz    x19, 0f
    ldr     x19, =BARE_DTB
0:  ldr     x1, =__bss_start
    ldr     x2, =__bss_end
1:  cmp     x1, x2
    b.hs    2f
    str     xzr, [x1], #8
    b       1b
2:  ldr     x1, =guest_start_cycles
    str     x20, [x1]
    bl      mmu_on
    ldr     x1, =__stack_top
    mov     sp, x1
    mov     x0, x19
    bl      guest_main
3:  wfe
    b       3b

/* PSCI CPU_ON lands here with x0 = context = secondary index (1..7). */
    .globl guest_secondary_entry
guest_secondary_entry:
    mov     x19, x0
    bl      mmu_on
    ldr     x1, =__secondary_stacks_top
    sub     x1, x1, x19, lsl #13
    mov     sp, x1
    mov     x0, x19
    bl      guest_secondary_main
4:  wfe
    b       4b

/*
 * 1 GiB blocks over 512 GiB (T0SZ=25, start at level 1): the GiB holding the image is normal
 * memory and so is everything above it; the first GiB (devices) is Device-nGnRnE.
 */
mmu_on:
    ldr     x1, =l1_table
    ldr     x2, =0x0060000000000401   // device block: AF, attr0, UXN|PXN
    str     x2, [x1]
    mov     x3, #1
5:  lsl     x4, x3, #30
    ldr     x2, =0x0000000000000705   // normal block: AF, inner shareable, attr1
    orr     x2, x2, x4
    str     x2, [x1, x3, lsl #3]
    add     x3, x3, #1
    cmp     x3, #512
    b.lo    5b
    dsb     sy
    ldr     x2, =MAIR
    msr     mair_el1, x2
    // TCR_EL1: T0SZ=25, IRGN0/ORGN0 write-back, SH0 inner, TG0 4K, EPD1 (no TTBR1 walks), IPS 40-bit
    ldr     x2, =((25) | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23) | (2 << 32))
    msr     tcr_el1, x2
    msr     ttbr0_el1, x1
    isb
    tlbi    vmalle1
    dsb     sy
    isb
    mrs     x2, sctlr_el1
    orr     x2, x2, #(1 << 0)         // M
    orr     x2, x2, #(1 << 2)         // C
    orr     x2, x2, #(1 << 12)        // I
    msr     sctlr_el1, x2
    isb
    ret

    .section .bss
    .balign 4096
l1_table:
    .space  4096
