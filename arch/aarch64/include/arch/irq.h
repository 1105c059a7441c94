/* SPDX-License-Identifier: MIT */
#ifndef ARCH_IRQ_H
#define ARCH_IRQ_H

#include <axvm/types.h>

/*
 * Physical interrupts the hypervisor takes at EL2: the kick SGI, the guest's virtual timer (it
 * fires on the pCPU whose vCPU owns it), the vGIC maintenance interrupt, the console's input.
 */

/* The SGIs/PPIs every pCPU enables: the kick, the vGIC maintenance interrupt, the guest's
 * virtual timer. */
#define GIC_HYP_PPIS ((1U << 8) | (1U << 25) | (1U << 26) | (1U << 27))

/* The EL2 physical timer (CNTHP), the scheduler's time slice. */
#define PPI_HYP_TIMER 26

/* Acknowledge and serve every pending physical interrupt. */
void irq_dispatch(void);

/* The console UART's interrupt (0: none), routed to the boot CPU. */
extern unsigned irq_console;

/* The loaded vCPU's virtual timer fired: mask it and hand it to the guest (vtimer.c). */
void vtimer_fire(void);

struct vcpu;
/* A vCPU's timer has expired while it was not on its pCPU. */
bool vtimer_expired(const struct vcpu *v);

#endif
