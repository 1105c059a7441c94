// SPDX-License-Identifier: MIT
/*
 * A spin-table firmware for QEMU virt with secure=on, as the Raspberry Pi's armstub8 is for
 * the Pi 4: every CPU starts here at EL3 at once (QEMU offers no PSCI to a machine with its own
 * secure firmware). Each hands the GIC's interrupts to the Non-secure side, drops to EL2, and
 * then CPU 0 enters axvm.bin at 0x40200000 with the device tree (QEMU put it at the RAM base)
 * in x0, while the others wait in WFE for an entry point at their release address
 * (RELEASE_BASE + 8 * CPU number: the device tree's cpu-release-addr).
 *
 * Test support only (tests/integration/test_spin_table_aarch64.py): not part of axvm.
 */
#define GICD          0x08000000
#define GICC          0x08010000
#define DTB           0x40000000
#define AXVM          0x40200000
#define RELEASE_BASE  0x40100000
/* Where the EL2 part runs: the flash is Secure-only on this machine, so the Non-secure code
 * after the drop must be in RAM (the same page as the release addresses, kept by the tree). */
#define EL2_CODE      0x40100800
#define ICC_SRE_EL3   S3_6_C12_C12_5
/* SCR_EL3: Non-secure below, RES1 5:4, HVC enabled, EL2 is AArch64; IRQs stay below EL3. */
#define SCR_EL3_VALUE 0x531
/* SPSR_EL3: EL2h with DAIF masked. */
#define SPSR_EL2H     0x3c9
/* SCTLR_EL2: RES1 bits, MMU and caches off. */
#define SCTLR_EL2_OFF 0x30c50830

    .text
    .globl _start
_start:
    mrs     x19, mpidr_el1
    and     x19, x19, #0xff             // CPU number
    ldr     x20, =GICD
    mrs     x1, id_aa64pfr0_el1
    ubfx    x1, x1, #24, #4             // a GICv3 CPU interface?
    cbnz    x1, gicv3

    // GICv2 with the Security Extensions (the Pi 4's GIC-400): every interrupt in group 1,
    // the SGIs' and PPIs' registers banked for each CPU, the SPIs' set once by CPU 0.
    mov     w2, #-1
    str     w2, [x20, #0x80]
    cbnz    x19, 2f
    mov     x3, #1
1:  add     x4, x20, x3, lsl #2
    str     w2, [x4, #0x80]
    add     x3, x3, #1
    cmp     x3, #32
    b.lo    1b
    mov     w2, #3                      // GICD_CTLR: both groups forwarded
    str     w2, [x20]
2:  ldr     x21, =GICC
    mov     w2, #3                      // GICC_CTLR (Secure): both groups
    str     w2, [x21]
    mov     w2, #0xff                   // GICC_PMR: everything
    str     w2, [x21, #4]
    b       drop

gicv3:
    // GICv3: one security state (GICD_CTLR.DS), the system-register interface for EL2.
    cbnz    x19, 3f
    mov     w2, #(1 << 6)
    str     w2, [x20]
3:  mov     x2, #0xf
    msr     ICC_SRE_EL3, x2
    isb

drop:
    // Copy the EL2 part to RAM (each CPU writes the same words: harmless).
    adr     x2, el2
    adr     x3, el2_end
    ldr     x4, =EL2_CODE
5:  ldr     x5, [x2], #8
    str     x5, [x4], #8
    cmp     x2, x3
    b.lo    5b
    dsb     sy
    msr     cptr_el3, xzr
    ldr     x2, =SCR_EL3_VALUE
    msr     scr_el3, x2
    ldr     x2, =SCTLR_EL2_OFF
    msr     sctlr_el2, x2
    mov     x2, #SPSR_EL2H
    msr     spsr_el3, x2
    ldr     x2, =EL2_CODE
    msr     elr_el3, x2
    eret
    .ltorg

    .balign 8
el2:
    cbnz    x19, secondary
    ldr     x0, =DTB
    mov     x1, xzr
    mov     x2, xzr
    mov     x3, xzr
    ldr     x4, =AXVM
    br      x4

secondary:
    ldr     x5, =RELEASE_BASE
    add     x5, x5, x19, lsl #3
4:  wfe
    ldr     x4, [x5]
    cbz     x4, 4b
    mov     x0, xzr
    br      x4
    .ltorg
    .balign 8
el2_end:
