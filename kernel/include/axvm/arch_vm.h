/* SPDX-License-Identifier: MIT */
#ifndef AXVM_ARCH_VM_H
#define AXVM_ARCH_VM_H

/*
 * What each architecture provides for running guests, beside arch.h. Implemented under
 * arch/<arch>/; kernel/ calls only these.
 */

#include <axvm/exit.h>
#include <axvm/pgtable.h>

struct vcpu;
struct vm;

/* Enable virtualization on the calling pCPU (HCR_EL2, hedeleg/hideleg, EFER.SVME...). Called
 * on every pCPU before it runs guests. Returns 0, or -ENODEV with the reason logged. */
int arch_virt_cpu_init(void);

/* The stage-2 page-table format of this architecture. */
const struct pt_format *arch_s2_format(void);

/* Invalidate the stage-2 TLB entries of VMID 'vmid' on every pCPU (after an unmap). */
void arch_s2_flush(unsigned vmid);

/* Highest VMID/ASID the hardware offers (VMIDs start at 1). */
unsigned arch_vmid_max(void);

/* Reset the vCPU to enter at 'entry' with 'arg' as the firmware protocol's argument (AArch64
 * x0, RISC-V a1 with a0 = hart id, x86 rdi), with its stage-2 root and VMID. */
void arch_vcpu_reset(struct vcpu *v, uint64_t entry, uint64_t arg, paddr_t s2_root, unsigned vmid);

/* Enter the guest and come back with the next exit decoded into 'exit'. The architecture
 * serves what only it can (system registers, timer) and returns EXIT_NONE for those. */
void arch_vcpu_run(struct vcpu *v, struct vcpu_exit *exit);

/* Finish an exit the core served: write an MMIO/PIO read's value to its register, put a
 * hypercall's or CPU_ON's return value where the ABI wants it. */
void arch_vcpu_complete(struct vcpu *v, const struct vcpu_exit *exit);

/* The guest hardware id of vCPU 'index' (MPIDR affinity, hart id, APIC id). */
uint64_t arch_vcpu_hwid(unsigned index);

/*
 * The architecture's part of a VM's generated device tree (kernel/vm_fdt.c writes the rest):
 * arch_vm_fdt_cpus adds properties to the /cpus node, arch_vm_fdt_cpu to one vCPU's cpu node
 * (after device_type and reg), arch_vm_fdt the nodes of its own (firmware interface, timer).
 * Each is called with its node open for sequential writing and returns 0 or a libfdt error.
 */
int arch_vm_fdt_cpus(struct vm *vm, void *fdt);
int arch_vm_fdt_cpu(struct vcpu *v, void *fdt);
int arch_vm_fdt(struct vm *vm, void *fdt);

/* Interrupts into guests. An emulated device drives its line ('level'); the architecture's
 * interrupt controller model turns that into a pending interrupt. Architectures without one
 * yet get the defaults in kernel/arch_defaults.c: no interrupts, and a halted vCPU is simply
 * run again. */
void arch_vm_set_irq(struct vm *vm, unsigned irq, bool level);

/* Route physical interrupt 'irq' of a passthrough device to the VM (same number inside).
 * -EBUSY if another VM has it, -ENOSYS where the architecture cannot forward interrupts. */
int arch_vm_claim_irq(struct vm *vm, unsigned irq);
void arch_vm_release_irq(struct vm *vm, unsigned irq);

/* A halted vCPU has something to do: run it again. */
bool arch_vcpu_irq_pending(struct vcpu *v);

/* A time slice for the calling pCPU: after 'ns' nanoseconds, force an exit and set its
 * percpu need_resched. Architectures without a timer for it (the weak default) never preempt;
 * their vCPUs sharing a pCPU take turns at exits. */
void arch_timeslice_start(uint64_t ns);
void arch_timeslice_stop(void);

/* Wake 'pcpu' if it sleeps, and make it leave guest mode if it is in it. */
void arch_cpu_kick(unsigned pcpu);

#endif
