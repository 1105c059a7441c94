// SPDX-License-Identifier: MIT
/*
 * The local APIC's registers (vlapic_model.h). Register semantics from Intel SDM vol. 3:
 * §11.8.3.1 (PPR), §11.8.4 (IRR/ISR and interrupt acceptance), §11.8.5 (EOI), §11.6.1 (ICR),
 * §11.6.2 (logical destinations), §11.5.4 (timer), §11.9 (SVR).
 */
#include <string.h>
#include "vlapic_model.h"

#define APIC_VERSION_VALUE 0x14 /* an integrated APIC */
#define APIC_MAX_LVT       (APIC_LVT_COUNT - 1)
#define DFR_MODEL_FLAT     0xf
#define ICR_WRITABLE       0x000cdfffu /* vector, mode, logical, level, trigger, shorthand */
#define TDCR_WRITABLE      0xbu
#define SVR_WRITABLE       0x1ffu /* vector, enable; no focus checking or EOI suppression */

/* Bits software may set in each LVT entry (timer, thermal, perf, LINT0, LINT1, error). */
static const uint32_t lvt_writable[APIC_LVT_COUNT] = {
    0x000700ffu,              /* vector, mask, timer mode (2 bits) */
    0x000107ffu,              /* vector, delivery mode, mask */
    0x000107ffu, 0x0001a7ffu, /* LINT0/1 add polarity and trigger mode */
    0x0001a7ffu, 0x000100ffu,
};

static bool bit_test(const uint32_t *map, unsigned n)
{
    return map[n / 32] & (1u << (n % 32));
}

static void bit_set(uint32_t *map, unsigned n)
{
    map[n / 32] |= 1u << (n % 32);
}

static void bit_clear(uint32_t *map, unsigned n)
{
    map[n / 32] &= ~(1u << (n % 32));
}

/* The highest set bit of a 256-bit map, or -1. */
static int bit_highest(const uint32_t *map)
{
    for (int w = 7; w >= 0; w--)
        if (map[w])
            return w * 32 + 31 - __builtin_clz(map[w]);
    return -1;
}

/* Divide configuration 0-7 (bits 0, 1 and 3) to a shift: 2, 4, ..., 128, then 1. */
static unsigned timer_shift(const struct vlapic *l)
{
    unsigned d = (l->timer_divide & 3) | ((l->timer_divide >> 1) & 4);
    return (d + 1) & 7;
}

static unsigned timer_mode(const struct vlapic *l)
{
    return LVT_TIMER_MODE(l->lvt[0]);
}

static uint64_t timer_period(const struct vlapic *l)
{
    return (uint64_t)l->timer_initial << timer_shift(l);
}

void vlapic_reset(struct vlapic *l, uint32_t id)
{
    memset(l, 0, sizeof(*l));
    l->id = id;
    l->dfr = 0xffffffffu;
    l->svr = 0xff;
    for (unsigned i = 0; i < APIC_LVT_COUNT; i++)
        l->lvt[i] = LVT_MASKED;
    l->timer_deadline = VLAPIC_NEVER;
}

uint32_t vlapic_ppr(const struct vlapic *l)
{
    int isrv = bit_highest(l->isr);
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;
    return (l->tpr & 0xf0) >= isr_class ? l->tpr : isr_class;
}

int vlapic_pending(const struct vlapic *l)
{
    int irrv = bit_highest(l->irr);
    if (irrv < 0 || ((uint32_t)irrv & 0xf0) <= (vlapic_ppr(l) & 0xf0))
        return -1;
    return irrv;
}

bool vlapic_accept(struct vlapic *l, unsigned vector, bool level)
{
    if (!(l->svr & SVR_ENABLED) || vector < 16 || vector > 255)
        return false;
    bit_set(l->irr, vector);
    if (level)
        bit_set(l->tmr, vector);
    else
        bit_clear(l->tmr, vector);
    return true;
}

void vlapic_ack(struct vlapic *l, unsigned vector)
{
    bit_clear(l->irr, vector);
    bit_set(l->isr, vector);
}

