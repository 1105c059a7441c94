// SPDX-License-Identifier: MIT
/* The console commands against running VMs on the host machine (harness.h). */
#include <sched.h>
#include <axvm/frame.h>
#include <axvm/vm.h>
#include <axvm/vmm.h>
#include "check.h"
#include "harness.h"

/* 'b' stopped by itself; 'a' has the console start it again (and tries what must fail). */
static void start_b_again(struct vcpu *v)
{
    (void)v;
    while (vm_state_get(&vm_table[1]) != VM_STOPPED)
        sched_yield();
    vmm_run("start a"); /* running: refused, nothing happens */
    vmm_run("start bb");
    vmm_run("stop 3");
    vmm_run("start b");
}

static void wait_b_twice(struct vcpu *v)
{
    (void)v;
    while (__atomic_load_n(&vm_table[1].boots, __ATOMIC_ACQUIRE) < 2 ||
           vm_state_get(&vm_table[1]) != VM_STOPPED)
        sched_yield();
    vmm_run("list");
}

TEST(machine_console_start_boots_a_stopped_vm_again)
{
    static const struct host_step a_steps[] = {
        H_HELLO,
        {.exit = X_NONE, .before = start_b_again},
        {.exit = X_NONE, .before = wait_b_twice},
        H_SHUTDOWN,
    };
    static const struct host_step b_steps[] = {H_HELLO, H_SHUTDOWN};
    host_machine_init(3, MiB(48));
    host_vm_config_add(1, "a", 1, false);
    struct vm_config *b = host_vm_config_add(2, "b", 1, false);
    b->affinity[0] = 1;
    host_script(1, 0, 1, a_steps, ARRAY_SIZE(a_steps));
    host_script(2, 0, 0, b_steps, ARRAY_SIZE(b_steps));
    CHECK(host_machine_run());
    CHECK(host_powered_off); /* nothing was stopped by the console: off as before */
    CHECK_EQ(vm_table[0].boots, 1);
    CHECK_EQ(vm_table[1].boots, 2);
    CHECK_EQ(vm_table[1].generation, 2);
    CHECK_EQ(host_console_count("console: vm1 (a) is running: only a stopped VM can be started"),
             1);
    CHECK_EQ(host_console_count("console: no VM is called bb "), 1);
    CHECK_EQ(host_console_count("console: no VM is called 3 "), 1);
    CHECK_EQ(host_console_count("vm2 (b): boot #2, 1 vCPU on pCPU 1"), 1);
    CHECK_EQ(host_console_count("[2:b] " HOST_IMAGE_TEXT), 2);
    CHECK_EQ(host_console_count("stopped (shutdown)"), 3);
    CHECK_EQ(host_console_count("console:  2 b                stopped   1->1              2"), 1);
    CHECK_EQ(frame_free_count(), host_frames_initial);
    host_machine_fini();
}
