// SPDX-License-Identifier: MIT
/* Idle in the guest (harness.h): a vCPU alone on its pCPU waits in its guest's own WFI/HLT, one
 * sharing its pCPU (or any, with idle=trap) has that instruction exit; and the console's idle
 * work (the focused VM's prompt) is still done for a vCPU that never halts. */
#include <string.h>
#include <time.h>
#include <axvm/sched.h>
#include <axvm/vm.h>
#include "check.h"
#include "harness.h"

/* What each VM's vCPU 0 saw while it ran: the scheduler's view and the architecture's. */
static bool seen_alone[4], seen_trap[4];
static unsigned seen_calls[4];

static void record(struct vcpu *v)
{
    seen_alone[v->vm->id] = sched_vcpu_alone(v);
    seen_trap[v->vm->id] = v->arch.trap_idle;
    seen_calls[v->vm->id] = v->arch.trap_idle_calls;
}

static void wait_vm3_booted(struct vcpu *v)
{
    host_wait_state(&vm_table[2].vcpus[0], VCPU_RUNNABLE);
}

/* A slice each: vm2 looks once vm3 is there too, vm3 before vm2 has stopped. */
static const struct host_step recorded[] = {
    {.exit = X_NONE, .before = record, .slice_over = true},
    {.exit = X_NONE, .slice_over = true},
    H_SHUTDOWN,
};
static const struct host_step recorded_late[] = {
    {.exit = X_NONE, .before = wait_vm3_booted, .slice_over = true},
    {.exit = X_NONE, .before = record, .slice_over = true},
    H_SHUTDOWN,
};

/* vm1 alone on pCPU 0; vm2 and vm3 share pCPU 1. */
static void run_three(void)
{
    memset(seen_alone, 0, sizeof(seen_alone));
    memset(seen_trap, 0, sizeof(seen_trap));
    memset(seen_calls, 0, sizeof(seen_calls));
    host_machine_init(2, MiB(32));
    host_vm_config_add(1, "alone", 1, false);
    struct vm_config *b = host_vm_config_add(2, "b", 1, false);
    struct vm_config *c = host_vm_config_add(3, "c", 1, false);
    b->affinity[0] = c->affinity[0] = 1;
    b->shared_pcpus = c->shared_pcpus = true;
    host_script(1, 0, 0, recorded, ARRAY_SIZE(recorded));
    host_script(2, 0, 0, recorded_late, ARRAY_SIZE(recorded_late));
    host_script(3, 0, 0, recorded, ARRAY_SIZE(recorded));
    CHECK(host_machine_run());
    CHECK_EQ(host_vms_started, 3);
    host_machine_fini();
}

TEST(machine_idle_in_guest_only_for_a_vcpu_alone_on_its_pcpu)
{
    run_three();
    CHECK(seen_alone[1]);
    CHECK(!seen_trap[1]); /* its WFI/HLT stays in the guest */
    for (unsigned id = 2; id <= 3; id++) {
        CHECK(!seen_alone[id]);
        CHECK(seen_trap[id]); /* sharing: its idle instruction gives the pCPU back */
    }
    for (unsigned id = 1; id <= 3; id++)
        CHECK(seen_calls[id] >= 1); /* decided before it ran, on its own pCPU, loaded */
}

TEST(machine_idle_trap_on_the_command_line_traps_every_vcpu)
{
    sched_set_idle_trap(true);
    run_three();
    sched_set_idle_trap(false);
    CHECK(seen_alone[1]);
    for (unsigned id = 1; id <= 3; id++)
        CHECK(seen_trap[id]);
}

/* ---- the console's idle work without halt exits --------------------------------------------- */

#define PROMPT "[1:shell] axvm# "

static bool prompt_shown;

/* Longer than the console's idle look (CONSOLE_IDLE_MS in kernel/vcpu.c): the guest waits in
 * its WFI meanwhile, and only the pCPU's timer brings it out. */
static void idle_a_while(struct vcpu *v)
{
    struct timespec ts = {0, 40 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

static void look_for_prompt(struct vcpu *v)
{
    prompt_shown = strstr(host_console(), PROMPT) != NULL;
}

/*
 * A shell prints its prompt (no newline) and waits for input in WFI. Without halt exits the
 * prompt must still reach the terminal while the guest waits, not only when its line ends: the
 * vCPU's own timer brings it back for the console's idle work. (Before idle in the guest this
 * came from the halt exit; with no halt exit and no timer the prompt stayed hidden.)
 */
TEST(machine_idle_in_guest_vcpu_shows_its_prompt)
{
    static const struct host_step shell[] = {
        H_MMIO_W(HOST_UART, 1, 'a'),
        H_MMIO_W(HOST_UART, 1, 'x'),
        H_MMIO_W(HOST_UART, 1, 'v'),
        H_MMIO_W(HOST_UART, 1, 'm'),
        H_MMIO_W(HOST_UART, 1, '#'),
        H_MMIO_W(HOST_UART, 1, ' '),
        {.exit = X_NONE, .before = idle_a_while},
        {.exit = X_NONE, .before = idle_a_while},
        {.exit = X_NONE, .before = look_for_prompt},
        H_SHUTDOWN,
    };
    prompt_shown = false;
    host_machine_init(1, MiB(32));
    host_vm_config_add(1, "shell", 1, false);
    host_script(1, 0, 0, shell, ARRAY_SIZE(shell));
    CHECK(host_machine_run());
    struct vcpu *v = &vm_table[0].vcpus[0];
    CHECK(!v->arch.trap_idle);
    CHECK_EQ(v->exit_kinds[EXIT_HALT], 0);
    CHECK(prompt_shown);
    host_machine_fini();
}
