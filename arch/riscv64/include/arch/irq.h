/* SPDX-License-Identifier: MIT */
#ifndef ARCH_IRQ_H
#define ARCH_IRQ_H

/*
 * The host interrupts the hypervisor takes through the host PLIC, and where they go: console
 * input to the console multiplexer, a passthrough device's interrupt to the vPLIC of the VM
 * that owns it. Supervisor external interrupts stay enabled in sie on every hart: in guest
 * mode they take the hart out (any HS-level interrupt does, whatever sstatus.SIE), in the
 * hypervisor they only end a wfi, and irq_dispatch serves them.
 */

#include <axvm/types.h>

struct vplic;

/* The console UART's host interrupt, 0 if none (set at boot from the device tree). */
extern unsigned irq_console;

/* The calling hart's part: its PLIC context, and on the boot hart the console's input. */
void irq_cpu_init(void);

/* Claim and serve every host interrupt pending for the calling hart. */
void irq_dispatch(void);

/* Give host interrupt 'irq' to 'to', delivered to pCPU 'pcpu'. -EINVAL if it cannot be
 * routed, -EBUSY if another VM has it. */
int irq_route(unsigned irq, struct vplic *to, unsigned pcpu);

/* Take it back (completing it at the host if the VM had it in flight). */
void irq_unroute(unsigned irq, struct vplic *from);

/* The VM has completed 'irq': complete it at the host, which may deliver it again. */
void irq_done(unsigned irq);

#endif
