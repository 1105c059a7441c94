// SPDX-License-Identifier: MIT
/*
 * void *memmove(void *dst, const void *src, size_t n), and memcpy as the same code: the
 * overlap test costs two instructions, and one routine that is right for every overlap is one
 * routine to test. Replaces picolibc's byte loops; general registers only.
 *
 * Forwards when dst is below src or the ranges are apart, else backwards. Either way the
 * destination is first brought to 16-byte alignment with a short copy, then 64 bytes move per
 * loop (all four ldp before the four stp), then 16, and a short copy takes the rest. A short
 * copy (< 16 bytes) loads everything before it stores anything, so it is right for any overlap;
 * a chunk copied in the direction away from the overlap never reads what an earlier chunk wrote.
 */

/* Copy n < 16 bytes from s to d; loads first. Clobbers x12-x17. */
.macro copy_short d, s, n
    add     x16, \s, \n                 // source end
    add     x17, \d, \n                 // destination end
    tbz     \n, #3, .Lcs1_\@
    ldr     x12, [\s]                   // 8..15: two overlapping doublewords
    ldr     x13, [x16, #-8]
    str     x12, [\d]
    str     x13, [x17, #-8]
    b       .Lcs4_\@
.Lcs1_\@:
    tbz     \n, #2, .Lcs2_\@
    ldr     w12, [\s]                   // 4..7
    ldr     w13, [x16, #-4]
    str     w12, [\d]
    str     w13, [x17, #-4]
    b       .Lcs4_\@
.Lcs2_\@:
    cbz     \n, .Lcs4_\@
    ldrb    w12, [\s]                   // 1..3
    tbz     \n, #1, .Lcs3_\@
    ldrh    w13, [x16, #-2]
    strh    w13, [x17, #-2]
.Lcs3_\@:
    strb    w12, [\d]
.Lcs4_\@:
.endm

    .text
    .balign 16
    .globl memcpy
    .type memcpy, %function
    .globl memmove
    .type memmove, %function
memcpy:
memmove:
    sub     x3, x0, x1
    cmp     x3, x2
    b.lo    .Lbackward                  // src < dst < src + n: the ends overlap
    cmp     x2, #16
    b.hs    .Lforward
    copy_short x0, x1, x2
    ret

/* x3 = destination cursor, x1 = source cursor, x2 = bytes left (>= 16). */
.Lforward:
    mov     x3, x0
    neg     x4, x0
    and     x4, x4, #15                 // bytes to the next 16-aligned destination
    cbz     x4, 1f
    copy_short x3, x1, x4
    add     x3, x3, x4
    add     x1, x1, x4
    sub     x2, x2, x4
1:  cmp     x2, #64
    b.lo    2f
    ldp     x4, x5, [x1]
    ldp     x6, x7, [x1, #16]
    ldp     x8, x9, [x1, #32]
    ldp     x10, x11, [x1, #48]
    add     x1, x1, #64
    stp     x4, x5, [x3]
    stp     x6, x7, [x3, #16]
    stp     x8, x9, [x3, #32]
    stp     x10, x11, [x3, #48]
    add     x3, x3, #64
    sub     x2, x2, #64
    b       1b
2:  cmp     x2, #16
    b.lo    3f
    ldp     x4, x5, [x1], #16
    stp     x4, x5, [x3], #16
    sub     x2, x2, #16
    b       2b
3:  copy_short x3, x1, x2
    ret

/* From the ends down: x3 = destination end, x1 = source end, x2 = bytes left. */
.Lbackward:
    cbz     x3, .Lret                   // dst == src
    cmp     x2, #16
    b.hs    1f
    copy_short x0, x1, x2
.Lret:
    ret
1:  add     x3, x0, x2
    add     x1, x1, x2
    and     x4, x3, #15                 // bytes above the last 16-aligned destination address
    cbz     x4, 2f
    sub     x3, x3, x4
    sub     x1, x1, x4
    sub     x2, x2, x4
    copy_short x3, x1, x4
2:  cmp     x2, #64
    b.lo    3f
    ldp     x4, x5, [x1, #-16]
    ldp     x6, x7, [x1, #-32]
    ldp     x8, x9, [x1, #-48]
    ldp     x10, x11, [x1, #-64]
    sub     x1, x1, #64
    stp     x4, x5, [x3, #-16]
    stp     x6, x7, [x3, #-32]
    stp     x8, x9, [x3, #-48]
    stp     x10, x11, [x3, #-64]
    sub     x3, x3, #64
    sub     x2, x2, #64
    b       2b
3:  cmp     x2, #16
    b.lo    4f
    ldp     x4, x5, [x1, #-16]!
    stp     x4, x5, [x3, #-16]!
    sub     x2, x2, #16
    b       3b
4:  sub     x1, x1, x2                  // what is left is at the start of both
    copy_short x0, x1, x2
    ret
    .size memmove, . - memmove
    .size memcpy, . - memcpy
