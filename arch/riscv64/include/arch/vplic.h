/* SPDX-License-Identifier: MIT */
#ifndef ARCH_VPLIC_H
#define ARCH_VPLIC_H

/*
 * The virtual PLIC of a VM (config device type "plic"): the register model of
 * arch/riscv64/vplic_model.c behind the VM's device bus, with one S-mode context per vCPU.
 * Context i's external-interrupt line is vCPU i's VSEIP: set in hvip before each entry while
 * the line is up. A line going up wakes or kicks its vCPU (sched_wake), so the vCPU comes back
 * to the hypervisor and enters again with VSEIP set.
 */

#include <axvm/types.h>

struct vcpu;
struct vm;
struct vplic;
struct vdev_type;

extern const struct vdev_type vdev_plic;

/* The VM's vPLIC, or NULL if its config has none. */
struct vplic *vplic_of(struct vm *vm);

/* vCPU v's external-interrupt line: what its hvip.VSEIP should be. */
bool vplic_line(struct vcpu *v);

/* Host interrupt 'irq' of a passthrough device arrived for this VM (claimed at the host). */
void vplic_hw_irq(struct vplic *p, unsigned irq);

#endif
