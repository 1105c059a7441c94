/* SPDX-License-Identifier: MIT */
#ifndef X86_64_GVA_DECODE_H
#define X86_64_GVA_DECODE_H

/*
 * Decoding a guest-virtual address into a guest-physical one through the guest's own page
 * tables, the way the CPU walks them (AMD APM vol. 2 §5.2-5.3): what the hypervisor needs to
 * read the instruction at a guest RIP when the guest has paging on. Legacy 32-bit paging (with
 * 4 MiB pages under CR4.PSE), PAE, and long mode with 4 or 5 levels. Only presence is checked:
 * the guest has just executed from that address, so the access was allowed.
 * Pure C: also built into the host unit tests (tests/unit/test_x86_64_decode.c).
 */

#include <stdbool.h>
#include <stdint.h>

struct x86_paging {
    uint64_t cr0, cr3, cr4, efer;
    /* Read 'size' (4 or 8) bytes of guest-physical memory at 'gpa'; false if there is none. */
    bool (*read)(void *ctx, uint64_t gpa, void *buf, unsigned size);
    void *ctx;
};

/* Translate 'gva'; returns false if a table entry on the way is not present or unreadable. */
bool x86_gva_translate(const struct x86_paging *p, uint64_t gva, uint64_t *gpa);

#endif
