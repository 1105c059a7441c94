// SPDX-License-Identifier: MIT
/* The scheduler and the vCPU state machine on the host machine (harness.h): CPU_ON/CPU_OFF,
 * halts and what ends them, shared pCPUs, interrupts through the VM's controller, and wake-ups
 * racing with the vCPU's own pCPU. */
#include <axvm/arch.h>
#include <axvm/errno.h>
#include <axvm/frame.h>
#include <axvm/sched.h>
#include <axvm/vm.h>
#include "check.h"
#include "harness.h"

static long long results[16];
static unsigned result_count;

static void keep_result(struct vcpu *v)
{
    results[result_count++] = v->arch.last_ret;
}

static struct vcpu *sibling(struct vcpu *v, unsigned id)
{
    return &v->vm->vcpus[id];
}

/* A local event for vCPU 1 of the same VM (as its timer or a software interrupt would be),
 * with the wake-up the architecture sends along. */
static void poke_vcpu1(struct vcpu *v)
{
    __atomic_store_n(&sibling(v, 1)->arch.event_pending, true, __ATOMIC_SEQ_CST);
    sched_wake(sibling(v, 1));
}

/* Once vCPU 1 sleeps: an event raised before its WFI would be taken before it. */
static void keep_and_poke(struct vcpu *v)
{
    keep_result(v);
    host_wait_state(sibling(v, 1), VCPU_HALTED);
    poke_vcpu1(v);
}

static void wait_vcpu1_off(struct vcpu *v)
{
    host_wait_state(sibling(v, 1), VCPU_OFF);
}

static void keep_and_wait_vcpu1_off(struct vcpu *v)
{
    keep_result(v);
    wait_vcpu1_off(v);
}

/* CPU_ON starts a secondary where the guest says (reset, not loaded); it cannot be started
 * twice or when it does not exist; CPU_OFF puts it, and it can be started again. */
TEST(machine_secondary_on_off_and_on_again)
{
    static const struct host_step boot[] = {
        H_CPU_ON(1, HOST_RAM + 0x1000, 42),
        {.exit = X_CPU_ON(1, HOST_RAM + 0x1000, 42), .before = keep_result},
        {.exit = X_CPU_ON(7, HOST_RAM, 0), .before = keep_result},
        {.exit = X_NONE, .before = keep_and_poke},
        {.exit = X_NONE, .before = wait_vcpu1_off},
        H_CPU_ON(1, HOST_RAM + 0x2000, 43),
        {.exit = X_NONE, .before = keep_and_wait_vcpu1_off},
        H_SHUTDOWN,
    };
    static const struct host_step second[] = {H_HALT, H_CPU_OFF, H_NONE, H_CPU_OFF};
    result_count = 0;
    host_machine_init(2, MiB(32));
    host_vm_config_add(1, "smp", 2, false);
    host_script(1, 0, 0, boot, ARRAY_SIZE(boot));
    host_script(1, 1, 0, second, ARRAY_SIZE(second));
    CHECK(host_machine_run());
    CHECK_EQ(result_count, 4);
    CHECK_EQ(results[0], 0);
    CHECK_EQ(results[1], -EBUSY); /* it is on (runnable or halted) */
    CHECK_EQ(results[2], -ENOENT);
    CHECK_EQ(results[3], 0);
    struct vcpu *v1 = &vm_table[0].vcpus[1];
    CHECK_EQ(v1->arch.resets, 2);
    CHECK_EQ(v1->arch.entry, HOST_RAM + 0x2000);
    CHECK_EQ(v1->arch.arg, 43);
    CHECK_EQ(v1->exits, 4);
    CHECK_EQ(v1->arch.irqs_taken, 1);
    /* Put when it turned itself off, each time; never reset while loaded (checked by the fake
     * architecture). */
    CHECK_EQ(v1->arch.loads, 2);
    CHECK_EQ(v1->arch.puts, 2);
    CHECK_EQ(vcpu_state_get(v1), VCPU_OFF);
    CHECK_EQ(host_console_count("vm1 (smp): vcpu1 started on pCPU 1"), 2);
    /* Kicks go to the pCPU whose vCPU needs it: pCPU 1 for both CPU_ONs, the event and the
     * stop; pCPU 0 for the boot, the stop and the power-off check. */
    CHECK_EQ(host_kicks(1), 4);
    CHECK_EQ(host_kicks(0), 3);
    CHECK_EQ(frame_free_count(), host_frames_initial);
    host_machine_fini();
}

static void own_event(struct vcpu *v)
{
    __atomic_store_n(&v->arch.event_pending, true, __ATOMIC_SEQ_CST);
}

static void own_timer_soon(struct vcpu *v)
{
    v->arch.timer_deadline = arch_counter_read() + 1000000; /* 1 ms */
}

/* A halt with an interrupt already pending (raised by the halting instruction's step: the
 * guest takes what is pending whenever it enters) does not sleep; a halt until the vCPU's own
 * timer sleeps with the pCPU's one-shot timer set for it (nobody kicks). The vCPU stays loaded
 * across both: nothing else wanted its pCPU. */
