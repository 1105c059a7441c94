// SPDX-License-Identifier: MIT
/*
 * The pinning scheduler. A pCPU runs the vCPUs pinned to it, round robin when a config shares
 * the pCPU on purpose: each gets a time slice where the architecture has a timer for it, and
 * otherwise runs until its next exit. Pinning, not sharing, is the normal case.
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

static struct vcpu *run_list[CPU_MAX][SCHED_MAX_PER_CPU];
static unsigned next_pick[CPU_MAX];
static spinlock_t sched_lock = SPINLOCK_INIT;

void sched_add(struct vcpu *v)
{
    unsigned long flags = spin_lock_irqsave(&sched_lock);
    for (unsigned i = 0; i < SCHED_MAX_PER_CPU; i++) {
        if (!run_list[v->pcpu][i]) {
            run_list[v->pcpu][i] = v;
            break;
        }
    }
    spin_unlock_irqrestore(&sched_lock, flags);
}

void sched_remove(struct vcpu *v)
{
    unsigned long flags = spin_lock_irqsave(&sched_lock);
    for (unsigned i = 0; i < SCHED_MAX_PER_CPU; i++)
        if (run_list[v->pcpu][i] == v)
            run_list[v->pcpu][i] = NULL;
    spin_unlock_irqrestore(&sched_lock, flags);
}

void sched_wake(struct vcpu *v)
{
    if (v->state == VCPU_HALTED)
        v->state = VCPU_RUNNABLE;
    arch_cpu_kick_all();
}

/* Next vCPU of this pCPU that wants to run (or to retire, if its VM is stopping). vCPUs that
 * are off never ran, so a stopping VM does not wait for them. */
static struct vcpu *sched_pick(unsigned cpu)
{
    unsigned long flags = spin_lock_irqsave(&sched_lock);
    struct vcpu *found = NULL;
    for (unsigned k = 0; k < SCHED_MAX_PER_CPU && !found; k++) {
        unsigned i = (next_pick[cpu] + k) % SCHED_MAX_PER_CPU;
        struct vcpu *v = run_list[cpu][i];
        if (!v)
            continue;
        bool wakes =
            v->state == VCPU_HALTED && (v->vm->state != VM_RUNNING || arch_vcpu_irq_pending(v));
        if (v->state == VCPU_RUNNABLE || wakes) {
            found = v;
            next_pick[cpu] = i + 1;
        }
    }
    spin_unlock_irqrestore(&sched_lock, flags);
    return found;
}

/* Another vCPU is pinned to this pCPU: it may become runnable while 'self' runs, so 'self'
 * gets a slice rather than the pCPU. */
static bool sched_shared(unsigned cpu, const struct vcpu *self)
{
    for (unsigned i = 0; i < SCHED_MAX_PER_CPU; i++) {
        const struct vcpu *v = run_list[cpu][i];
        if (v && v != self)
            return true;
    }
    return false;
}

static void sched_run_one(struct vcpu *v)
{
    struct percpu *self = arch_this_cpu();
    if (v->vm->state == VM_RUNNING) {
        v->state = VCPU_RUNNING;
        /* Sharing a pCPU: a slice each, so one that never exits cannot keep it. */
        self->need_resched = false;
        if (sched_shared(self->index, v))
            arch_timeslice_start(SCHED_SLICE_NS);
        enum exit_kind why = vcpu_run(v);
        arch_timeslice_stop();
        switch (why) {
        case EXIT_HALT:
            v->state = VCPU_HALTED;
            break;
        case EXIT_CPU_OFF:
            v->state = VCPU_OFF;
            break;
        case EXIT_SHUTDOWN:
            vm_stop(v->vm, VM_STOP_SHUTDOWN);
            break;
        case EXIT_REBOOT:
            vm_stop(v->vm, VM_STOP_REBOOT);
            break;
        default:
            break; /* faults have stopped the VM already */
        }
        if (v->state == VCPU_RUNNING)
            v->state = VCPU_RUNNABLE;
    }
    if (v->vm->state == VM_STOPPING)
        vm_vcpu_stopped(v);
}

NORETURN void sched_loop(void)
{
    struct percpu *self = arch_this_cpu();
    for (;;) {
        if (panic_in_progress())
            panic_halt_self();
        struct vcpu *v = sched_pick(self->index);
        if (v) {
            sched_run_one(v);
            continue;
        }
        if (self->index == 0) {
            cmux_poll_input();
            if (!vm_any_active()) {
                log_info("all VMs have stopped: powering off");
                arch_system_off();
            }
        }
        arch_wait_for_event();
    }
}
