/* SPDX-License-Identifier: MIT */
#ifndef ARCH_TIMER_H
#define ARCH_TIMER_H

/*
 * The hart's HS timer (through SBI TIME) and the guest timer of harts without Sstc.
 *
 * The HS timer has two clients: the core (arch_timer_set: time slices, halted vCPUs' deadlines)
 * and, where the harts have no Sstc, the SBI set_timer deadline of the vCPU loaded on the hart,
 * which the hypervisor serves by raising hvip.VSTIP when it passes. It is armed for the earlier
 * of the two, and enabled in sie only while armed; STIP is not delegated, so it takes the hart
 * out of guest mode. With Sstc the guest's timer is vstimecmp and needs none of this.
 */

#include <axvm/types.h>

struct vcpu;

/* The HS timer interrupt came (in the guest or in wfi): a passed core deadline sets
 * need_resched, a passed guest deadline raises VSTIP; the timer is re-armed for what is left. */
void timer_expired(void);

/* SBI set_timer for the vCPU loaded on this hart, without Sstc: its VSTIP clears, and rises
 * once the time CSR reaches 'when' (~0: never). */
void timer_guest_set(struct vcpu *v, uint64_t when);

/* Before entering the loaded vCPU: raise VSTIP if its deadline passed while it was not in the
 * guest (halted, or another vCPU's turn), and arm the hart's timer for it. */
void timer_guest_enter(struct vcpu *v);

/* The vCPU's guest timer deadline, as the SBI set it (harts without Sstc), ~0 for none. */
uint64_t timer_guest_deadline(const struct vcpu *v);

#endif
