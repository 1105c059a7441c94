// SPDX-License-Identifier: MIT
#include <arch/gdt.h>
#include <arch/trap.h>

#define IDT_VECTORS        256
#define IDT_INTERRUPT_GATE 0x8e /* present, DPL 0, 64-bit interrupt gate: IF cleared on entry */

struct idt_entry {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
} __attribute__((packed));

static struct idt_entry idt[IDT_VECTORS] __attribute__((aligned(16)));

/* entry.S: IDT_VECTORS stubs of TRAP_STUB_SIZE bytes each. */
extern const char trap_stubs[];

void idt_init(void)
{
    for (unsigned v = 0; v < IDT_VECTORS; v++) {
        uintptr_t stub = (uintptr_t)(trap_stubs + v * TRAP_STUB_SIZE);
        idt[v] = (struct idt_entry){
            .offset_low = (uint16_t)stub,
            .selector = GDT_CODE_SEL,
            /* A double fault may come from a broken stack: take it on a known-good one. */
            .ist = v == 8 ? IST_DOUBLE_FAULT : 0,
            .type = IDT_INTERRUPT_GATE,
            .offset_mid = (uint16_t)(stub >> 16),
            .offset_high = (uint32_t)(stub >> 32),
        };
    }
}

void idt_load(void)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) idtr = {sizeof(idt) - 1, (uintptr_t)idt};
    __asm__ volatile("lidt %0" : : "m"(idtr));
}