bool vlapic_match_dest(const struct vlapic *l, uint32_t dest, bool logical)
{
    dest &= 0xff;
    if (dest == 0xff)
        return true; /* broadcast in both modes */
    if (!logical)
        return dest == (l->id & 0xff);
    uint32_t ldr = l->ldr >> 24;
    if ((l->dfr >> 28) == DFR_MODEL_FLAT)
        return (dest & ldr) != 0;
    /* Cluster model: the high nibble names the cluster, the low one is a mask inside it. */
    return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf) != 0;
}

/* Load the count: the timer starts over from 'now'. */
static void timer_load(struct vlapic *l, uint64_t now)
{
    l->timer_start = now;
    if (timer_mode(l) == LVT_TIMER_TSC_DEADLINE || !l->timer_initial)
        l->timer_deadline = VLAPIC_NEVER;
    else
        l->timer_deadline = now + timer_period(l);
}

static uint32_t timer_current(const struct vlapic *l, uint64_t now)
{
    if (timer_mode(l) == LVT_TIMER_TSC_DEADLINE || !l->timer_initial)
        return 0;
    if (timer_mode(l) == LVT_TIMER_PERIODIC) {
        uint64_t elapsed = (now - l->timer_start) >> timer_shift(l);
        return l->timer_initial - (uint32_t)(elapsed % l->timer_initial);
    }
    if (l->timer_deadline == VLAPIC_NEVER || now >= l->timer_deadline)
        return 0;
    return (uint32_t)((l->timer_deadline - now) >> timer_shift(l));
}

bool vlapic_timer_poll(struct vlapic *l, uint64_t now)
{
    if (l->timer_deadline == VLAPIC_NEVER || now < l->timer_deadline)
        return false;
    if (timer_mode(l) == LVT_TIMER_PERIODIC) {
        /* Ticks missed while the vCPU was not looked at collapse into one interrupt. */
        uint64_t period = timer_period(l);
        uint64_t missed = (now - l->timer_deadline) / period + 1;
        l->timer_deadline += missed * period;
        l->timer_start = l->timer_deadline - period;
    } else {
        l->timer_deadline = VLAPIC_NEVER;
    }
    if (l->lvt[0] & LVT_MASKED)
        return false;
    return vlapic_accept(l, l->lvt[0] & 0xff, false);
}

void vlapic_tsc_deadline_write(struct vlapic *l, uint64_t deadline)
{
    /* Outside TSC-deadline mode the write is ignored (SDM §11.5.4.1). */
    if (timer_mode(l) != LVT_TIMER_TSC_DEADLINE)
        return;
    l->timer_deadline = deadline ? deadline : VLAPIC_NEVER;
}

uint64_t vlapic_tsc_deadline_read(const struct vlapic *l)
{
    if (timer_mode(l) != LVT_TIMER_TSC_DEADLINE || l->timer_deadline == VLAPIC_NEVER)
        return 0;
    return l->timer_deadline;
}

uint32_t vlapic_read(struct vlapic *l, unsigned offset, uint64_t now)
{
    offset &= 0xff0;
    if (offset >= APIC_ISR && offset < APIC_ISR + 0x80)
        return l->isr[(offset - APIC_ISR) / 16];
    if (offset >= APIC_TMR && offset < APIC_TMR + 0x80)
        return l->tmr[(offset - APIC_TMR) / 16];
    if (offset >= APIC_IRR && offset < APIC_IRR + 0x80)
        return l->irr[(offset - APIC_IRR) / 16];
    if (offset >= APIC_LVT_TMR && offset <= APIC_LVT_ERR)
        return l->lvt[(offset - APIC_LVT_TMR) / 16];
    switch (offset) {
    case APIC_ID:
        return l->id << 24;
    case APIC_VERSION:
        return APIC_VERSION_VALUE | (APIC_MAX_LVT << 16);
    case APIC_TPR:
        return l->tpr;
    case APIC_PPR:
        return vlapic_ppr(l);
    case APIC_LDR:
        return l->ldr;
    case APIC_DFR:
        return l->dfr;
    case APIC_SVR:
        return l->svr;
    case APIC_ESR:
        return l->esr;
    case APIC_ICR_LO:
        return l->icr_lo; /* delivery status always idle: IPIs are sent at once */
    case APIC_ICR_HI:
        return l->icr_hi;
    case APIC_TMICT:
        return l->timer_initial;
    case APIC_TMCCT:
        return timer_current(l, now);
    case APIC_TDCR:
        return l->timer_divide;
    default:
        return 0; /* APR, EOI and reserved registers */
    }
}

