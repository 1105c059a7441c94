/* SPDX-License-Identifier: MIT */
#ifndef X86_64_VLAPIC_MODEL_H
#define X86_64_VLAPIC_MODEL_H

/*
 * The register model of one vCPU's local APIC in xAPIC mode (Intel SDM vol. 3 chapter 11, AMD
 * APM vol. 2 chapter 16): ID, version, TPR/PPR, EOI, ISR/IRR/TMR, LDR/DFR, SVR, ESR, the six
 * LVT entries, the ICR and the timer (one-shot, periodic, TSC-deadline).
 *
 * Pure C with no hypervisor dependency (also built into the host unit tests,
 * tests/unit/test_vlapic.c). Time is the caller's counter (the TSC): every call that may
 * look at the timer gets 'now'. The timer's input clock is that counter itself, so the timer
 * at divide-by-1 counts at the TSC rate; the guest learns the TSC rate from the hypervisor and
 * uses the TSC-deadline mode, which needs no calibration at all.
 *
 * What the model cannot do alone it returns to its caller (arch/x86_64/vlapic.c): an IPI to
 * send (struct vlapic_icr) and the vector of a level-triggered interrupt the guest has just
 * finished (for the I/O APIC's EOI broadcast). Locking is the caller's.
 */

#include <stdbool.h>
#include <stdint.h>

#define VLAPIC_BASE  0xfee00000ull /* the xAPIC page every vCPU sees at its own APIC */
#define VLAPIC_SIZE  0x1000
#define VLAPIC_NEVER (~0ull)

/* Register offsets in the xAPIC page. */
#define APIC_ID        0x020
#define APIC_VERSION   0x030
#define APIC_TPR       0x080
#define APIC_APR       0x090
#define APIC_PPR       0x0a0
#define APIC_EOI       0x0b0
#define APIC_LDR       0x0d0
#define APIC_DFR       0x0e0
#define APIC_SVR       0x0f0
#define APIC_ISR       0x100 /* eight 32-bit words, 16 bytes apart */
#define APIC_TMR       0x180
#define APIC_IRR       0x200
#define APIC_ESR       0x280
#define APIC_ICR_LO    0x300
#define APIC_ICR_HI    0x310
#define APIC_LVT_TMR   0x320
#define APIC_LVT_THM   0x330
#define APIC_LVT_PMC   0x340
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERR   0x370
#define APIC_TMICT     0x380 /* timer initial count */
#define APIC_TMCCT     0x390 /* timer current count */
#define APIC_TDCR      0x3e0 /* timer divide configuration */

#define APIC_LVT_COUNT         6
#define LVT_MASKED             (1u << 16)
#define LVT_TIMER_MODE(v)      (((v) >> 17) & 3)
#define LVT_TIMER_ONESHOT      0
#define LVT_TIMER_PERIODIC     1
#define LVT_TIMER_TSC_DEADLINE 2
#define SVR_ENABLED            (1u << 8)

/* ICR delivery modes (ICR bits 8-10; I/O APIC redirection entries use the same codes). */
#define APIC_DM_FIXED   0
#define APIC_DM_LOWEST  1
#define APIC_DM_SMI     2
#define APIC_DM_NMI     4
#define APIC_DM_INIT    5
#define APIC_DM_STARTUP 6
#define APIC_DM_EXTINT  7

/* ICR destination shorthands (bits 18-19). */
#define APIC_DEST_FIELD        0
#define APIC_DEST_SELF         1
#define APIC_DEST_ALL          2
#define APIC_DEST_ALL_BUT_SELF 3

struct vlapic {
    uint32_t id; /* APIC ID, 8 bits in xAPIC mode */
    uint32_t tpr, ldr, dfr, svr, esr, icr_lo, icr_hi;
    uint32_t lvt[APIC_LVT_COUNT];
    uint32_t irr[8], isr[8], tmr[8]; /* 256 bits each, bit n = vector n */
    uint32_t timer_initial, timer_divide;
    uint64_t timer_start;    /* counter value when the count was last (re)loaded */
    uint64_t timer_deadline; /* counter value of the next expiry, or VLAPIC_NEVER */
};

/* An IPI the guest asked for by writing the ICR's low word. */
struct vlapic_icr {
    unsigned vector;
    unsigned delivery;  /* APIC_DM_* */
    unsigned shorthand; /* APIC_DEST_* */
    uint32_t dest;      /* APIC ID or logical mask (ICR bits 56-63) */
    bool logical;
    bool level_assert; /* INIT: assert (1) or the de-assert that only old APICs needed (0) */
    bool level_trigger;
};

/* What a register write leaves to the caller. */
#define VLAPIC_DID_IPI   (1u << 0) /* *icr describes an IPI to send */
#define VLAPIC_DID_EOI   (1u << 1) /* *eoi_vector ended a level-triggered interrupt */
#define VLAPIC_DID_TIMER (1u << 2) /* the timer's deadline changed */

/* Power-on state (Intel SDM vol. 3 §11.4.7.1) with APIC ID 'id': software-disabled, every LVT
 * masked, DFR all ones. */
void vlapic_reset(struct vlapic *l, uint32_t id);

/* A 32-bit read of the register at 'offset' in the xAPIC page (unknown registers read 0). */
uint32_t vlapic_read(struct vlapic *l, unsigned offset, uint64_t now);

/* A 32-bit write; returns VLAPIC_DID_* flags and fills *icr / *eoi_vector when it says so. */
unsigned vlapic_write(struct vlapic *l, unsigned offset, uint32_t value, uint64_t now,
                      struct vlapic_icr *icr, unsigned *eoi_vector);

/* A fixed interrupt arrives: set its IRR bit (and TMR for level). False if the APIC is
 * software-disabled or the vector is illegal (0-15), as hardware would drop it. */
bool vlapic_accept(struct vlapic *l, unsigned vector, bool level);

/* The processor priority (PPR) from TPR and the highest in-service vector. */
uint32_t vlapic_ppr(const struct vlapic *l);

/* The highest requested vector whose priority class beats the PPR, or -1. */
int vlapic_pending(const struct vlapic *l);

/* The CPU took 'vector' (from vlapic_pending): it moves from IRR to ISR. */
void vlapic_ack(struct vlapic *l, unsigned vector);

/* Does this APIC answer destination 'dest' in physical or logical mode (with broadcast)? */
bool vlapic_match_dest(const struct vlapic *l, uint32_t dest, bool logical);

/* Run the timer up to 'now': an expiry requests the LVT timer's vector (unless masked) and
 * re-arms a periodic timer. True if it made an interrupt pending. */
bool vlapic_timer_poll(struct vlapic *l, uint64_t now);

/* IA32_TSC_DEADLINE (MSR 0x6e0), in counter units: armed only in TSC-deadline mode, 0 disarms. */
void vlapic_tsc_deadline_write(struct vlapic *l, uint64_t deadline);
uint64_t vlapic_tsc_deadline_read(const struct vlapic *l);

#endif
