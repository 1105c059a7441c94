/* SPDX-License-Identifier: MIT */
#ifndef ARCH_VAPIC_H
#define ARCH_VAPIC_H

/*
 * A VM's x86 interrupt controller (arch/x86_64/vapic.c): config device type "ioapic", the
 * I/O APIC at its base, and with it a local APIC per vCPU (xAPIC page at 0xfee00000) and the
 * legacy PC devices Linux probes (arch/x86_64/vlegacy.c). It is the VM's struct vintc.
 *
 * The vCPU side (arch/x86_64/vcpu.c, inject.c, msr_guest.c) reaches it through these calls;
 * each does nothing for a VM without the device.
 */

#include <axvm/types.h>

struct vcpu;

/* What the vCPU should take next. */
enum vapic_event {
    VAPIC_NONE,
    VAPIC_NMI,
    VAPIC_INTR, /* *vector */
};

/* Run the vCPU's APIC timer up to now, then name the most urgent event (without taking it). */
enum vapic_event vapic_next_event(struct vcpu *v, unsigned *vector);

/* The guest took that event (it was injected): IRR to ISR, or the NMI is no longer pending. */
void vapic_event_taken(struct vcpu *v, enum vapic_event ev, unsigned vector);

/* The vCPU's APIC timer: when it next fires (host counter), ~0ULL for never; whether it has
 * expired with an unmasked vector (a halted vCPU runs again). */
uint64_t vapic_timer_deadline(struct vcpu *v);
bool vapic_timer_due(struct vcpu *v);

/* IA32_TSC_DEADLINE in guest TSC units ('tsc_offset' is the guest's TSC minus the host's). */
bool vapic_tsc_deadline_read(struct vcpu *v, uint64_t tsc_offset, uint64_t *value);
bool vapic_tsc_deadline_write(struct vcpu *v, uint64_t tsc_offset, uint64_t value);

/* The vCPU was reset: its local APIC too (INIT). */
void vapic_vcpu_reset(struct vcpu *v);

/* arg of arch_vcpu_reset for a vCPU a SIPI starts: real mode at CS:IP = (entry >> 4):0. */
#define VAPIC_SIPI_START (~0ULL)

#endif
