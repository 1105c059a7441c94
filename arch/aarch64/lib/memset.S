// SPDX-License-Identifier: MIT
/*
 * void *memset(void *dst, int c, size_t n), replacing picolibc's byte loop (which under QEMU
 * TCG costs a store per byte: zeroing a 256 MiB VM took seconds).
 *
 * General registers only (the hypervisor is built -mgeneral-regs-only and must not touch the
 * guest's FP/SIMD state). Fewer than 16 bytes: two overlapping stores from each end. Otherwise
 * 16-byte stp, unaligned at both ends and aligned in between, four per loop. Zeroing a range
 * that holds whole cache-zeroing blocks uses DC ZVA (ARM ARM C6.2.84) when DCZID_EL0 allows it
 * (DZP clear, D17.2.35): one instruction per block, the fastest way to clear memory on
 * hardware and on TCG alike. Only the hypervisor's own Normal memory is ever cleared here;
 * DC ZVA on Device memory would fault, and nothing clears device registers with memset.
 *
 * Unaligned stores need SCTLR_EL2.A = 0 and Normal memory, which the hypervisor has from its
 * first instruction of C (boot/aarch64/head.S).
 */
#define ZVA_MIN 256 /* below this, finding the block size costs more than stp saves */

    .text
    .balign 16
    .globl memset
    .type memset, %function
memset:
    and     x1, x1, #0xff
    mov     x9, #0x0101010101010101
    mul     x1, x1, x9                  // c in every byte
    add     x4, x0, x2                  // end
    cmp     x2, #16
    b.lo    .Lsmall

    stp     x1, x1, [x0]                // the first and last 16 bytes, unaligned
    stp     x1, x1, [x4, #-16]
    cmp     x2, #32
    b.ls    .Lret
    add     x3, x0, #16
    and     x3, x3, #~15                // first 16-aligned address past what is stored
    sub     x5, x4, #16                 // bytes from here on are stored already
    cbnz    x1, .Lstp64
    sub     x6, x5, x3
    cmp     x6, #ZVA_MIN
    b.hs    .Lzva

/* [x3, x5) left, x3 16-aligned; a store at x3 < x5 ends at or before the end. */
.Lstp64:
    sub     x6, x5, x3
    cmp     x6, #64
    b.lo    .Lstp16
    stp     x1, x1, [x3]
    stp     x1, x1, [x3, #16]
    stp     x1, x1, [x3, #32]
    stp     x1, x1, [x3, #48]
    add     x3, x3, #64
    b       .Lstp64
.Lstp16:
    cmp     x3, x5
    b.hs    .Lret
    stp     x1, x1, [x3], #16
    b       .Lstp16
.Lret:
    ret

/* Zeroing [x3, x5), at least ZVA_MIN bytes. */
.Lzva:
    mrs     x6, dczid_el0
    tbnz    x6, #4, .Lstp64             // DZP: DC ZVA prohibited
    and     x6, x6, #15
    cmp     x6, #2
    b.lo    .Lstp64                     // blocks under 16 bytes: not worth it
    mov     x7, #4
    lsl     x7, x7, x6                  // block size in bytes (BS is log2 of words)
    sub     x8, x7, #1
    add     x9, x3, x8
    bic     x9, x9, x8                  // first block boundary at or after x3
    add     x10, x9, x7
    cmp     x10, x5
    b.hi    .Lstp64                     // no whole block in the range
1:  cmp     x3, x9                      // up to the boundary with stp (x3, x9 16-aligned)
    b.hs    2f
    stp     xzr, xzr, [x3], #16
    b       1b
2:  lsl     x10, x7, #2                 // four blocks per loop while they fit
3:  sub     x6, x5, x3
    cmp     x6, x10
    b.lo    4f
    dc      zva, x3
    add     x3, x3, x7
    dc      zva, x3
    add     x3, x3, x7
    dc      zva, x3
    add     x3, x3, x7
    dc      zva, x3
    add     x3, x3, x7
    b       3b
4:  sub     x6, x5, x3
    cmp     x6, x7
    b.lo    .Lstp64                     // the rest is under one block
    dc      zva, x3
    add     x3, x3, x7
    b       4b

/* Under 16 bytes. */
.Lsmall:
    tbz     x2, #3, 1f
    str     x1, [x0]                    // 8..15
    str     x1, [x4, #-8]
    ret
1:  tbz     x2, #2, 2f
    str     w1, [x0]                    // 4..7
    str     w1, [x4, #-4]
    ret
2:  cbz     x2, 3f
    strb    w1, [x0]                    // 1..3
    tbz     x2, #1, 3f
    strh    w1, [x4, #-2]
3:  ret
    .size memset, . - memset
