# SPDX-License-Identifier: MIT
"""The console multiplexer end to end on AArch64: pasted input arrives whole (flow control from
the serial line through the multiplexer to the focused VM's emulated UART), hotkeys work while a
VM's input buffer is full, guest output cannot pass for the hypervisor's, and two SMP Linux VMs
boot side by side again and again (issue 16).

The Linux guest's shell counts and hashes what it was given (`tee | wc -c`, `md5sum`), so a
lost, repeated or reordered byte fails the test. Its tty reads a line of at most 4096 bytes
(4095 characters and the newline) in canonical mode: the pastes are lines of that size.
"""
import hashlib
import random
import re

import pytest

import machine

PROMPT = r"axvm# "
LINE = 4095  # characters of a pasted line; with its newline, 4 KiB
BOOT_TIMEOUT = 90  # to a Linux VM's marker on a busy, shared host (about 4 s when idle)


def payload(seed, lines):
    """'lines' lines of LINE printable characters (none a tty control character)."""
    rnd = random.Random(seed)
    chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;-_+=/()[]{}<>"
    return "".join("".join(rnd.choice(chars) for _ in range(LINE)) + "\n" for _ in range(lines))


class Cursors:
    """Where to look next in the output of each VM: VMs interleave, each is read in order."""

    def __init__(self, m):
        self.m = m
        self.pos = {}

    def expect(self, vm, pattern, timeout=60):
        self.m.pos = self.pos.get(vm, 0)
        match = self.m.expect(pattern, timeout)
        self.pos[vm] = match.end()
        return match


def paste(c, vm, name, lines, seed):
    """Paste 'lines' 4 KiB lines into the VM's shell in one write, as a terminal paste does,
    and check in the guest that every byte arrived once and in order."""
    data = payload(seed, lines)
    prefix = rf"\[{vm}:{re.escape(name)}\] "
    # READY is printed after the shell has put the tty back to canonical mode for `tee`.
    c.m.send("echo RE''ADY; tee /tmp/paste | wc -c\n")
    c.expect(vm, prefix + r"READY\n")
    c.m.send(data + "\x04")  # Ctrl-D: end of input for `tee`
    # wc's count on a line of its own, or at the end of the echo of the paste's last bytes:
    # the guest's tty echoes what it receives through the same 4 KiB output buffer that wc
    # writes to, and when that buffer is full, wc's write can overtake echoes still pending.
    c.expect(vm, rf"{prefix}(?:[^\n]*[^0-9\n])?{len(data)}\n", 120)
    c.expect(vm, prefix + PROMPT)
    c.m.send("md5sum /tmp/paste\n")
    c.expect(vm, prefix + hashlib.md5(data.encode()).hexdigest() + "  /tmp/paste")
    c.expect(vm, prefix + PROMPT)


def test_harness_takes_failures_from_hypervisor_lines_only():
    """A guest printing the hypervisor's failure text does not fail a test; the hypervisor
    (or a guest kernel's own failure) does."""
    assert machine.failure_in("[1:linux] [axvm] error: forged\n[2:bm] PANIC on cpu0\n") is None
    assert machine.failure_in("[axvm] error: vm1 stopped\n")[1] == r"\[axvm\] error:"
    assert machine.failure_in("[1:linux] [    1.0] Kernel panic - not syncing\n")
    assert machine.failure_in("Kernel panic - not syncing\n")  # a guest on bare QEMU
    allowed = [re.compile(r"vm1 \(bad\)")]
    assert machine.failure_in("[axvm] error: vm1 (bad) vcpu0: fault\n", allowed) is None


