# SPDX-License-Identifier: MIT
"""Linux on the hypervisor's virtio-console (virtio-mmio, drivers/virtio/) on every
architecture: the early console is the UART's (or the SBI's), then the kernel's console and the
shell are on the virtio console's hvc port. Its output moves a whole buffer per exit; its input
(the shell's commands, a 4 KiB paste) goes through the console multiplexer into the receive
buffers the guest posted, with the multiplexer's flow control.

The guest's shell counts and hashes the paste (`tee | wc -c`, `md5sum`), so a lost, repeated or
reordered byte fails the test.
"""
import hashlib
import random
import re

import pytest

from machine import LINUX_FAILURES, LINUX_PROMPT as PROMPT

ARCHES = ["aarch64", "riscv64", "x86_64"]
# The virtio console's hvc port: on RISC-V the SBI console driver has taken hvc0 first.
HVC = {"aarch64": "hvc0", "riscv64": "hvc1", "x86_64": "hvc0"}
BOOT_TIMEOUT = 180  # to the init's marker on a busy, shared host
LINE = 4095  # a tty line in canonical mode holds 4095 characters and the newline


def shell(m, cmd, timeout=30):
    """Run 'cmd' in the shell of VM 1 and return the lines it printed."""
    m.send(cmd + "\n")
    m.expect(re.escape(cmd) + r"\n", timeout)
    out = m.expect(r"(?s)(.*?)\[1:linux\] axvm# ", timeout).group(1)
    return [line[len("[1:linux] "):] for line in out.splitlines()
            if line.startswith("[1:linux] ")]


def payload(seed):
    """A line of LINE printable characters (none a tty control character) and its newline."""
    rnd = random.Random(seed)
    chars = "abcdefghijklmnopqrstuvwxyz0123456789 .,:;-_+=/()[]{}<>"
    return "".join(rnd.choice(chars) for _ in range(LINE)) + "\n"


def paste_busybox(m):
    """A 4 KiB line into `tee | wc -c`, then its hash."""
    data = payload(seed=7)
    m.send("echo RE''ADY; tee /tmp/paste | wc -c\n")
    m.expect(r"\[1:linux\] READY\n", 30)
    m.send(data + "\x04")
    m.expect(rf"\[1:linux\] {len(data)}\n", 120)
    m.expect(PROMPT, 30)
    digest = hashlib.md5(data.encode()).hexdigest()
    assert f"{digest}  /tmp/paste" in shell(m, "md5sum /tmp/paste")


def paste_builtin_shell(m):
    """The RISC-V init's built-in shell reads lines of up to 1 KiB and has no pipes: five
    `echo WORD` lines of 900 random characters each, pasted in one write. Each WORD must come
    back whole: the shell prints exactly what it read, in one write (a console line of the
    multiplexer holds 200 characters, so the guest's lines are joined back first)."""
    rnd = random.Random(11)
    words = ["".join(rnd.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(900))
             for _ in range(5)]
    start = len(m.output)
    m.send("".join(f"echo {w}\n" for w in words) + "echo PASTE DONE\n")
    # The echo's output (the tty's echo of the command has "echo " before it).
    m.expect(r"\[1:linux\] (axvm# )?PASTE DONE\n", 120)
    m.expect(PROMPT, 30)
    text = "".join(line[len("[1:linux] "):] for line in m.output[start:].splitlines()
                   if line.startswith("[1:linux] "))
    for i, w in enumerate(words):
        assert w in text, f"pasted line {i} did not come back whole"


@pytest.mark.parametrize("arch", ARCHES)
def test_linux_console_on_virtio(boot, arch):
    hvc = HVC[arch]
    m = boot(arch, config="linux-virtio")
    m.expect(r"\[axvm\] vm1 \(linux\): boot #1, 2 vCPUs", 60)
    # The virtio-mmio device is found (device tree, or the x86 command line) and becomes the
    # kernel's console.
    m.expect(rf"\[1:linux\] .*printk: (legacy )?console \[{hvc}\] enabled", BOOT_TIMEOUT)
    m.expect(r"\[1:linux\] AXVM-GUEST-OK", BOOT_TIMEOUT)
    m.expect(PROMPT, 60)
    if arch != "riscv64":
        # Late kernel messages (x86's switch to the TSC clocksource) stay off the console,
        # where they would land inside the lines the test reads.
        m.send("dmesg -n 1\n")
        m.expect(PROMPT, 30)

    # The shell is on the virtio console: its input (this command) and output both pass there.
    assert shell(m, "cat /sys/class/tty/console/active") == [hvc]
    row = r"[A-Za-z][\w -]*?\s+\d+[ -]([Ee]dge|Level)\s+virtio0"
    before = m.interrupt_count(row)
    assert "typed-through-virtio" in shell(m, "echo typed-through-virtio")
    after = m.interrupt_count(row)
    assert after > before > 0, (before, after)

    # A paste of a few KiB arrives whole, once and in order.
    if arch == "riscv64":
        paste_builtin_shell(m)
    else:
        paste_busybox(m)

    m.send("poweroff\n")
    m.expect(r"\[axvm\] vm1 \(linux\): stopped \(shutdown\)", 60)
    assert not re.search(r"virtio-console at .* broken", m.output)
    for pat in LINUX_FAILURES:
        assert not re.search(pat, m.output), pat
