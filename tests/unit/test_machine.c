// SPDX-License-Identifier: MIT
/* Whole VMs on the host machine (harness.h): the VM lifecycle, the exit loop, the scheduler
 * and the hypercalls, driven by scripted exits on pCPU threads. */
#include <axvm/frame.h>
#include <axvm/vm.h>
#include "check.h"
#include "harness.h"

/* One VM, one vCPU: console output by UART and by hypercall, the information hypercalls, a
 * spurious exit, then shutdown. */
TEST(machine_one_vm_prints_and_shuts_down)
{
    static const struct host_step steps[] = {
        H_MMIO_W(HOST_UART, 1, 'h'),
        H_MMIO_W(HOST_UART, 1, 'i'),
        H_MMIO_W(HOST_UART, 1, '\n'),
        H_HELLO,
        H_HCALL(AXVM_HC_VERSION, 0, 0),
        H_NONE,
        H_SHUTDOWN,
    };
    host_machine_init(2, MiB(32));
    host_vm_config_add(1, "one", 1, false);
    host_script(1, 0, 0, steps, ARRAY_SIZE(steps));
    CHECK(host_machine_run());
    CHECK_EQ(host_vms_started, 1);
    CHECK(host_powered_off);
    struct vm *vm = &vm_table[0];
    CHECK_EQ(vm->state, VM_STOPPED);
    CHECK_EQ(vm->vcpus[0].exits, ARRAY_SIZE(steps));
    CHECK_EQ(host_console_count("[1:one] hi\n"), 1);
    CHECK_EQ(host_console_count("[1:one] " HOST_IMAGE_TEXT), 1);
    CHECK_EQ(host_console_count("stopped (shutdown) after 7 exits"), 1);
    CHECK_EQ(host_console_count("all VMs have stopped: powering off"), 1);
    CHECK_EQ(vm->vcpus[0].arch.loads, 1);
    CHECK_EQ(vm->vcpus[0].arch.puts, 1);
    CHECK_EQ(frame_free_count(), host_frames_initial);
    host_machine_fini();
}