TEST(machine_halt_ends_by_pending_event_and_by_own_timer)
{
    static const struct host_step steps[] = {
        {.exit = X_HALT, .before = own_event},
        {.exit = X_HALT, .before = own_timer_soon},
        H_SHUTDOWN,
    };
    host_machine_init(2, MiB(32));
    host_vm_config_add(1, "halt", 1, false)->affinity[0] = 1;
    host_script(1, 0, 0, steps, ARRAY_SIZE(steps));
    CHECK(host_machine_run());
    struct vcpu *v = &vm_table[0].vcpus[0];
    CHECK_EQ(v->exits, ARRAY_SIZE(steps));
    CHECK_EQ(v->arch.irqs_taken, 2);
    CHECK_EQ(host_timer_wakeups(1), 1);
    CHECK_EQ(v->arch.loads, 1);
    CHECK_EQ(v->arch.puts, 1);
    host_machine_fini();
}

static void wait_b_booted(struct vcpu *v)
{
    host_wait_state(&vm_table[1].vcpus[0], VCPU_RUNNABLE);
}

/* Two VMs share pCPU 1 on purpose: at each slice end the other one runs, and a vCPU is put
 * exactly when the other takes the pCPU, and when its VM stops. */
TEST(machine_shared_pcpu_alternates_and_puts_on_switch)
{
    static const struct host_step a[] = {
        {.exit = X_NONE, .before = wait_b_booted, .slice_over = true},
        {.exit = X_NONE, .repeat = 3, .slice_over = true},
        H_SHUTDOWN,
    };
    static const struct host_step b[] = {
        {.exit = X_NONE, .repeat = 4, .slice_over = true},
        H_SHUTDOWN,
    };
    host_machine_init(2, MiB(32));
    struct vm_config *ca = host_vm_config_add(1, "a", 1, false);
    struct vm_config *cb = host_vm_config_add(2, "b", 1, false);
    ca->affinity[0] = cb->affinity[0] = 1;
    ca->shared_pcpus = cb->shared_pcpus = true;
    host_script(1, 0, 0, a, ARRAY_SIZE(a));
    host_script(2, 0, 0, b, ARRAY_SIZE(b));
    CHECK(host_machine_run());
    CHECK_EQ(host_vms_started, 2);
    struct vcpu *va = &vm_table[0].vcpus[0], *vb = &vm_table[1].vcpus[0];
    CHECK_EQ(va->exits, 5);
    CHECK_EQ(vb->exits, 5);
    /* a b a b a b a b a(stops) b(stops): five loads each, each followed by its put. */
    CHECK_EQ(va->arch.loads, 5);
    CHECK_EQ(va->arch.puts, 5);
    CHECK_EQ(vb->arch.loads, 5);
    CHECK_EQ(vb->arch.puts, 5);
    CHECK_EQ(frame_free_count(), host_frames_initial);
    host_machine_fini();
}

/* ---- interrupts through the VM's controller ------------------------------------------------- */

#define IRQ_TO_VCPU2 7
#define CLAIM(i)     (HOST_INTC + 8 * (i))
#define ROUTE(irq)   (HOST_INTC + 0x100 + 8 * (irq))

static unsigned long kick_delta[4];
static struct host_intc_stats stats_after_irq;
static void *intc_ctx;

/* With vCPUs 1 and 2 halted on pCPUs 1 and 2, an emulated device raises a line routed to
 * vCPU 2: only pCPU 2 may be kicked. */
static void raise_irq_for_vcpu2(struct vcpu *v)
{
    host_wait_state(sibling(v, 1), VCPU_HALTED);
    host_wait_state(sibling(v, 2), VCPU_HALTED);
    unsigned long before[4];
    for (unsigned i = 0; i < 4; i++)
        before[i] = host_kicks(i);
    vm_irq_set(v->vm, IRQ_TO_VCPU2, true);
    for (unsigned i = 0; i < 4; i++)
        kick_delta[i] = host_kicks(i) - before[i];
    stats_after_irq = host_intc_read();
    intc_ctx = v->vm->intc.ctx;
}

static void wait_vcpu2_off(struct vcpu *v)
{
    host_wait_state(sibling(v, 2), VCPU_OFF);
}

/*
 * Regression (issue 8, bugs 4 and 5): an interrupt set with vm_irq_set reaches the VM's
 * struct vintc and wakes exactly the target vCPU's pCPU. On e9c76a6 this cannot pass:
 * vm_irq_set went to arch_vm_set_irq, whose weak default in kernel/arch_defaults.c dropped
 * the interrupt on every architecture but AArch64 (no set_level call: stats_after_irq.set_calls
 * is 0 and vCPU 2 never claims 7), and sched_wake called arch_cpu_kick_all, so pCPUs 0, 1 and 3
 * were kicked too (kick_delta[0], [1], [3] == 1). (The interface it used is gone, so the old
 * code cannot be built against this test; the same assertions fail when sched_wake is put back
 * to kicking every pCPU.)
 */
