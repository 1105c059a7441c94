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

#endif
