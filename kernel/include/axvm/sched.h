/* SPDX-License-Identifier: MIT */
#ifndef AXVM_SCHED_H
#define AXVM_SCHED_H

/*
 * The pinning scheduler: each pCPU runs the vCPUs pinned to it, round robin when the config
 * explicitly shares a pCPU; an idle pCPU waits for an event.
 */

#include <axvm/types.h>

struct vcpu;

/* Pin a vCPU to its pCPU's run list. */
void sched_add(struct vcpu *v);
void sched_remove(struct vcpu *v);

/* No other vCPU is pinned to v's pCPU (under that pCPU's run-list lock; a VM created or
 * released meanwhile changes it). */
bool sched_vcpu_alone(const struct vcpu *v);

/* The one decision whether 'v' waits in its guest's own WFI/HLT instead of exiting: it has its
 * pCPU to itself (nothing else could want the pCPU while it waits), unless the boot arguments
 * say idle=trap. */
bool sched_idle_in_guest(const struct vcpu *v);

/* idle=trap: every vCPU's idle instruction exits (set once at boot, before any VM runs). */
void sched_set_idle_trap(bool trap);

/* Mark runnable and wake its pCPU. */
void sched_wake(struct vcpu *v);

/* The loop every pCPU ends in. The boot CPU powers the machine off once no VM is left. */
NORETURN void sched_loop(void);

/* One pass of that loop: run one vCPU, or sleep (what host tests call on their pCPU threads). */
void sched_run_once(void);

#endif
