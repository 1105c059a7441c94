/* SPDX-License-Identifier: MIT */
#ifndef AXVM_VCPU_H
#define AXVM_VCPU_H

#include <axvm/exit.h>
#include <axvm/types.h>
#include <arch/vcpu.h> /* struct arch_vcpu: registers and trap state of one vCPU */

struct vm;

/*
 * A vCPU's state. Every change is an atomic compare-and-swap (vcpu_state_move) or, for the
 * changes only the vCPU's own pCPU makes, an atomic store; docs/architecture.md draws the
 * machine. Other pCPUs may only move HALTED to RUNNABLE (sched_wake) and OFF to RUNNABLE
 * (vm_boot, vm_cpu_on, under the VM lock); RUNNING belongs to the pCPU running the vCPU.
 */
enum vcpu_state {
    VCPU_OFF,      /* not started (secondaries until CPU_ON) or turned off */
    VCPU_RUNNABLE, /* waiting for its pCPU */
    VCPU_RUNNING,  /* in guest mode or serving an exit on its pCPU */
    VCPU_HALTED,   /* waiting for an interrupt */
    VCPU_STOPPED,  /* its VM is stopping or stopped */
};

struct vcpu {
    struct vm *vm;
    unsigned id;           /* index in the VM, 0 = boot vCPU */
    uint64_t hwid;         /* what the guest calls it: MPIDR affinity / hart id / APIC id = id */
    unsigned pcpu;         /* the physical CPU it is pinned to */
    enum vcpu_state state; /* vcpu_state_get / _set / _move only */
    uint64_t exits;        /* statistics */
    uint64_t exit_kinds[EXIT_KINDS]; /* exits by kind (console `info`) */
    /* It waits in its guest's own WFI/HLT (vcpu_idle_in_guest): no halt exits. */
    bool idle_in_guest;
    bool console_poll;    /* ... on pCPU 0 with a polled serial line: it looks at the line */
    uint64_t console_due; /* counter value of its next look at the console for it, 0: none */
    struct arch_vcpu arch;
};

/* Run the vCPU on the calling pCPU until an exit the scheduler must decide. It must be loaded. */
enum exit_kind vcpu_run(struct vcpu *v);

/* Put the vCPU's state on the calling pCPU (putting whichever vCPU was there), or take it off.
 * vcpu_put of a vCPU that is not loaded here does nothing. */
void vcpu_load(struct vcpu *v);
void vcpu_put(struct vcpu *v);

/*
 * Let the loaded vCPU wait in its guest's idle instruction (true) or make that instruction exit
 * (false), as the scheduler decided (sched_idle_in_guest). Such a vCPU has no halt exits, so it
 * does the console's idle work itself (cmux_idle_wanted).
 */
void vcpu_idle_in_guest(struct vcpu *v, bool in_guest);

/* Atomically move 'v' from state 'from' to 'to'; false if it was not in 'from'. */
bool vcpu_state_move(struct vcpu *v, enum vcpu_state from, enum vcpu_state to);
void vcpu_state_set(struct vcpu *v, enum vcpu_state to);
enum vcpu_state vcpu_state_get(const struct vcpu *v);

/* A halted vCPU has something to do: an interrupt from its VM's controller or a local event. */
bool vcpu_wake_pending(struct vcpu *v);

#endif
