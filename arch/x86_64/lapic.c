// SPDX-License-Identifier: MIT
#include <axvm/arch.h>
#include <axvm/arch_vm.h>
#include <arch/cpu.h>
#include <arch/lapic.h>
#include <arch/timer.h>
#include <arch/trap.h>

/* Register offsets in the xAPIC page; in x2APIC mode register r is MSR 0x800 + (r >> 4). */
#define LAPIC_ID         0x020
#define LAPIC_TPR        0x080
#define LAPIC_EOI        0x0b0
#define LAPIC_SVR        0x0f0
#define LAPIC_ICR_LO     0x300
#define LAPIC_ICR_HI     0x310
#define LAPIC_LVT_TIMER  0x320
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR  0x390
#define LAPIC_TIMER_DIV  0x3e0

#define LVT_MASKED    (1u << 16)
#define TIMER_DIV_1   0xb
#define X2APIC_MSR(r) (0x800 + ((r) >> 4))

#define APIC_BASE_X2APIC (1ul << 10)
#define APIC_BASE_ENABLE (1ul << 11)
#define APIC_BASE_ADDR   0x000ffffffffff000ul

#define SVR_ENABLE       (1u << 8)
#define ICR_SEND_PENDING (1u << 12)
#define XAPIC_MAX_ID     0xff

static volatile uint32_t *lapic_mmio;
static bool lapic_x2;

static uint32_t lapic_read(unsigned reg)
{
    if (lapic_x2)
        return (uint32_t)rdmsr(X2APIC_MSR(reg));
    return lapic_mmio[reg / 4];
}

static void lapic_write(unsigned reg, uint32_t value)
{
    if (lapic_x2)
        wrmsr(X2APIC_MSR(reg), value);
    else
        lapic_mmio[reg / 4] = value;
}

void lapic_init(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);
    if (!(base & APIC_BASE_ENABLE)) {
        base |= APIC_BASE_ENABLE;
        wrmsr(MSR_APIC_BASE, base);
    }
    lapic_x2 = base & APIC_BASE_X2APIC;
    lapic_mmio = phys_to_ptr(base & APIC_BASE_ADDR);
}

paddr_t lapic_base(void)
{
    return ptr_to_phys((const void *)lapic_mmio);
}

void lapic_enable(void)
{
    lapic_write(LAPIC_TPR, 0);
    lapic_write(LAPIC_SVR, SVR_ENABLE | VECTOR_SPURIOUS);
}

uint32_t lapic_id(void)
{
    uint32_t id = lapic_read(LAPIC_ID);
    return lapic_x2 ? id : id >> 24;
}

void lapic_eoi(void)
{
    lapic_write(LAPIC_EOI, 0);
}

bool lapic_send_ipi(uint32_t dest, uint32_t icr)
{
    if (lapic_x2) {
        /* WRMSR to the x2APIC is not serializing: make earlier stores (the message the IPI
         * announces) visible first (Intel SDM vol. 3 §11.12.3). */
        __asm__ volatile("mfence; lfence" ::: "memory");
        wrmsr(X2APIC_MSR(LAPIC_ICR_LO), ((uint64_t)dest << 32) | icr);
        return true;
    }
    if (dest > XAPIC_MAX_ID && !(icr & ICR_ALL_BUT_SELF))
        return false;
    /* The two halves must not be split by an interrupt handler that sends its own IPI. */
    unsigned long flags = arch_irq_save();
    while (lapic_read(LAPIC_ICR_LO) & ICR_SEND_PENDING)
        __asm__ volatile("pause");
    lapic_write(LAPIC_ICR_HI, dest << 24);
    lapic_write(LAPIC_ICR_LO, icr);
    while (lapic_read(LAPIC_ICR_LO) & ICR_SEND_PENDING)
        __asm__ volatile("pause");
    arch_irq_restore(flags);
    return true;
}

/* Local APIC timer ticks per second (divide by 1), measured against the TSC once. */
static uint64_t lapic_timer_hz;

static uint64_t lapic_timer_calibrate(void)
{
    lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_1);
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VECTOR_SLICE);
    lapic_write(LAPIC_TIMER_INIT, 0xffffffffu);
    uint64_t t0 = arch_counter_read();
    timer_delay_us(2000);
    uint32_t left = lapic_read(LAPIC_TIMER_CUR);
    uint64_t t1 = arch_counter_read();
    lapic_write(LAPIC_TIMER_INIT, 0);
    uint64_t ticks = 0xffffffffu - left;
    return ticks * arch_counter_freq() / (t1 - t0);
}

/*
 * The pCPU's one-shot timer (pcpu_timer.c): the local APIC timer on VECTOR_SLICE, counting
 * down from the distance to the deadline. In guest mode it makes an INTR exit.
 */
void lapic_timer_oneshot(uint64_t deadline)
{
    if (deadline == ~0ULL) {
        lapic_write(LAPIC_TIMER_INIT, 0);
        lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VECTOR_SLICE);
        return;
    }
    if (!lapic_timer_hz)
        lapic_timer_hz = lapic_timer_calibrate();
    uint64_t now = arch_counter_read();
    uint64_t ticks = deadline > now ? deadline - now : 0;
    /* Counter ticks to timer ticks; the quotient first keeps the product in 64 bits. */
    uint64_t count = ticks / arch_counter_freq() * lapic_timer_hz +
                     ticks % arch_counter_freq() * lapic_timer_hz / arch_counter_freq();
    if (!count)
        count = 1; /* due now: fire at once */
    lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_1);
    lapic_write(LAPIC_LVT_TIMER, VECTOR_SLICE);
    lapic_write(LAPIC_TIMER_INIT, count > 0xffffffffu ? 0xffffffffu : (uint32_t)count);
}
