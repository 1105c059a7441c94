/* SPDX-License-Identifier: MIT */
#ifndef AXVM_VCPU_H
#define AXVM_VCPU_H

#include <axvm/exit.h>
#include <axvm/types.h>
#include <arch/vcpu.h> /* struct arch_vcpu: registers and trap state of one vCPU */

struct vm;

enum vcpu_state {
    VCPU_OFF,      /* not started (secondaries until CPU_ON) or turned off */
    VCPU_RUNNABLE, /* waiting for its pCPU */
    VCPU_RUNNING,  /* in guest mode or serving an exit on its pCPU */
    VCPU_HALTED,   /* waiting for an interrupt */
    VCPU_STOPPED,  /* its VM is stopping or stopped */
};

struct vcpu {
    struct vm *vm;
    unsigned id;   /* index in the VM, 0 = boot vCPU */
    uint64_t hwid; /* what the guest calls it: MPIDR affinity / hart id / APIC id = id */
    unsigned pcpu; /* the physical CPU it is pinned to */
    volatile enum vcpu_state state;
    uint64_t exits; /* statistics */
    struct arch_vcpu arch;
};

/* Run the vCPU on the calling pCPU until an exit the scheduler must decide. */
enum exit_kind vcpu_run(struct vcpu *v);

#endif
