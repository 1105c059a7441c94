// SPDX-License-Identifier: MIT
/*
 * axvm.bin inside axvm.efi, and the address it is linked at (arch/aarch64/arch.mk passes both:
 * AXVM_BIN, the file, and AXVM_LINK_ADDR, _image_start of axvm.elf).
 */
    .section .rodata.payload, "a"
    .balign 8
    .globl efi_payload_link_addr
efi_payload_link_addr:
    .quad   AXVM_LINK_ADDR

    .balign 16
    .globl efi_payload, efi_payload_end
efi_payload:
    .incbin AXVM_BIN
efi_payload_end:
