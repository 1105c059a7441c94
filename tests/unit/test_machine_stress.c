// SPDX-License-Identifier: MIT
/*
 * Everything at once on the host machine (harness.h), for ThreadSanitizer above all: two SMP
 * VMs sharing pCPUs, their vCPUs faulting the same lazy pages, printing, halting on their own
 * timers, raising interrupts at each other through the VM's controller, turning off and being
 * started again, and rebooting several times, while the other VM runs on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <axvm/arch.h>
#include <axvm/cmux.h>
#include <axvm/frame.h>
#include <axvm/sched.h>
#include <axvm/vm.h>
#include "check.h"
#include "harness.h"

#define ROUNDS      8  /* per secondary vCPU and boot */
#define LAZY_TOUCH  16 /* lazy pages every vCPU of a VM touches, in its own order */
#define IRQ_BASE    8  /* irq IRQ_BASE + i goes to vCPU i */
#define STEPS_MAX   256
#define CLAIM(i)    (HOST_INTC + 8 * (i))
#define ROUTE(irq)  (HOST_INTC + 0x100 + 8 * (irq))
#define VM1_BOOTS   4
#define VM2_BOOTS   6
#define SCRIPTS_MAX 8

struct script {
    struct host_step steps[STEPS_MAX];
    unsigned n;
};

static struct script scripts[SCRIPTS_MAX];
static unsigned script_used;

static struct script *script_new(void)
{
    struct script *s = &scripts[script_used++];
    s->n = 0;
    return s;
}

static void add(struct script *s, struct host_step st)
{
    s->steps[s->n++] = st;
}

static void add_exit(struct script *s, struct vcpu_exit e)
{
    add(s, (struct host_step){.exit = e});
}

/* An interrupt pulse for every other vCPU of the VM (each its own line). */
static void pulse_others(struct vcpu *v)
{
    for (unsigned i = 0; i < v->vm->vcpu_count; i++) {
        if (i == v->id)
            continue;
        vm_irq_set(v->vm, IRQ_BASE + i, true);
        vm_irq_set(v->vm, IRQ_BASE + i, false);
    }
}

static void timer_soon(struct vcpu *v)
{
    v->arch.timer_deadline = arch_counter_read() + 50000; /* 50 us */
}

static void wait_secondaries_off(struct vcpu *v)
{
    for (unsigned i = 1; i < v->vm->vcpu_count; i++)
        host_wait_state(&v->vm->vcpus[i], VCPU_OFF);
}

/* A vCPU's day: lazy pages, output by UART and hypercall, interrupts for the others, a sleep on
 * its own timer, a claim, the end of a slice. Only vCPU 0 writes the UART: the UART models keep
 * no lock of their own yet, so two vCPUs writing one are a data race in the model (what a real
 * SMP guest's driver serialises anyway). */
static void add_rounds(struct script *s, unsigned vcpu, unsigned rounds)
{
    for (unsigned r = 0; r < rounds; r++) {
        for (unsigned k = 0; k < LAZY_TOUCH / 4; k++) {
            unsigned page = (r * 4 + k + vcpu * 5) % LAZY_TOUCH;
            add_exit(s, (struct vcpu_exit)X_MMIO_R(HOST_LAZY + page * PAGE_SIZE, 8));
        }
        if (vcpu == 0) {
            add_exit(s, (struct vcpu_exit)X_MMIO_W(HOST_UART, 1, 'v'));
            add_exit(s, (struct vcpu_exit)X_MMIO_W(HOST_UART, 1, '0'));
            add_exit(s, (struct vcpu_exit)X_MMIO_W(HOST_UART, 1, '\n'));
        }
        add_exit(s, (struct vcpu_exit)X_HELLO);
        add(s, (struct host_step){.exit = X_NONE, .before = pulse_others});
        add(s, (struct host_step){.exit = X_HALT, .before = timer_soon});
        add_exit(s, (struct vcpu_exit)X_MMIO_R(CLAIM(vcpu), 4));
        add(s, (struct host_step){.exit = X_NONE, .slice_over = true});
    }
}

/* The boot vCPU: routes, starts the others, works alongside them, waits for them to turn off,
 * then reboots or (last boot) shuts down. */
static struct script *boot_script(unsigned vcpus, bool last)
{
    struct script *s = script_new();
    for (unsigned i = 0; i < vcpus; i++)
        add_exit(s, (struct vcpu_exit)X_MMIO_W(ROUTE(IRQ_BASE + i), 4, i));
    for (unsigned i = 1; i < vcpus; i++)
        add_exit(s, (struct vcpu_exit)X_CPU_ON(i, HOST_RAM + 0x1000, i));
    add_rounds(s, 0, ROUNDS / 2);
    add(s, (struct host_step){.exit = X_NONE, .before = wait_secondaries_off});
    add_exit(s, (struct vcpu_exit){.kind = EXIT_HYPERCALL,
                                   .insn_len = 4,
                                   .hcall = {.nr = last ? AXVM_HC_SHUTDOWN : AXVM_HC_REBOOT}});
    return s;
}

static struct script *secondary_script(unsigned vcpu)
{
    struct script *s = script_new();
    add_rounds(s, vcpu, ROUNDS);
    add_exit(s, (struct vcpu_exit)X_CPU_OFF);
    return s;
}

static void vm_scripts(unsigned id, unsigned vcpus, unsigned boots)
{
    struct script *s = boot_script(vcpus, false);
    host_script(id, 0, 0, s->steps, s->n);
    s = boot_script(vcpus, true);
    host_script(id, 0, boots, s->steps, s->n);
    for (unsigned i = 1; i < vcpus; i++) {
        s = secondary_script(i);
        host_script(id, i, 0, s->steps, s->n);
    }
}

/* The vCPUs of a VM share its console: their characters interleave, but every newline ends one
 * whole line with the VM's prefix. (Console focus is on a stream nobody writes, so no line of
 * theirs is shown early when a vCPU halts.) */
TEST(machine_stress_two_smp_vms_rebooting_on_shared_pcpus)
{
    struct cmux_stream nobody;
    cmux_stream_init(&nobody, 9, "nobody");
    cmux_register(&nobody);
    script_used = 0;
    host_machine_init(3, MiB(64));
    struct vm_config *a = host_vm_config_add(1, "s1", 3, true);
    struct vm_config *b = host_vm_config_add(2, "s2", 2, true);
    b->affinity[0] = 1;
    b->affinity[1] = 2;
    a->shared_pcpus = b->shared_pcpus = true;
    vm_scripts(1, 3, VM1_BOOTS);
    vm_scripts(2, 2, VM2_BOOTS);
    CHECK(host_machine_run());
    CHECK_EQ(host_vms_started, 2);
    CHECK_EQ(vm_table[0].boots, VM1_BOOTS);
    CHECK_EQ(vm_table[1].boots, VM2_BOOTS);
    /* Three vCPUs faulting the same pages: each backed once per boot. */
    CHECK_EQ(host_console_count("vm1 (s1): stopped (reboot) after"), VM1_BOOTS - 1);
    CHECK_EQ(host_console_count("vm2 (s2): stopped (reboot) after"), VM2_BOOTS - 1);
    CHECK_EQ(host_console_count(", 16 lazy pages;"), VM1_BOOTS + VM2_BOOTS);
    /* Lines: a hello per round of every vCPU, and vCPU 0's "v0". */
    unsigned lines1 = 2 * (ROUNDS / 2) + 2 * ROUNDS, lines2 = 2 * (ROUNDS / 2) + ROUNDS;
    CHECK_EQ(host_console_count("[1:s1] "), VM1_BOOTS * lines1);
    CHECK_EQ(host_console_count("[2:s2] "), VM2_BOOTS * lines2);
    CHECK(host_intc_read().raised > 0);
    CHECK_EQ(frame_free_count(), host_frames_initial);
    if (getenv("STRESS_LOG"))
        fputs(host_console(), stderr);
    host_machine_fini();
    cmux_unregister(&nobody);
}
