# SPDX-License-Identifier: MIT
"""SMP Linux as a VM on AArch64 beside a bare-metal VM: vGIC, virtual timer, PSCI, generated
device tree, shell input through the console multiplexer, poweroff and reboot of that VM only.
The boot and the checks every architecture shares are in machine.py.
"""
from machine import (LINUX_FAILURES, LINUX_PROMPT as PROMPT, assert_none_of, board,
                     expect_console_focus_moves, expect_linux_reboots, expect_linux_up,
                     poweroff_linux, poweroff_linux_then_ticker)

# The GIC of the board the tests run on (make integration-board: GICv2), which Linux's VM gets
# too: its /proc/interrupts names the chip "GICv3" or "GIC-0".
HOST_GIC = {"gicv3": "GICv3", "gicv2": "GICv2"}[
    board.load(board.selected("aarch64"))["irqchip"]["type"]]
GUEST_GIC = {"GICv3": "GICv3", "GICv2": "GIC-0"}[HOST_GIC]


def timer_ticks(m):
    """The arch_timer counts of /proc/interrupts, summed."""
    return m.interrupt_count(rf"{GUEST_GIC}\s+27 Level\s+arch_timer")


def test_smp_linux_boots_beside_bare_metal_and_powers_off(boot):
    m = boot("aarch64", config="linux")
    m.expect(rf"\[axvm\] interrupt controller {HOST_GIC} at 0x8000000", 60)
    marker = expect_linux_up(m)

    # The virtual timer keeps interrupting Linux: the count grows between two looks.
    first = timer_ticks(m)
    m.send("sleep 1\n")
    m.expect(PROMPT, 30)
    second = timer_ticks(m)
    assert second > first > 0, (first, second)

    expect_console_focus_moves(m)
    poweroff_linux_then_ticker(m, marker)
    assert_none_of(LINUX_FAILURES, m.output)


def test_linux_reboot_restarts_only_that_vm(boot):
    m = boot("aarch64", config="linux-reboot")
    expect_linux_reboots(m, 3)


def test_passthrough_device_interrupts_reach_linux(boot, tmp_path):
    disk = tmp_path / "disk.img"
    disk.write_bytes(b"AXVM-PASSTHROUGH-DISK" + bytes(1024 * 1024 - 21))
    m = boot("aarch64", config="linux-passthrough",
             extra=["-drive", f"file={disk},if=none,format=raw,id=d0",
                    "-device", "virtio-blk-device,drive=d0"])
    expect_linux_up(m, after_vcpu1=[
        r"\[1:linux\] .*virtio_blk virtio0: \[vda\] 2048 512-byte logical blocks"], pcpus=(1, 2))
    # Reading the disk needs the device's completion interrupts, forwarded by the hypervisor.
    m.send("head -c 21 /dev/vda; echo; grep virtio0 /proc/interrupts\n")
    m.expect(r"\[1:linux\] AXVM-PASSTHROUGH-DISK", 60)
    irqs = m.expect(rf"\[1:linux\]\s+\d+:\s+([\d\s]+?)\s+{GUEST_GIC}\s+79 (Edge|Level)\s+virtio0",
                    30)
    assert sum(int(n) for n in irqs.group(1).split()) > 0
    poweroff_linux(m)
    assert m.wait_exit(30) == 0

