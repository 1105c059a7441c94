/* SPDX-License-Identifier: MIT */
#ifndef ARCH_GDT_H
#define ARCH_GDT_H

/*
 * The hypervisor's segments: a flat 64-bit code and data segment, shared by all CPUs, and a
 * Task State Segment per CPU whose only use is IST1, the known-good stack for double faults.
 */

#include <axvm/types.h>

#define GDT_CODE_SEL 0x08
#define GDT_DATA_SEL 0x10
#define GDT_TSS_SEL0 0x18 /* CPU n's TSS descriptor (16 bytes) is at GDT_TSS_SEL0 + 16 * n */

#define IST_DOUBLE_FAULT 1

/* 64-bit TSS (Intel SDM vol. 3 §8.7, AMD APM vol. 2 §12.2.5). */
struct x86_tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

/* Load the GDT, reload the segment registers and load this CPU's own TSS. */
struct percpu;
void gdt_load(struct percpu *cpu);

#endif
