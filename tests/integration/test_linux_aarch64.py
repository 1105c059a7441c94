# SPDX-License-Identifier: MIT
"""SMP Linux as a VM on AArch64 beside a bare-metal VM: vGIC, virtual timer, PSCI, generated
device tree, shell input through the console multiplexer, poweroff and reboot of that VM only.

The Linux guest's init prints "AXVM-GUEST-OK" only after its checks (arithmetic, tmpfs, a
child process, work on every CPU); the bare-metal "ticker" prints a checked computation every
25 ms.
"""
import re

import pytest

from machine import LINUX_FAILURES, LINUX_PROMPT as PROMPT, board

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
    m.expect(r"\[axvm\] vm1 \(linux\): boot #1, 2 vCPUs on pCPU 0", 60)
    m.expect(r"\[axvm\] vm1 \(linux\): vcpu1 started on pCPU 1", 120)
    m.expect(r"\[1:linux\] init: cpus online 2", 120)
    m.expect(r"\[1:linux\] init: every cpu ok: 2 workers")
    marker = m.expect(r"\[1:linux\] AXVM-GUEST-OK").start()
    m.expect(PROMPT, 60)

    # The virtual timer keeps interrupting Linux: the count grows between two looks.
    first = timer_ticks(m)
    m.send("sleep 1\n")
    m.expect(PROMPT, 30)
    second = timer_ticks(m)
    assert second > first > 0, (first, second)

    # The console hotkeys: list the VMs, move the focus away and back.
    m.send("\x1dl")
    m.expect(r"\[axvm\] console: \* \[1:linux\]", 30)
    m.expect(r"\[axvm\] console:   \[2:ticker\]", 30)
    m.send("\x1dn")
    m.expect(r"\[axvm\] console: input goes to \[2:ticker\]", 30)
    m.send("\x1d1")
    m.expect(r"\[axvm\] console: input goes to \[1:linux\]", 30)

    m.send("poweroff\n")
    stopped = m.expect(r"\[axvm\] vm1 \(linux\): stopped \(shutdown\)", 60).start()
    # The bare-metal VM printed while Linux booted and went on after Linux had stopped.
    ticks = [t.start() for t in re.finditer(r"\[2:ticker\] guest: compute ok", m.output)]
    assert ticks and ticks[0] < marker, "ticker printed nothing while Linux booted"
    m.expect(r"\[2:ticker\] guest: compute ok: 2262 primes below 20000 \(round \d+", 60)
    assert m.pos > stopped  # a checked computation after Linux was gone
    m.expect(r"\[2:ticker\] guest: all checks passed", 120)
    m.expect(r"\[axvm\] vm2 \(ticker\): stopped \(shutdown\)")
    m.expect(r"\[axvm\] all VMs have stopped: powering off")
    assert m.wait_exit(30) == 0
    for pat in LINUX_FAILURES:
        assert not re.search(pat, m.output), pat


def test_linux_reboot_restarts_only_that_vm(boot):
    m = boot("aarch64", config="linux-reboot")
    for n in (1, 2, 3):
        m.expect(rf"\[axvm\] vm1 \(linux\): boot #{n}, 2 vCPUs", 120)
        m.expect(r"\[1:linux\] init: cpus online 2", 120)
        m.expect(r"\[1:linux\] AXVM-GUEST-OK", 120)
        if n < 3:
            m.expect(r"\[axvm\] vm1 \(linux\): stopped \(reboot\)", 60)
    # The other VM was never restarted: one boot line, and it is still counting.
    assert len(re.findall(r"\[axvm\] vm2 \(ticker\): boot #", m.output)) == 1
    assert "vm2 (ticker): stopped" not in m.output
    m.expect(r"\[2:ticker\] guest: compute ok", 60)


def test_passthrough_device_interrupts_reach_linux(boot, tmp_path):
    disk = tmp_path / "disk.img"
    disk.write_bytes(b"AXVM-PASSTHROUGH-DISK" + bytes(1024 * 1024 - 21))
    m = boot("aarch64", config="linux-passthrough",
             extra=["-drive", f"file={disk},if=none,format=raw,id=d0",
                    "-device", "virtio-blk-device,drive=d0"])
    m.expect(r"\[1:linux\] .*virtio_blk virtio0: \[vda\] 2048 512-byte logical blocks", 120)
    m.expect(r"\[1:linux\] AXVM-GUEST-OK", 120)
    m.expect(PROMPT, 60)
    # Reading the disk needs the device's completion interrupts, forwarded by the hypervisor.
    m.send("head -c 21 /dev/vda; echo; grep virtio0 /proc/interrupts\n")
    m.expect(r"\[1:linux\] AXVM-PASSTHROUGH-DISK", 60)
    irqs = m.expect(rf"\[1:linux\]\s+\d+:\s+([\d\s]+?)\s+{GUEST_GIC}\s+79 (Edge|Level)\s+virtio0",
                    30)
    assert sum(int(n) for n in irqs.group(1).split()) > 0
    m.send("poweroff\n")
    m.expect(r"\[axvm\] vm1 \(linux\): stopped \(shutdown\)", 60)
    assert m.wait_exit(30) == 0

