// SPDX-License-Identifier: MIT
/*
 * The pinning scheduler. A pCPU runs the vCPUs pinned to it, round robin when a config shares
 * the pCPU on purpose: each then gets a time slice from the pCPU's one-shot timer. Pinning, not
 * sharing, is the normal case. Each pCPU has its own run list and lock; other pCPUs touch a
 * list only to add or remove a vCPU of a VM being created or released, and a vCPU only through
 * sched_wake (docs/architecture.md, "Concurrency").
 */
#include <axvm/arch.h>
#include <axvm/arch_vm.h>
#include <axvm/cmux.h>
#include <axvm/log.h>
#include <axvm/panic.h>
#include <axvm/percpu.h>
#include <axvm/sched.h>
#include <axvm/vm.h>

#define SCHED_MAX_PER_CPU (VM_MAX * 2)
#define SCHED_SLICE_NS    10000000ULL

struct run_list {
    spinlock_t lock;
    struct vcpu *v[SCHED_MAX_PER_CPU];
    unsigned next_pick;
};

static struct run_list run_lists[CPU_MAX];
static bool idle_trap; /* idle=trap on the command line */

void sched_add(struct vcpu *v)
{
    struct run_list *rl = &run_lists[v->pcpu];
    unsigned long flags = spin_lock_irqsave(&rl->lock);
    bool added = false, shared = false;
    for (unsigned i = 0; i < SCHED_MAX_PER_CPU; i++) {
        if (!rl->v[i] && !added) {
            rl->v[i] = v;
            added = true;
        } else if (rl->v[i] && rl->v[i] != v) {
            shared = true;
        }
    }
    spin_unlock_irqrestore(&rl->lock, flags);
    /* A vCPU that was alone there may be waiting in its guest's WFI/HLT with no time slice:
     * it goes back to the scheduler, which sees the pCPU shared now (sched_run_one). */
    if (shared) {
        percpu_resched_set(percpu_get(v->pcpu));
        arch_cpu_kick(v->pcpu);
    }
}

void sched_remove(struct vcpu *v)
{
    struct run_list *rl = &run_lists[v->pcpu];
    unsigned long flags = spin_lock_irqsave(&rl->lock);
    for (unsigned i = 0; i < SCHED_MAX_PER_CPU; i++)
        if (rl->v[i] == v)
            rl->v[i] = NULL;
    spin_unlock_irqrestore(&rl->lock, flags);
}

/*
 * Whoever makes an interrupt deliverable has already made it visible (under its model's lock)
 * before calling this. Either the CAS below finds the vCPU halted and makes it runnable, or the
 * vCPU's pCPU has not stored HALTED yet and will see the interrupt when it asks
 * vcpu_wake_pending after storing it (both sides are sequentially consistent). The kick wakes
 * the pCPU from its sleep or brings it out of guest mode to inject.
 */
void sched_wake(struct vcpu *v)
{
    vcpu_state_move(v, VCPU_HALTED, VCPU_RUNNABLE);
    arch_cpu_kick(v->pcpu);
}

/* Next vCPU of this pCPU that wants to run (or to retire, if its VM is stopping). vCPUs that
 * are off never ran, so a stopping VM does not wait for them. */
static struct vcpu *sched_pick(unsigned cpu)
{
    struct run_list *rl = &run_lists[cpu];
    unsigned long flags = spin_lock_irqsave(&rl->lock);
    struct vcpu *found = NULL;
    for (unsigned k = 0; k < SCHED_MAX_PER_CPU && !found; k++) {
        unsigned i = (rl->next_pick + k) % SCHED_MAX_PER_CPU;
        struct vcpu *v = rl->v[i];
        if (!v)
            continue;
        enum vcpu_state st = vcpu_state_get(v);
        /* A VM whose polite-stop deadline has passed is forced off by its own pCPUs. */
        bool wakes =
            st == VCPU_HALTED && (vm_state_get(v->vm) != VM_RUNNING || vcpu_wake_pending(v) ||
                                  vm_stop_deadline(v->vm) <= arch_counter_read());
        if (st == VCPU_RUNNABLE || wakes) {
            found = v;
            rl->next_pick = i + 1;
        }
    }
    spin_unlock_irqrestore(&rl->lock, flags);
    return found;
}

/* Another vCPU is pinned to this pCPU: it may become runnable while 'self' runs, so 'self'
 * gets a slice rather than the pCPU. Under the list's lock: a reboot elsewhere adds and removes
 * vCPUs meanwhile. */
static bool sched_shared(unsigned cpu, const struct vcpu *self)
{
    struct run_list *rl = &run_lists[cpu];
    bool shared = false;
    unsigned long flags = spin_lock_irqsave(&rl->lock);
    for (unsigned i = 0; i < SCHED_MAX_PER_CPU && !shared; i++)
        shared = rl->v[i] && rl->v[i] != self;
    spin_unlock_irqrestore(&rl->lock, flags);
    return shared;
}

bool sched_vcpu_alone(const struct vcpu *v)
{
    return !sched_shared(v->pcpu, v);
}

