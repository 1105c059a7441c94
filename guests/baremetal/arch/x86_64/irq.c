// SPDX-License-Identifier: MIT
/*
 * The x86_64 test guest's device interrupts: I/O APIC pin 'irq' routed as an edge-triggered
 * fixed interrupt to this vCPU's local APIC (82093AA datasheet 3.2.4), which delivers it
 * through a 64-bit interrupt gate (AMD APM vol. 2 §8.9) to irq_entry below; the handler ends
 * it with a local APIC EOI (Intel SDM vol. 3 §11.8.5). The I/O APIC is at the PC's address:
 * it has no device-tree node, and the configs place it there.
 */
#include <libfdt.h>
#include "../../guest.h"

#define IOAPIC_BASE     0xfec00000UL
#define IOAPIC_REGSEL   0x00
#define IOAPIC_WIN      0x10
#define IOAPIC_REDIR(p) (0x10 + 2 * (p))
#define LAPIC_BASE      0xfee00000UL
#define LAPIC_ID        0x020
#define LAPIC_EOI       0x0b0
#define LAPIC_SVR       0x0f0
#define SVR_ENABLE      0x100
#define VECTOR_DOORBELL 0x40
#define VECTOR_SPURIOUS 0xff
#define SEL_CODE64      0x18   /* start.S's GDT */
#define GATE_INTERRUPT  0x8e00 /* present, DPL 0, 64-bit interrupt gate */

struct idt_gate {
    uint16_t offset_lo, selector, attr, offset_mid;
    uint32_t offset_hi, zero;
};

static struct idt_gate idt[256] __attribute__((aligned(16)));
static void (*wanted_fn)(void);

/* Both stubs keep every register the C code may change (the ABI's caller-saved ones); the CPU
 * pushed five quadwords on a 16-byte aligned stack, nine more keep the call aligned. */
__asm__(".text\n"
        "irq_entry:\n"
        "    push %rax; push %rcx; push %rdx; push %rsi; push %rdi\n"
        "    push %r8; push %r9; push %r10; push %r11\n"
        "    cld\n"
        "    call irq_handle\n"
        "    pop %r11; pop %r10; pop %r9; pop %r8\n"
        "    pop %rdi; pop %rsi; pop %rdx; pop %rcx; pop %rax\n"
        "    iretq\n"
        "irq_spurious:\n" /* no EOI for the spurious vector (SDM §11.9) */
        "    iretq\n");
extern char irq_entry[], irq_spurious[];

static volatile uint32_t *lapic(unsigned off)
{
    return (volatile uint32_t *)(LAPIC_BASE + off);
}

void irq_handle(void);

/* Called by irq_entry. */
void irq_handle(void)
{
    if (wanted_fn)
        wanted_fn();
    *lapic(LAPIC_EOI) = 0;
}

static void gate_set(unsigned vector, const void *fn)
{
    uint64_t a = (uintptr_t)fn;
    idt[vector] = (struct idt_gate){(uint16_t)a,         SEL_CODE64,          GATE_INTERRUPT,
                                    (uint16_t)(a >> 16), (uint32_t)(a >> 32), 0};
}

static void ioapic_write(unsigned index, uint32_t value)
{
    *(volatile uint32_t *)(IOAPIC_BASE + IOAPIC_REGSEL) = index;
    *(volatile uint32_t *)(IOAPIC_BASE + IOAPIC_WIN) = value;
}

bool guest_irq_enable(const void *fdt, unsigned irq, void (*fn)(void))
{
    (void)fdt;
    if (irq == 0 || irq >= 24)
        return false;
    wanted_fn = fn;
    gate_set(VECTOR_DOORBELL, irq_entry);
    gate_set(VECTOR_SPURIOUS, irq_spurious);
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } idtr = {sizeof(idt) - 1, (uintptr_t)idt};
    __asm__ volatile("lidt %0" ::"m"(idtr) : "memory");
    *lapic(LAPIC_SVR) = SVR_ENABLE | VECTOR_SPURIOUS;
    uint32_t apic_id = *lapic(LAPIC_ID) >> 24;
    /* Edge, active high, physical destination, fixed delivery, unmasked. */
    ioapic_write(IOAPIC_REDIR(irq) + 1, apic_id << 24);
    ioapic_write(IOAPIC_REDIR(irq), VECTOR_DOORBELL);
    return true;
}

/* STI takes effect after the next instruction, so no interrupt comes between it and HLT, and
 * one pending wakes the HLT (AMD APM vol. 3, STI). */
void guest_irq_wait(volatile uint32_t *count, uint32_t target)
{
    while (__atomic_load_n(count, __ATOMIC_ACQUIRE) < target)
        __asm__ volatile("sti; hlt; cli" ::: "memory");
}
