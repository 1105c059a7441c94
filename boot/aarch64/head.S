// SPDX-License-Identifier: MIT
/*
 * AArch64 entry. The image starts with a Linux arm64 Image header
 * (Documentation/arch/arm64/booting.rst) so QEMU -kernel and U-Boot booti load it like a
 * kernel: at EL2, MMU off, x0 = physical address of the device tree.
 */

/* Attributes: 0 Device-nGnRnE, 1 Device-nGnRE, 2 Normal write-back (see arch/mmu.h). */
#define MMU_MAIR 0x0000000000ff0400
/* TCR_EL2: RES1 31/23, 40-bit PA, 4K granule, inner-shareable write-back walks, T0SZ=25. */
#define MMU_TCR 0x80823519
/* SCTLR_EL2: RES1 bits, MMU, D-cache, stack alignment check, I-cache. */
#define MMU_SCTLR 0x30c5183d
/* 1 GiB block descriptors for the early map. */
#define BLOCK_DEVICE 0x0040000000000405 /* nGnRE, AF, XN */
#define BLOCK_NORMAL 0x0000000000000709 /* normal WB, inner shareable, AF */

    .section .text.head, "ax"
    .globl _start
_start:
    b       primary_entry               // code0
    .long   0                           // code1
    .quad   0x200000                    // text_offset: 2 MiB above the RAM base
    .quad   _image_size                 // image_size, BSS included (linker script)
    // flags: little endian, 4K pages, bit 3: the 2 MiB-aligned base may be anywhere in RAM.
    // Not position-independent, axvm must run where it is linked: with bit 3 U-Boot's booti
    // leaves it where boot.scr loads it instead of moving it next to the RAM base.
    .quad   0xa
    .quad   0, 0, 0                     // res2..res4
    .ascii  "ARM\x64"                   // magic
    .long   0                           // res5: no PE header

primary_entry:
    msr     daifset, #0xf
    mov     x19, x0                     // keep the DTB pointer

    mrs     x1, CurrentEL
    cmp     x1, #(2 << 2)
    b.ne    wrong_el

    ldr     x1, =_bss_start
    ldr     x2, =_bss_end
1:  cmp     x1, x2
    b.hs    2f
    stp     xzr, xzr, [x1], #16
    b       1b
2:
    ldr     x1, =boot_stack_top
    mov     sp, x1

    /*
     * Early map until C has read the device tree: the first and the fourth GiB as device (the
     * peripherals of QEMU virt, and of the Raspberry Pi 4 from 0xfc000000), unless the device
     * tree lies there (the Pi's RAM starts at 0), everything else up to 512 GiB as normal
     * memory. C code needs normal memory for unaligned accesses; mmu_init() replaces this with
     * an exact map.
     */
    ldr     x20, =early_l1
    lsr     x4, x19, #30                // the device tree's GiB (none without one)
    cbnz    x19, 5f
    mov     x4, #512
5:  mov     x2, #0
3:  lsl     x3, x2, #30
    ldr     x1, =BLOCK_NORMAL
    cmp     x2, x4
    b.eq    4f
    cmp     x2, #0
    ccmp    x2, #3, #4, ne              // slot 0 or slot 3: device
    b.ne    4f
    ldr     x1, =BLOCK_DEVICE
4:  orr     x1, x1, x3
    str     x1, [x20, x2, lsl #3]
    add     x2, x2, #1
    cmp     x2, #512
    b.lo    3b

    bl      el2_setup
    mov     x0, x19
    bl      arch_boot_main
    b       park

wrong_el:
    // Nothing can be printed yet: the console is found through the device tree.
    b       park

/*
 * Secondary CPUs, started by PSCI CPU_ON at EL2 with the MMU off and x0 = context: the
 * address of struct arch_percpu.boot_args = { stack_top, struct percpu * }.
 */
    .globl secondary_entry
secondary_entry:
    msr     daifset, #0xf
    ldr     x1, [x0]
    mov     sp, x1
    ldr     x19, [x0, #8]
    ldr     x20, =mmu_root
    ldr     x20, [x20]
    bl      el2_setup
    mov     x0, x19
    bl      arch_secondary_main
    b       park

/* Vectors, traps to EL2 for FP left off, and the MMU on with root table x20. */
el2_setup:
    ldr     x1, =exception_vectors
    msr     vbar_el2, x1
    // CPTR_EL2: RES1 bits only, so FP/SIMD (used by picolibc's string routines) does not trap.
    mov     x1, #0x33ff
    msr     cptr_el2, x1
    msr     hcr_el2, xzr
    ldr     x1, =MMU_MAIR
    msr     mair_el2, x1
    ldr     x1, =MMU_TCR
    msr     tcr_el2, x1
    msr     ttbr0_el2, x20
    isb
    tlbi    alle2
    dsb     ish
    isb
    ldr     x1, =MMU_SCTLR
    msr     sctlr_el2, x1
    isb
    ret

park:
    wfe
    b       park

    .section .bss
    .balign 4096
early_l1:
    .space  4096
    .balign 16
boot_stack:
    .space  16384
boot_stack_top:
