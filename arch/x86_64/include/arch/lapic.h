/* SPDX-License-Identifier: MIT */
#ifndef ARCH_LAPIC_H
#define ARCH_LAPIC_H

/*
 * The local APIC: IDs, end-of-interrupt, and inter-processor interrupts. It is used in the
 * mode the firmware left it in: xAPIC (MMIO, 8-bit IDs) or x2APIC (MSRs, 32-bit IDs).
 */

#include <axvm/types.h>

/* Interrupt command register, low word (Intel SDM vol. 3 §11.6.1). */
#define ICR_FIXED         (0u << 8)
#define ICR_INIT          (5u << 8)
#define ICR_STARTUP       (6u << 8)
#define ICR_LEVEL_ASSERT  (1u << 14)
#define ICR_TRIGGER_LEVEL (1u << 15)
#define ICR_ALL_BUT_SELF  (3u << 18)

/* Find the boot CPU's local APIC and its mode; call once before anything below. */
void lapic_init(void);

/* The physical address of the xAPIC register page (the APIC base MSR's), which the host's
 * local APICs decode in xAPIC mode: no VM may be given it. After lapic_init. */
paddr_t lapic_base(void);

/* Software-enable this CPU's local APIC so it accepts fixed interrupts. Every CPU calls it. */
void lapic_enable(void);

uint32_t lapic_id(void);
void lapic_eoi(void);

/* Send an IPI: 'icr' is the command's low word, 'dest' the APIC ID (ignored with a
 * shorthand). Returns false if 'dest' cannot be addressed in this mode. */
bool lapic_send_ipi(uint32_t dest, uint32_t icr);

/* Interrupt this CPU on VECTOR_SLICE at arch_counter_read() >= deadline; ~0ULL cancels. */
void lapic_timer_oneshot(uint64_t deadline);

#endif
