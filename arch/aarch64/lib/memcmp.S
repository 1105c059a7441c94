// SPDX-License-Identifier: MIT
/*
 * int memcmp(const void *a, const void *b, size_t n): eight bytes per compare, then bytes.
 * Returns the difference of the first differing bytes (as unsigned char), like the byte loop it
 * replaces. General registers only.
 */
    .text
    .balign 16
    .globl memcmp
    .type memcmp, %function
memcmp:
1:  cmp     x2, #8
    b.lo    3f
    ldr     x4, [x0], #8
    ldr     x5, [x1], #8
    sub     x2, x2, #8
    cmp     x4, x5
    b.eq    1b
    // Little endian: the first differing byte is the lowest set byte of a ^ b.
    rev     x4, x4
    rev     x5, x5
    eor     x6, x4, x5
    clz     x6, x6
    and     x6, x6, #0x38               // bit offset of that byte from the top
    lsl     x4, x4, x6
    lsl     x5, x5, x6
    lsr     x4, x4, #56
    lsr     x5, x5, #56
    sub     w0, w4, w5
    ret
3:  cbz     x2, 5f
4:  ldrb    w4, [x0], #1
    ldrb    w5, [x1], #1
    subs    w4, w4, w5
    b.ne    6f
    subs    x2, x2, #1
    b.ne    4b
5:  mov     w0, #0
    ret
6:  mov     w0, w4
    ret
    .size memcmp, . - memcmp
