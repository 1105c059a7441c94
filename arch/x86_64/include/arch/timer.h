/* SPDX-License-Identifier: MIT */
#ifndef ARCH_TIMER_H
#define ARCH_TIMER_H

/*
 * The time-stamp counter is the hypervisor's clock. Its rate is measured once at boot against
 * a timer of known frequency: the ACPI PM timer (3.579545 MHz) when the FADT names one, else
 * PIT channel 2 (1.193182 MHz).
 */

#include <axvm/types.h>

/* 'pm_timer_port' is the ACPI PM timer's I/O port, 0 if there is none; 'pm_timer_32bit' its
 * width (24 bits otherwise). */
void timer_calibrate(uint16_t pm_timer_port, bool pm_timer_32bit);

void timer_delay_us(uint64_t us);

/* The pCPU's one-shot timer serves two clients (arch/x86_64/pcpu_timer.c): the core, through
 * arch_timer_set, and the guest running on it, whose local APIC timer must bring it out of
 * guest mode on time. Before each VMRUN: the guest's deadline (~0ULL for none). */
void timer_guest_deadline(uint64_t deadline);

/* The timer interrupt came: the core's deadline, if it has passed, sets need_resched. */
void timer_fired(void);

#endif