static unsigned write_eoi(struct vlapic *l, unsigned *eoi_vector)
{
    int v = bit_highest(l->isr);
    if (v < 0)
        return 0;
    bit_clear(l->isr, (unsigned)v);
    if (!bit_test(l->tmr, (unsigned)v))
        return 0;
    *eoi_vector = (unsigned)v;
    return VLAPIC_DID_EOI;
}

static unsigned write_icr(struct vlapic *l, uint32_t value, struct vlapic_icr *icr)
{
    l->icr_lo = value & ICR_WRITABLE;
    *icr = (struct vlapic_icr){
        .vector = value & 0xff,
        .delivery = (value >> 8) & 7,
        .logical = value & (1u << 11),
        .level_assert = value & (1u << 14),
        .level_trigger = value & (1u << 15),
        .shorthand = (value >> 18) & 3,
        .dest = l->icr_hi >> 24,
    };
    return VLAPIC_DID_IPI;
}

static unsigned write_lvt(struct vlapic *l, unsigned index, uint32_t value, uint64_t now)
{
    uint32_t old = l->lvt[index];
    value &= lvt_writable[index];
    if (!(l->svr & SVR_ENABLED))
        value |= LVT_MASKED; /* a disabled APIC keeps its LVTs masked (SDM §11.9) */
    l->lvt[index] = value;
    if (index != 0 || LVT_TIMER_MODE(old) == LVT_TIMER_MODE(value))
        return 0;
    /* A mode change stops the timer: the count or the deadline must be written again. */
    l->timer_initial = 0;
    l->timer_deadline = VLAPIC_NEVER;
    (void)now;
    return VLAPIC_DID_TIMER;
}

unsigned vlapic_write(struct vlapic *l, unsigned offset, uint32_t value, uint64_t now,
                      struct vlapic_icr *icr, unsigned *eoi_vector)
{
    offset &= 0xff0;
    if (offset >= APIC_LVT_TMR && offset <= APIC_LVT_ERR)
        return write_lvt(l, (offset - APIC_LVT_TMR) / 16, value, now);
    switch (offset) {
    case APIC_TPR:
        l->tpr = value & 0xff;
        return 0;
    case APIC_EOI:
        return write_eoi(l, eoi_vector);
    case APIC_LDR:
        l->ldr = value & 0xff000000u;
        return 0;
    case APIC_DFR:
        l->dfr = value | 0x0fffffffu;
        return 0;
    case APIC_SVR:
        l->svr = value & SVR_WRITABLE;
        if (!(l->svr & SVR_ENABLED))
            for (unsigned i = 0; i < APIC_LVT_COUNT; i++)
                l->lvt[i] |= LVT_MASKED;
        return 0;
    case APIC_ESR:
        l->esr = 0; /* a write latches the errors seen since, and we never see any */
        return 0;
    case APIC_ICR_LO:
        return write_icr(l, value, icr);
    case APIC_ICR_HI:
        l->icr_hi = value & 0xff000000u;
        return 0;
    case APIC_TMICT:
        if (timer_mode(l) == LVT_TIMER_TSC_DEADLINE)
            return 0; /* ignored in TSC-deadline mode */
        l->timer_initial = value;
        timer_load(l, now);
        return VLAPIC_DID_TIMER;
    case APIC_TDCR:
        l->timer_divide = value & TDCR_WRITABLE;
        if (l->timer_initial && timer_mode(l) != LVT_TIMER_TSC_DEADLINE) {
            l->timer_deadline = l->timer_start + timer_period(l);
            return VLAPIC_DID_TIMER;
        }
        return 0;
    default:
        return 0; /* read-only and reserved registers ignore writes */
    }
}