TEST(machine_irq_reaches_vintc_and_kicks_only_the_target)
{
    static const struct host_step boot[] = {
        H_CPU_ON(1, HOST_RAM, 0),
        H_CPU_ON(2, HOST_RAM, 0),
        H_MMIO_W(ROUTE(IRQ_TO_VCPU2), 4, 2),
        {.exit = X_NONE, .before = raise_irq_for_vcpu2},
        {.exit = X_NONE, .before = wait_vcpu2_off},
        H_MMIO_W(HOST_UART + 1, 1, 0x02), /* IER.THRI: the UART raises its line at once */
        H_HALT,                           /* ... so this halt does not sleep */
        H_MMIO_R(CLAIM(0), 4),
        H_SHUTDOWN,
    };
    static const struct host_step idle[] = {H_HALT};
    static const struct host_step target[] = {
        H_HALT,
        H_MMIO_R(CLAIM(2), 4),
        H_MMIO_R(CLAIM(2), 4),
        H_CPU_OFF,
    };
    host_machine_init(4, MiB(32));
    host_vm_config_add(1, "irq", 3, true);
    host_script(1, 0, 0, boot, ARRAY_SIZE(boot));
    host_script(1, 1, 0, idle, ARRAY_SIZE(idle));
    host_script(1, 2, 0, target, ARRAY_SIZE(target));
    CHECK(host_machine_run());
    struct vm *vm = &vm_table[0];
    CHECK_EQ(kick_delta[0], 0);
    CHECK_EQ(kick_delta[1], 0);
    CHECK_EQ(kick_delta[2], 1);
    CHECK_EQ(kick_delta[3], 0);
    CHECK_EQ(stats_after_irq.set_calls, 1);
    CHECK_EQ(stats_after_irq.raised, 1);
    CHECK_EQ(stats_after_irq.last_irq, IRQ_TO_VCPU2);
    CHECK(stats_after_irq.last_level);
    CHECK(stats_after_irq.last_ctx == intc_ctx && intc_ctx != NULL);
    CHECK_EQ(vm->vcpus[2].arch.read_count, 2);
    CHECK_EQ(vm->vcpus[2].arch.reads[0], IRQ_TO_VCPU2);
    CHECK_EQ(vm->vcpus[2].arch.reads[1], 0x3ff); /* taken once */
    /* The UART's line reached the controller through vm_irq_set too, for vCPU 0. */
    CHECK_EQ(vm->vcpus[0].arch.read_count, 1);
    CHECK_EQ(vm->vcpus[0].arch.reads[0], HOST_INTC_IRQ);
    /* The vCPU that stayed halted left when its VM stopped, and was put. */
    CHECK_EQ(vcpu_state_get(&vm->vcpus[1]), VCPU_STOPPED);
    CHECK_EQ(vm->vcpus[1].arch.puts, 1);
    CHECK_EQ(frame_free_count(), host_frames_initial);
    host_machine_fini();
}

/* ---- wake-ups racing with the vCPU's own pCPU ----------------------------------------------- */

/* ThreadSanitizer sees an unguarded state change in any run; without it the test needs the
 * race to strike, which takes many rounds. */
#ifdef __SANITIZE_THREAD__
#define WAKE_HALTS 20000
#else
#define WAKE_HALTS 50000
#endif

/*
 * Regression (issue 8, bug 4): sched_wake on a RUNNING vCPU leaves it RUNNING. vCPU 1 halts
 * over and over on pCPU 1 while vCPU 0 on pCPU 0 wakes it as fast as it can; the fake
 * architecture checks on every run and every completed exit of vCPU 1 that it is RUNNING.
 * On e9c76a6, sched_wake read the state and then stored RUNNABLE ("if HALTED then RUNNABLE"):
 * when the owning pCPU moved HALTED to RUNNING in between, the vCPU ran as RUNNABLE (a breach
 * here) and could be picked while running. Checked by putting that body back into sched_wake
 * (plain loads and stores of v->state, as then): the ThreadSanitizer build fails this test on
 * every run (a data race in sched_wake); the ASan build sees it only when the race strikes
 * within a window of a few instructions ("runs in state 1, not RUNNING": in some runs, not all).
 */
TEST(machine_wake_never_unruns_a_running_vcpu)
{
    static const struct host_step waker[] = {
        H_CPU_ON(1, HOST_RAM, 0),
        {.exit = X_NONE, .repeat = ~0u, .before = poke_vcpu1},
    };
    static const struct host_step sleeper[] = {
        {.exit = X_HALT, .repeat = WAKE_HALTS},
        H_SHUTDOWN,
    };
    host_machine_init(2, MiB(32));
    host_vm_config_add(1, "wake", 2, false);
    host_script(1, 0, 0, waker, ARRAY_SIZE(waker));
    host_script(1, 1, 0, sleeper, ARRAY_SIZE(sleeper));
    CHECK(host_machine_run());
    struct vcpu *v1 = &vm_table[0].vcpus[1];
    CHECK_EQ(v1->exits, WAKE_HALTS + 1);
    /* Alone on its pCPU: loaded once for all those halts. */
    CHECK_EQ(v1->arch.loads, 1);
    CHECK_EQ(v1->arch.puts, 1);
    host_machine_fini();
}
