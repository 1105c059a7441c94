// SPDX-License-Identifier: MIT
/*
 * The last steps of axvm.efi, after ExitBootServices: leave the firmware's EL2 setup as the
 * arm64 boot protocol wants it (Documentation/arch/arm64/booting.rst: MMU off, the image
 * cleaned to the point of coherency, no stale instruction-cache entries, interrupts masked)
 * and enter axvm.bin.
 */

#define SCTLR_M (1 << 0)
#define SCTLR_C (1 << 2)
#define SCTLR_I (1 << 12)

    .text

/* x0 = start, x1 = size: dc civac over every line of the range. */
    .globl efi_dcache_clean_poc
efi_dcache_clean_poc:
    mrs     x3, ctr_el0
    ubfx    x3, x3, #16, #4             // DminLine: log2 of the line size in words
    mov     x2, #4
    lsl     x2, x2, x3
    add     x1, x0, x1
    sub     x3, x2, #1
    bic     x0, x0, x3
1:  cmp     x0, x1
    b.hs    2f
    dc      civac, x0
    add     x0, x0, x2
    b       1b
2:  dsb     sy
    ret

/*
 * x0 = entry, x1 = device tree. Runs on through the MMU switch because UEFI maps memory
 * 1:1; from then on it touches no memory but its own (cleaned) instructions.
 */
    .globl efi_enter_image, efi_enter_image_end
efi_enter_image:
    msr     daifset, #0xf
    mov     x19, x0
    mov     x20, x1
    // The firmware's timers must not fire into axvm before it sets up its own.
    msr     cnthp_ctl_el2, xzr
    msr     cntp_ctl_el0, xzr
    msr     cntv_ctl_el0, xzr
    mrs     x2, sctlr_el2
    mov     x3, #(SCTLR_M | SCTLR_C | SCTLR_I)
    bic     x2, x2, x3
    dsb     sy
    msr     sctlr_el2, x2
    isb
    ic      iallu
    tlbi    alle2
    dsb     sy
    isb
    mov     x0, x20
    mov     x1, xzr
    mov     x2, xzr
    mov     x3, xzr
    br      x19
efi_enter_image_end:
