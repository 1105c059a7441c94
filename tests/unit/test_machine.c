// SPDX-License-Identifier: MIT
/* Whole VMs on the host machine (harness.h): the VM lifecycle, the exit loop and the
 * hypercalls, driven by scripted exits on pCPU threads. */
#include <axvm/errno.h>
#include <axvm/frame.h>
#include <axvm/vm.h>
#include "check.h"
#include "harness.h"

#define UART_LSR (HOST_UART + 5)
#define UART_SCR (HOST_UART + 7)

/* One VM, one vCPU: console output by UART and by hypercall, then shutdown. */
TEST(machine_one_vm_prints_and_shuts_down)
{
    static const struct host_step steps[] = {
        H_MMIO_W(HOST_UART, 1, 'h'),
        H_MMIO_W(HOST_UART, 1, 'i'),
        H_MMIO_W(HOST_UART, 1, '\n'),
        H_HELLO,
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
    struct vcpu *v = &vm->vcpus[0];
    CHECK_EQ(vm->state, VM_STOPPED);
    CHECK_EQ(vm->boots, 1);
    CHECK_EQ(v->exits, ARRAY_SIZE(steps));
    /* The served exits are stepped over, by their own length; the spurious one and the
     * shutdown are not. */
    CHECK_EQ(v->arch.completed, 4);
    CHECK_EQ(v->arch.stepped, 4 * 4);
    CHECK_EQ(v->arch.last_ret, sizeof(HOST_IMAGE_TEXT) - 1);
    CHECK_EQ(v->arch.entry, HOST_RAM);
    CHECK_EQ(v->arch.arg, vm->fdt_gpa); /* the boot vCPU gets the device tree */
    CHECK_EQ(host_console_count("[1:one] hi\n"), 1);
    CHECK_EQ(host_console_count("[1:one] " HOST_IMAGE_TEXT), 1);
    CHECK_EQ(host_console_count("vm1 (one): boot #1, 1 vCPU on pCPU 0"), 1);
    CHECK_EQ(host_console_count("stopped (shutdown) after 6 exits"), 1);
    CHECK_EQ(host_console_count("all VMs have stopped: powering off"), 1);
    /* Loaded once, put once: when its VM stopped. */
    CHECK_EQ(v->arch.loads, 1);
    CHECK_EQ(v->arch.puts, 1);
    CHECK_EQ(vcpu_state_get(v), VCPU_STOPPED);
    CHECK_EQ(frame_free_count(), host_frames_initial);
    host_machine_fini();
}

/* A vCPU's record of its hypercall results, read back by the test. */
static long long results[16];
static unsigned result_count;

static void keep_result(struct vcpu *v)
{
    results[result_count++] = v->arch.last_ret;
}

TEST(machine_hypercalls_answer)
{
    static const struct host_step steps[] = {
        H_HCALL(AXVM_HC_VERSION, 0, 0),
        {.exit = X_HCALL(AXVM_HC_VM_ID, 0, 0), .before = keep_result},
        {.exit = X_HCALL(AXVM_HC_VCPU_ID, 0, 0), .before = keep_result},
        {.exit = X_HCALL(AXVM_HC_BOOT_COUNT, 0, 0), .before = keep_result},
        {.exit = X_HCALL(77, 0, 0), .before = keep_result},
        /* No memory at 0x1000: the copy fails. */
        {.exit = X_HCALL(AXVM_HC_CONSOLE_WRITE, 0x1000, 4), .before = keep_result},
        /* Longer than one call takes: the guest gets a short count. */
        {.exit = X_HCALL(AXVM_HC_CONSOLE_WRITE, HOST_RAM + 0x1000, 1000), .before = keep_result},
        {.exit = X_SHUTDOWN, .before = keep_result},
    };
    result_count = 0;
    host_machine_init(2, MiB(32));
    host_vm_config_add(6, "hc", 1, false);
    host_script(6, 0, 0, steps, ARRAY_SIZE(steps));
    CHECK(host_machine_run());
    CHECK_EQ(result_count, 7);
    CHECK_EQ(results[0], AXVM_HC_ABI_VERSION);
    CHECK_EQ(results[1], 6);
    CHECK_EQ(results[2], 0);
    CHECK_EQ(results[3], 1);
    CHECK_EQ(results[4], -ENOSYS);
    CHECK_EQ(results[5], -EFAULT);
    CHECK_EQ(results[6], 256);
    CHECK_EQ(host_console_count("warning: vm6 (hc) vcpu0: unknown hypercall 77"), 1);
    CHECK_EQ(frame_free_count(), host_frames_initial);
    host_machine_fini();
}

/* MMIO and port values are cut to the access width both ways; loads sign-extend when the
 * instruction does; a port nobody owns reads as all ones; a port access past a device's last
 * port goes byte by byte, each to whoever owns that port. */
TEST(machine_mmio_and_pio_values)
{
    static const struct host_step steps[] = {
        H_MMIO_R(UART_LSR, 1),
        H_MMIO_W(UART_SCR, 1, 0x1280), /* the UART sees 0x80 */
        H_MMIO_R(UART_SCR, 1),
        {.exit =
             X_EXIT(EXIT_MMIO,
                    .mmio = {.gpa = UART_SCR, .width = 1, .sign_extend = true, .decoded = true})},
        H_PIO_R(0x80, 2),
        H_PIO_W(0x80, 1, 0x55),
        H_PIO_W(0x3ff, 1, 0x5a), /* the port UART's scratch register */
        H_PIO_R(0x3fe, 4),       /* MSR, scratch, then two ports of nobody */
        H_SHUTDOWN,
    };
    host_machine_init(2, MiB(32));
    struct vm_config *c = host_vm_config_add(1, "io", 1, false);
    c->dev[1] = (struct vm_dev_config){"ns16550", 0x3f8, 8, -1, true};
    c->dev_count = 2;
    host_script(1, 0, 0, steps, ARRAY_SIZE(steps));
    CHECK(host_machine_run());
    struct vcpu *v = &vm_table[0].vcpus[0];
    CHECK_EQ(v->arch.read_count, 5);
    CHECK_EQ(v->arch.reads[0], 0x60); /* THR empty, transmitter empty, no data */
    CHECK_EQ(v->arch.reads[1], 0x80);
    CHECK_EQ(v->arch.reads[2], 0xffffffffffffff80ULL);
    CHECK_EQ(v->arch.reads[3], 0xffff);
    CHECK_EQ(v->arch.reads[4], 0xffff5ab0);
    host_machine_fini();
}

/* Each way a guest can go wrong stops its VM (and only it) with one line saying why; the
 * frames come back. Lazy RAM touched by MMIO is backed instead. */
TEST(machine_guest_errors_stop_the_vm)
{
    static const struct host_step unmapped[] = {H_MMIO_W(0x1000, 4, 1)};
    static const struct host_step fatal[] = {H_FATAL("the guest did something bad")};
    static const struct host_step undecoded[] = {
        {.exit = X_EXIT(EXIT_MMIO, .mmio = {.gpa = HOST_UART, .width = 1, .write = true})}};
    static const struct host_step refused[] = {
        H_MMIO_R(HOST_LAZY + 0x3000, 8), /* backs the page; the access runs again */
        H_MMIO_R(HOST_UART + 0xfe, 4),   /* runs past the device's end */
    };
    /* The host interrupt controller on ports: it refuses writes below its route registers. */
    static const struct host_step pio_refused[] = {H_PIO_W(0x1000, 4, 0)};
    host_machine_init(5, MiB(32));
    host_vm_config_add(1, "unmapped", 1, false)->stop_on_bad_access = true;
    host_vm_config_add(2, "fatal", 1, false)->affinity[0] = 1;
    host_vm_config_add(3, "undecoded", 1, false)->affinity[0] = 2;
    host_vm_config_add(4, "refused", 1, false)->affinity[0] = 3;
    struct vm_config *c = host_vm_config_add(5, "pio", 1, false);
    c->affinity[0] = 4;
    c->dev[0] = (struct vm_dev_config){"host-intc", 0x1000, 0x200, -1, true};
    host_script(1, 0, 0, unmapped, 1);
    host_script(2, 0, 0, fatal, 1);
    host_script(3, 0, 0, undecoded, 1);
    host_script(4, 0, 0, refused, 2);
    host_script(5, 0, 0, pio_refused, 1);
    CHECK(host_machine_run());
    CHECK_EQ(host_vms_started, 5);
    CHECK_EQ(host_console_count("error: vm1 (unmapped) vcpu0: write to an address with no "
                                "memory or device: address 0x1000"),
             1);
    CHECK_EQ(host_console_count("error: vm2 (fatal) vcpu0: the guest did something bad: "
                                "address 0xbad"),
             1);
    CHECK_EQ(host_console_count("vm3 (undecoded) vcpu0: MMIO access by an instruction the "
                                "hypervisor cannot decode"),
             1);
    CHECK_EQ(host_console_count("vm4 (refused) vcpu0: MMIO access the device refused: address "
                                "0x90000fe"),
             1);
    CHECK_EQ(host_console_count("vm5 (pio) vcpu0: I/O port access the device refused"), 1);
    CHECK_EQ(host_console_count("stopped (fault)"), 5);
    CHECK_EQ(host_console_count("vm4 (refused): stopped (fault) after 2 exits, 1 lazy pages"), 1);
    /* The faulting exit is not stepped over. */
    CHECK_EQ(vm_table[3].vcpus[0].arch.completed, 0);
    CHECK_EQ(frame_free_count(), host_frames_initial);
    host_machine_fini();
}

extern unsigned host_bad_accesses;

/* By default an access to nothing is the guest's own fault, as on hardware: the architecture
 * delivers it, the VM runs on, and one warning per 64 KiB range says so. */
TEST(machine_access_to_nothing_is_the_guests_fault)
{
    static const struct host_step steps[] = {
        H_MMIO_W(0x1000, 4, 1),
        H_MMIO_R(0x2000, 4),
        H_MMIO_R(0x20000, 4),
        H_SHUTDOWN,
    };
    unsigned before = host_bad_accesses;
    host_machine_init(1, MiB(32));
    host_vm_config_add(1, "probe", 1, false);
    host_script(1, 0, 0, steps, ARRAY_SIZE(steps));
    CHECK(host_machine_run());
    CHECK_EQ(host_bad_accesses - before, 3);
    CHECK_EQ(host_console_count("the guest gets a fault"), 2);
    CHECK_EQ(host_console_count("stopped (shutdown) after 4 exits"), 1);
    host_machine_fini();
}

/* Configs the boot-time check refuses, an identity clash, and a VM whose creation fails part
 * way are not started, and what was taken for them comes back; the others run. */
TEST(machine_refused_configs_start_nothing)
{
    static const struct host_step steps[] = {H_SHUTDOWN};
    host_machine_init(2, MiB(32));
    host_vm_config_add(1, "good", 1, false);
    host_vm_config_add(2, "novcpu", 0, false);
    host_vm_config_add(3, "clash", 1, false)->affinity[0] = 1;
    vm_identity_clash[2] = true;
    struct vm_config *c = host_vm_config_add(4, "busyirq", 1, true);
    c->affinity[0] = 1;
    c->passthru[0] = (struct vm_passthru_config){0x0a000000, 0x1000, 99, "vendor,dev"};
    c->passthru_count = 1;
    host_vm_config_add(5, "samecpu", 1, false); /* pCPU 0 is vm1's */
    host_script(1, 0, 0, steps, 1);
    CHECK(host_machine_run());
    CHECK_EQ(host_vms_started, 1);
    CHECK_EQ(host_console_count("harness: vm 2 (novcpu): vcpus: 0 is not between 1 and 8"), 1);
    CHECK_EQ(host_console_count("harness: vm 3 (clash): memory: an identity region"), 1);
    CHECK_EQ(host_console_count("vm4 (busyirq): passthrough 0: interrupt 99: error -16"), 1);
    CHECK_EQ(host_console_count("vm 5 (samecpu): cpu_affinity[0]: pCPU 0 is already given"), 1);
    CHECK_EQ(host_console_count("stopped (shutdown)"), 1);
    CHECK_EQ(frame_free_count(), host_frames_initial);
    host_machine_fini();
}

/* A passthrough device's interrupt is claimed from the VM's interrupt controller when the VM
 * is created and released when it stops; its registers are mapped, not emulated. */
TEST(machine_passthrough_irq_claimed_and_released)
{
    static const struct host_step steps[] = {H_SHUTDOWN};
    host_machine_init(1, MiB(32));
    struct vm_config *c = host_vm_config_add(1, "pt", 1, true);
    c->passthru[0] = (struct vm_passthru_config){0x0a000000, 0x200, 33, "vendor,dev"};
    c->passthru[1] = (struct vm_passthru_config){0x0a001000, 0x200, -1, NULL};
    c->passthru_count = 2;
    host_script(1, 0, 0, steps, 1);
    CHECK(host_machine_run());
    struct host_intc_stats s = host_intc_read();
    CHECK_EQ(s.claims, 1);
    CHECK_EQ(s.releases, 1);
    CHECK_EQ(frame_free_count(), host_frames_initial);
    host_machine_fini();
}
