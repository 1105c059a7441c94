/* SPDX-License-Identifier: MIT */
#ifndef ARCH_SVM_H
#define ARCH_SVM_H

/*
 * AMD SVM on this CPU (arch/x86_64/svm.c): what CPUID says the hardware offers, the
 * permission maps every guest shares, the VMCB pool, and the world switch itself.
 */

#include <axvm/types.h>
#include <arch/vcpu.h>

struct svm_features {
    unsigned asids;     /* CPUID 0x8000000a EBX, ASID 0 included (the host's) */
    bool flush_by_asid; /* TLB_CONTROL 3 flushes one ASID */
    bool npt_1g;        /* 1 GiB pages (CPUID Page1GB) usable in the nested tables */
};

/* Valid once arch_virt_cpu_init has succeeded on some CPU. */
extern struct svm_features svm_features;

/* The I/O and MSR permission maps: every port and most MSRs intercepted. */
paddr_t svm_iopm(void);
paddr_t svm_msrpm(void);

/* The VMCB of vCPU 'index' of VM slot 'slot' (its index in vm_table). */
struct vmcb *svm_vmcb(unsigned slot, unsigned index);

/* Before each VMRUN on this CPU: set the VMCB's TLB_CONTROL to flush its ASID if the nested
 * tables changed since this CPU's TLB last saw them (arch/x86_64/npt.c). */
struct vmcb;
void npt_prepare_run(struct vmcb *vmcb);

/* Make this CPU's x87/SSE registers hold the vCPU's state before it enters the guest
 * (arch/x86_64/fpu.c). */
struct vcpu;
void fpu_reset(struct vcpu *v);

/* Before VMRUN: inject the vCPU's most urgent interrupt or ask for a window (inject.c). */
void inject_prepare(struct vcpu *v);

/* The guest takes maskable interrupts (RFLAGS.IF): only then does one end its HLT. */
bool inject_interruptible(const struct vcpu *v);
void fpu_load(struct vcpu *v);
void fpu_save(struct vcpu *v);

/*
 * Run the guest once: VMSAVE the host's extra state to 'host_area', VMLOAD the guest's, load
 * 'regs', VMRUN 'vmcb', and back: store 'regs', VMSAVE the guest, VMLOAD the host. Called and
 * returns with interrupts off; physical interrupts arriving in the guest make it exit and stay
 * pending (svm_entry.S).
 */
void svm_run(struct guest_regs *regs, paddr_t vmcb, paddr_t host_area);

#endif
