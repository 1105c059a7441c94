/* SPDX-License-Identifier: MIT */
#ifndef ARCH_IRQ_H
#define ARCH_IRQ_H

#include <axvm/types.h>

/*
 * Physical interrupts the hypervisor takes at EL2: the kick SGI, the guest's virtual timer (it
 * fires on the pCPU whose vCPU owns it), the vGIC maintenance interrupt, the console's input.
 */

/* The SGIs/PPIs every pCPU enables: the kick, the vGIC maintenance interrupt, the EL2 timer,
 * the guest's virtual and physical timers. */
#define GIC_HYP_PPIS ((1U << 8) | (1U << 25) | (1U << 26) | (1U << 27) | (1U << 30))

/* The guest's EL1 physical timer (CNTP). */
#define PPI_GUEST_PTIMER 30

/* The EL2 physical timer (CNTHP), the scheduler's time slice. */
#define PPI_HYP_TIMER 26

struct vm;
/* Give physical SPI 'irq' of a passthrough device to the VM (masked at the host from when it
 * fires until the guest is done with it) / take it back. */
int irq_claim_for_vm(struct vm *vm, unsigned irq);
void irq_release_for_vm(struct vm *vm, unsigned irq);

/* Acknowledge and serve every pending physical interrupt. */
void irq_dispatch(void);

/* The console UART's interrupt (0: none), routed to the boot CPU. */
extern unsigned irq_console;

/* The loaded vCPU's virtual (PPI 27) or physical (PPI 30) timer fired: mask it and hand it to
 * the guest (vtimer.c). */
void vtimer_fire(unsigned ppi);

struct vcpu;
/* Before entering the loaded vCPU: its timer PPIs' levels from the timers' state. */
void vtimer_sync(struct vcpu *v);
/* ENABLE, IMASK and ISTATUS of CNTV_CTL_EL0 and CNTP_CTL_EL0, as one value: vtimer_sync keeps
 * what it saw in the vCPU, and a hypercall answered in the exception entry takes the ordinary
 * exit when they differ now (a timer disabled or re-armed meanwhile is heard there). */
static inline uint8_t vtimer_ctl_bits(uint64_t cntv_ctl, uint64_t cntp_ctl)
{
    return (uint8_t)((cntv_ctl & 7) | (cntp_ctl & 7) << 3);
}

/* The loaded vCPU is being put, its timers stopped: enable both timer PPIs again. */
void vtimer_put(void);

#endif
