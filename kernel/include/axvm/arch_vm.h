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
 * hypercall's or CPU_ON's return value where the ABI wants it, and step the guest PC over the
 * exiting instruction (exit->insn_len bytes, 0 to run it again). */
void arch_vcpu_complete(struct vcpu *v, const struct vcpu_exit *exit);

/*
 * The guest touched a guest-physical address with no memory and no device behind it (exit
 * 'e', EXIT_MMIO), and its config wants it told as hardware would: AArch64 a synchronous
 * external abort (data or instruction, ESR/FAR as the hardware reports them), RISC-V an access
 * fault with stval, x86 all-ones for a read and nothing for a write. The architecture finishes
 * the exit itself (steps over the instruction, or enters the guest's handler); it may turn the
 * exit into EXIT_FATAL when it cannot do either.
 */
void arch_vcpu_bad_access(struct vcpu *v, struct vcpu_exit *e);

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

/*
 * The vCPU's state on a pCPU (the core's vcpu_load / vcpu_put, kernel/vcpu.c, decide when).
 * arch_vcpu_load puts everything the guest owns onto the calling pCPU: system registers, the
 * stage-2 root and VMID, FP/SIMD/vector registers, timers, PMU and debug state the guest may
 * use, and its interrupt-controller interface. arch_vcpu_put saves all of it back into the vCPU
 * so that another vCPU may be loaded, or the vCPU reset or freed. A vCPU stays loaded across
 * exits and halts while nobody else needs its pCPU (loading costs a TLB flush under TCG).
 * arch_vcpu_reset is only called on a vCPU that is not loaded, and clears all of that state.
 */
void arch_vcpu_load(struct vcpu *v);
void arch_vcpu_put(struct vcpu *v);

/*
 * Whether the guest's idle instruction (AArch64 WFI, RISC-V WFI, x86 HLT) exits to the
 * hypervisor. The core decides (sched_idle_in_guest) and calls this on the vCPU's own pCPU with
 * the vCPU loaded, each time the scheduler runs it. With 'trap' false the guest waits in its
 * own instruction, and the architecture must make sure that everything meant for it still ends
 * the wait: a physical interrupt taken to the hypervisor (its timer, a kick from
 * arch_cpu_kick), and a virtual interrupt already pending at entry.
 */
void arch_vcpu_trap_idle(struct vcpu *v, bool trap);

/* A wake-up source local to the vCPU (its timer, a software interrupt the architecture keeps
 * outside the interrupt controller) is pending: a halted vCPU runs again. Called on the
 * vCPU's own pCPU, loaded or not. The interrupt controller's own pending state is asked
 * separately (struct vintc). */
bool arch_vcpu_event_pending(struct vcpu *v);

/* When the vCPU's own timer will need it to run, as an arch_counter_read() value, or ~0ULL for
 * never. Asked for halted vCPUs, loaded or not, before the pCPU sleeps: the pCPU's one-shot timer
 * is set for the earliest. */
uint64_t arch_vcpu_timer_deadline(struct vcpu *v);

/* The calling pCPU's one-shot timer: at arch_counter_read() >= deadline, set its percpu
 * need_resched and bring it out of guest mode or out of arch_wait_for_event. ~0ULL cancels. The
 * core drives time slices and halted vCPUs' deadlines with it. */
void arch_timer_set(uint64_t deadline);

/* The hypervisor has written guest memory at host address 'p' (image, initrd, device tree,
 * console buffers): make it visible to a guest that may run with caches off and to instruction
 * fetch (clean to the point of coherency, invalidate the instruction cache), where the
 * architecture needs that. */
void arch_guest_mem_written(void *p, size_t len);

/* Ask the guest to power itself off, the way its platform does: x86_64 presses the ACPI fixed
 * power button (PM1 PWRBTN_STS, the SCI); AArch64 and RISC-V raise the device tree's
 * power-request interrupt (vm_power_irq_raise). Called from any pCPU while the VM runs.
 * 0 when asked, -ENODEV when the VM has no way to be asked (its stop is then forced). */
int arch_vm_power_request(struct vm *vm);

/* Wake 'pcpu' if it sleeps, and make it leave guest mode if it is in it. */
void arch_cpu_kick(unsigned pcpu);

#endif