/* Alone, the vCPU's guest may idle in its own WFI/HLT: nothing else wants the pCPU meanwhile,
 * and what is meant for the guest (its timer, a device's or another vCPU's interrupt) reaches
 * it as a physical interrupt or a kick, which ends the wait (arch_vcpu_trap_idle). Sharing, its
 * idle instruction must exit so the others run. */
static bool idle_in_guest(bool alone)
{
    return alone && !idle_trap;
}

bool sched_idle_in_guest(const struct vcpu *v)
{
    return idle_in_guest(sched_vcpu_alone(v));
}

void sched_set_idle_trap(bool trap)
{
    idle_trap = trap;
}

/* The earliest moment a halted vCPU of this pCPU must run: for its own timer, or to force its
 * VM off at the end of a polite stop. */
static uint64_t sched_next_deadline(unsigned cpu)
{
    struct run_list *rl = &run_lists[cpu];
    uint64_t next = ~0ULL;
    unsigned long flags = spin_lock_irqsave(&rl->lock);
    for (unsigned i = 0; i < SCHED_MAX_PER_CPU; i++) {
        struct vcpu *v = rl->v[i];
        if (v && vcpu_state_get(v) == VCPU_HALTED) {
            uint64_t d = arch_vcpu_timer_deadline(v), stop = vm_stop_deadline(v->vm);
            d = stop < d ? stop : d;
            next = d < next ? d : next;
        }
    }
    spin_unlock_irqrestore(&rl->lock, flags);
    return next;
}

static uint64_t slice_deadline(void)
{
    uint64_t hz = arch_counter_freq();
    return arch_counter_read() + hz / 1000 * (SCHED_SLICE_NS / 1000000);
}

/* What the vCPU's exit means for its state. Only this pCPU moves it out of RUNNING. */
static void sched_after_run(struct vcpu *v, enum exit_kind why)
{
    switch (why) {
    case EXIT_HALT:
        vcpu_state_set(v, VCPU_HALTED);
        return;
    case EXIT_CPU_OFF:
        vcpu_put(v); /* a later CPU_ON resets it, which needs it off every pCPU */
        vcpu_state_set(v, VCPU_OFF);
        return;
    case EXIT_SHUTDOWN:
        vm_stop(v->vm, VM_STOP_SHUTDOWN);
        break;
    case EXIT_REBOOT:
        vm_stop(v->vm, VM_STOP_REBOOT);
        break;
    default:
        break; /* faults have stopped the VM already */
    }
    vcpu_state_move(v, VCPU_RUNNING, VCPU_RUNNABLE);
}

static void sched_run_one(struct vcpu *v)
{
    struct percpu *self = arch_this_cpu();
    vm_stop_check(v->vm);
    if (vm_state_get(v->vm) == VM_RUNNING && (vcpu_state_move(v, VCPU_RUNNABLE, VCPU_RUNNING) ||
                                              vcpu_state_move(v, VCPU_HALTED, VCPU_RUNNING))) {
        vcpu_load(v);
        /* Sharing a pCPU: a slice each, so one that never exits cannot keep it. Decided at
         * every run: a VM created or released meanwhile changes who shares (sched_add). A
         * polite stop pending: back here at its deadline, to force the VM off. need_resched is
         * cleared before the deadline is read: vm_stop_politely sets it after storing the
         * deadline. */
        __atomic_store_n(&self->need_resched, false, __ATOMIC_SEQ_CST);
        bool alone = sched_vcpu_alone(v);
        vcpu_idle_in_guest(v, idle_in_guest(alone));
        uint64_t until = alone ? ~0ULL : slice_deadline();
        uint64_t stop = vm_stop_deadline(v->vm);
        arch_timer_set(stop < until ? stop : until);
        sched_after_run(v, vcpu_run(v));
    }
    if (vm_state_get(v->vm) == VM_STOPPING)
        vm_vcpu_stopped(v);
}

/* One pass of sched_loop on the calling pCPU (host tests drive pCPUs with it): run the next
 * vCPU that wants to, or, with nothing to run, read console input and power off (boot CPU) or
 * sleep until something may want to run. */
void sched_run_once(void)
{
    struct percpu *self = arch_this_cpu();
    if (panic_in_progress())
        panic_halt_self();
    struct vcpu *v = sched_pick(self->index);
    if (v) {
        sched_run_one(v);
        return;
    }
    if (self->index == 0) {
        cmux_poll_input();
        if (!vm_any_active()) {
            log_info("all VMs have stopped: powering off");
            arch_system_off();
        }
    }
    /* Sleep until a kick, an interrupt, or the first halted vCPU's own timer. */
    /* A wake-up after sched_pick looked is not lost: its kick is pending, and a pending
     * kick (or a deadline already past) ends the wait at once. */
    uint64_t deadline = sched_next_deadline(self->index);
    if (self->index == 0 && cmux_input_polled()) {
        /* No receive interrupt (x86_64): the boot CPU looks at the serial line every 10 ms
         * while it has nothing to run. Guests that idle in their own HLT never exit to make
         * anyone look, and none may ever run again unless the console's `start` is typed. */
        uint64_t poll = arch_counter_read() + arch_counter_freq() / 100;
        deadline = poll < deadline ? poll : deadline;
    }
    arch_timer_set(deadline);
    arch_wait_for_event();
}

NORETURN void sched_loop(void)
{
    for (;;)
        sched_run_once();
}
