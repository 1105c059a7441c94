// SPDX-License-Identifier: MIT
/*
 * The timer interrupt for timerbench.c: the local APIC timer in TSC-deadline mode (Intel SDM
 * vol. 3 §11.5.4.1: IA32_TSC_DEADLINE against the TSC that guest_cycles reads), delivered
 * through an interrupt gate of a one-entry-used IDT in long mode.
 */
#include <string.h>
#include "../../guest.h"

#define LAPIC_EOI        ((volatile uint32_t *)0xfee000b0)
#define LAPIC_SVR        ((volatile uint32_t *)0xfee000f0)
#define LAPIC_LVT_TIMER  ((volatile uint32_t *)0xfee00320)
#define SVR_ENABLE       0x100
#define LVT_TSC_DEADLINE (2U << 17)
#define MSR_TSC_DEADLINE 0x6e0
#define TIMER_VECTOR     0x40
#define SPURIOUS_VECTOR  0xff
#define GATE_INTERRUPT   0x8e /* present, DPL 0, 64-bit interrupt gate */

struct idt_gate {
    uint16_t offset_lo, selector;
    uint8_t ist, type;
    uint16_t offset_mid;
    uint32_t offset_hi, reserved;
};

static struct idt_gate idt[256] __attribute__((aligned(16)));

static void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

/* Called by timer_entry with the caller-saved registers saved. */
void timer_irq_c(void);
void timer_irq_c(void)
{
    uint64_t now = guest_cycles();
    *LAPIC_EOI = 0;
    timerbench_irq(now);
}

/* The CPU pushed SS, RSP, RFLAGS, CS, RIP on a 16-byte aligned stack: nine more registers keep
 * the call aligned (System V ABI). */
void timer_entry(void);
__asm__(".text\n"
        ".globl timer_entry\n"
        "timer_entry:\n"
        "    pushq %rax\n pushq %rcx\n pushq %rdx\n pushq %rsi\n pushq %rdi\n"
        "    pushq %r8\n pushq %r9\n pushq %r10\n pushq %r11\n"
        "    call timer_irq_c\n"
        "    popq %r11\n popq %r10\n popq %r9\n popq %r8\n"
        "    popq %rdi\n popq %rsi\n popq %rdx\n popq %rcx\n popq %rax\n"
        "    iretq\n");

bool guest_timer_init(const void *fdt)
{
    (void)fdt; /* the timer is the CPU's own */
    uint64_t handler = (uint64_t)(uintptr_t)timer_entry;
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    memset(idt, 0, sizeof(idt));
    idt[TIMER_VECTOR] = (struct idt_gate){
        .offset_lo = (uint16_t)handler,
        .selector = cs,
        .type = GATE_INTERRUPT,
        .offset_mid = (uint16_t)(handler >> 16),
        .offset_hi = (uint32_t)(handler >> 32),
    };
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) idtr = {sizeof(idt) - 1, (uint64_t)(uintptr_t)idt};
    __asm__ volatile("lidt %0" ::"m"(idtr) : "memory");
    *LAPIC_SVR = SVR_ENABLE | SPURIOUS_VECTOR;
    *LAPIC_LVT_TIMER = LVT_TSC_DEADLINE | TIMER_VECTOR;
    return true;
}

void guest_timer_arm(uint64_t deadline)
{
    wrmsr(MSR_TSC_DEADLINE, deadline);
}

/* STI's shadow covers HLT: an interrupt that came meanwhile ends the HLT instead of being
 * taken before it; it is taken after the HLT, and CLI masks interrupts again. */
void guest_timer_wait(void)
{
    __asm__ volatile("sti; hlt; cli" ::: "memory");
}
