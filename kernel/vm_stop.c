// SPDX-License-Identifier: MIT
/*
 * The console's polite stop (vm.h, vm_stop_politely): ask the guest to power itself off the way
 * its platform does, and force it off when its config's stop_timeout_ms has passed. The VM's own
 * pCPUs enforce the deadline (the scheduler arms their timers for it and calls vm_stop_check),
 * so no other VM's pCPU spends anything on it and a guest that never exits is still forced.
 */
#include <axvm/arch.h>
#include <axvm/arch_vm.h>
#include <axvm/errno.h>
#include <axvm/format.h>
#include <axvm/percpu.h>
#include <axvm/vm.h>

static uint64_t ms_to_ticks(uint64_t ms)
{
    return arch_counter_freq() / 1000 * ms;
}

static uint64_t ticks_to_ms(uint64_t ticks)
{
    uint64_t per_ms = arch_counter_freq() / 1000;
    return per_ms ? ticks / per_ms : 0;
}

/* Make each of the VM's pCPUs go through its scheduler again, which arms its timer for the new
 * deadline: one running the guest comes out of guest mode, one asleep wakes. */
static void vm_stop_rearm(struct vm *vm)
{
    for (unsigned i = 0; i < vm->vcpu_count; i++) {
        unsigned pcpu = vm->vcpus[i].pcpu;
        if (pcpu < CPU_MAX)
            percpu_resched_set(percpu_get(pcpu));
        arch_cpu_kick(pcpu);
    }
}

enum vm_ask vm_stop_politely(struct vm *vm)
{
    uint32_t ms = vm->cfg->stop_timeout_ms;
    unsigned long flags = spin_lock_irqsave(&vm->lock);
    enum vm_state st = vm_state_get(vm);
    bool again = st == VM_RUNNING && __atomic_load_n(&vm->stop_deadline, __ATOMIC_SEQ_CST);
    bool ask = st == VM_RUNNING && !again && ms;
    if (ask) {
        /* Before the guest is asked: its answer may come at once, and must find it asked. */
        uint64_t now = arch_counter_read();
        vm->stop_asked_at = now ? now : 1;
        __atomic_store_n(&vm->stop_deadline, now + ms_to_ticks(ms), __ATOMIC_SEQ_CST);
    }
    spin_unlock_irqrestore(&vm->lock, flags);
    if (st != VM_RUNNING && st != VM_LOADED)
        return VM_ASK_NOT_RUNNING;
    if (ask && arch_vm_power_request(vm) == 0) {
        vm_console_stopping();
        vm_stop_rearm(vm);
        return VM_ASK_ASKED;
    }
    if (ask) {
        __atomic_store_n(&vm->stop_deadline, 0, __ATOMIC_SEQ_CST);
        vm->stop_asked_at = 0;
    }
    vm_stop_from_console(vm);
    return again ? VM_ASK_AGAIN : ms && st == VM_RUNNING ? VM_ASK_NO_WAY : VM_ASK_NO_TIMEOUT;
}

uint64_t vm_stop_deadline(const struct vm *vm)
{
    uint64_t d = __atomic_load_n(&vm->stop_deadline, __ATOMIC_SEQ_CST);
    return d ? d : ~0ULL;
}

bool vm_stop_check(struct vm *vm)
{
    uint64_t d = __atomic_load_n(&vm->stop_deadline, __ATOMIC_SEQ_CST);
    if (!d || arch_counter_read() < d || vm_state_get(vm) != VM_RUNNING)
        return false;
    unsigned long flags = spin_lock_irqsave(&vm->lock);
    vm->stop_forced_late = true;
    spin_unlock_irqrestore(&vm->lock, flags);
    /* If the guest powered off meanwhile, its shutdown came first and is what is reported. */
    vm_stop(vm, VM_STOP_CONSOLE);
    return true;
}

int vm_power_irq_raise(struct vm *vm)
{
    if (!vm->cfg->power_irq || !vm->intc.ops)
        return -ENODEV;
    /* Held high until the VM stops: a level the guest's driver masks once it has seen it, so
     * it is neither lost nor repeated. */
    vm_irq_set(vm, (int)vm->cfg->power_irq, true);
    return 0;
}

void vm_stop_describe(const struct vm *vm, enum vm_stop_reason why, const char *plain, char *buf,
                      size_t size)
{
    if (why == VM_STOP_SHUTDOWN && vm->stop_asked_at)
        format_snprintf(buf, size, "powered off by the guest, %llu ms after it was asked",
                        (unsigned long long)ticks_to_ms(arch_counter_read() - vm->stop_asked_at));
    else if (why == VM_STOP_CONSOLE && vm->stop_forced_late)
        format_snprintf(buf, size, "forced after %u ms: the guest did not power off",
                        vm->cfg->stop_timeout_ms);
    else
        format_snprintf(buf, size, "%s", plain);
}