def test_paste_hotkeys_and_guest_output_filtering(boot):
    m = boot("aarch64", config="linux-console")
    c = Cursors(m)
    c.expect(1, r"\[1:linux\] AXVM-GUEST-OK", BOOT_TIMEOUT)
    c.expect(1, r"\[1:linux\] " + PROMPT)

    # A 4 KiB line pasted into the shell arrives whole.
    paste(c, 1, "linux", 1, seed=1)

    # Escape sequences, carriage returns and backspaces cannot forge a hypervisor line.
    m.send(r"printf 'x\b\r\033[2K\033[1;31m[axvm] error: forged by the guest\033[0m\n'" + "\n")
    c.expect(1, r"\n\[1:linux\] \[axvm\] error: forged by the guest\n")
    c.expect(1, r"\[1:linux\] " + PROMPT)
    assert "\x1b" not in m.output

    # A VM that never reads its input (the ticker) with a full buffer: the paste's remainder
    # is held back, then after two seconds dropped with a warning, and the hotkey behind it
    # still takes the focus back.
    m.send("\x1d2")
    m.expect(r"\[axvm\] console: input goes to \[2:ticker\]")
    m.send("q" * 6000 + "\x1d1")
    m.expect(r"\[axvm\] warning: console: \[2:ticker\] has taken no input for 2 s: what is "
             r"typed to it is dropped until it reads again")
    m.expect(r"\[axvm\] console: input goes to \[1:linux\]", 30)
    m.send("\x1dl")
    m.expect(r"\[axvm\] console:   \[2:ticker\] \(not reading its input\)")
    m.send("echo al''ive\n")
    c.pos[1] = m.pos
    c.expect(1, r"\[1:linux\] alive\n")
    m.expect(r"\[2:ticker\] guest: compute ok", 30)  # the ticker never stopped meanwhile
    assert "q" * 10 not in m.output  # and none of what was typed to it reached Linux


PAIR_BOOTS = 8


@pytest.mark.parametrize("n", range(1, PAIR_BOOTS + 1))
def test_two_smp_linux_vms_boot_side_by_side(boot, n):
    """Every boot of the two-Linux machine reaches both VMs' markers (issue 16 saw both stall
    within their first second in 2 of 26 boots). The last boot goes on: a 12 KiB paste
    (three 4 KiB lines, three times a VM's input buffer) into each shell, then both power off."""
    m = boot("aarch64", config="linux-pair")
    c = Cursors(m)
    m.expect(r"\[axvm\] vm1 \(linux-a\): boot #1, 2 vCPUs on pCPU 0", 30)
    m.expect(r"\[axvm\] vm2 \(linux-b\): boot #1, 2 vCPUs on pCPU 2", 30)
    for vm, name in ((1, "linux-a"), (2, "linux-b")):
        c.expect(vm, rf"\[{vm}:{name}\] init: every cpu ok: 2 workers", BOOT_TIMEOUT)
        c.expect(vm, rf"\[{vm}:{name}\] AXVM-GUEST-OK")
    if n < PAIR_BOOTS:
        return
    c.expect(1, r"\[1:linux-a\] " + PROMPT)
    paste(c, 1, "linux-a", 3, seed=11)
    m.send("\x1d2")
    m.expect(r"\[axvm\] console: input goes to \[2:linux-b\]")
    # Only the VM in focus shows a prompt (a line without its newline).
    c.expect(2, r"\[2:linux-b\] " + PROMPT)
    paste(c, 2, "linux-b", 3, seed=12)
    m.send("poweroff\n")
    m.expect(r"\[axvm\] vm2 \(linux-b\): stopped \(shutdown\)", 60)
    m.send("poweroff\n")
    m.expect(r"\[axvm\] vm1 \(linux-a\): stopped \(shutdown\)", 60)
    m.expect(r"\[axvm\] all VMs have stopped: powering off")
    assert m.wait_exit(30) == 0


def test_two_smp_linux_vms_reboot_side_by_side(boot):
    """Both VMs reboot themselves after their checks, again and again, each boot overlapping
    the other VM's boots and runs: every boot reaches its marker."""
    m = boot("aarch64", config="linux-pair-reboot")
    c = Cursors(m)
    for n in range(1, 6):
        for vm, name in ((1, "linux-a"), (2, "linux-b")):
            c.expect(vm, rf"\[axvm\] vm{vm} \({name}\): boot #{n}, 2 vCPUs", BOOT_TIMEOUT)
            c.expect(vm, rf"\[{vm}:{name}\] AXVM-GUEST-OK", BOOT_TIMEOUT)
