/* SPDX-License-Identifier: MIT */
#ifndef AXVM_VINTC_H
#define AXVM_VINTC_H

/*
 * A VM's interrupt controller, as the core sees it. Every model (the AArch64 vGICv3, the
 * RISC-V vPLIC, the x86 vLAPIC + vIOAPIC) implements these operations; the VM holds one
 * `struct vintc` (vm->intc), set when its interrupt-controller device is attached (the
 * device type's `intc` member, kernel/include/axvm/vdev.h). Emulated devices, the scheduler and
 * passthrough routing reach the model only through it, so the core never names a model.
 *
 * Rules every model keeps:
 *   - set_level and send_ipi may be called from any pCPU, concurrently; the model locks its
 *     own state. When the change makes an interrupt deliverable to a vCPU, the model calls
 *     sched_wake(target) (which kicks only that vCPU's pCPU).
 *   - pending is called on the vCPU's own pCPU by the scheduler to decide whether a halted vCPU
 *     runs again; it must not block and must not change state.
 *   - claim_host_irq routes physical interrupt 'irq' of a passthrough device to this VM under
 *     the same number; the model keeps it masked at the host from when it fires until the guest
 *     has finished with it (EOI / complete). -EBUSY if another VM has it, -EINVAL if the model
 *     cannot deliver that number.
 *
 * A VM config may give a device an `irq` only if the VM has an interrupt-controller device;
 * the build refuses it otherwise (scripts/vmconfig.py), so there is no silent default here.
 */

#include <axvm/types.h>

struct vcpu;

struct vintc_ops {
    /* An emulated device's interrupt line, 'irq' in the model's numbering. */
    void (*set_level)(void *ctx, unsigned irq, bool level);
    /* An edge on 'irq' (a doorbell): the interrupt is made pending and stays pending until the
     * guest takes it, whatever trigger the guest configured, as a GIC's set-pending or a PLIC
     * gateway's forwarded request does. May be NULL where a rising then falling set_level is
     * already latched by the model (the x86 I/O APIC's edge pins): vm_irq_pulse does that. */
    void (*raise_edge)(void *ctx, unsigned irq);
    /* An inter-processor interrupt 'ipi' (model-defined: SGI number, vector) for 'target'. */
    void (*send_ipi)(void *ctx, struct vcpu *target, unsigned ipi);
    /* True if 'v' has an interrupt it could take now. */
    bool (*pending)(void *ctx, struct vcpu *v);
    /* Passthrough: give physical interrupt 'irq' to this VM / take it back. */
    int (*claim_host_irq)(void *ctx, unsigned irq);
    void (*release_host_irq)(void *ctx, unsigned irq);
};

struct vintc {
    const struct vintc_ops *ops; /* NULL: the VM has no interrupt controller */
    void *ctx;                   /* the model's state (its device's private state) */
};

#endif
