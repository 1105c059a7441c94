# SPDX-License-Identifier: MIT
"""The hypervisor's console commands (Ctrl-] then ':') and the per-VM output history, on every
architecture (issue 15).

tests/configs/<arch>/vmm.toml has two long-running bare-metal VMs, "left" (1) and "right" (2),
each printing "guest: compute ok ... (round N, ...)" after checking a computed result about every
300 ms until stopped, and "later" (3) with autostart = false, which runs three rounds and shuts
down once started. Every command is checked against the VMs' own output: a stopped VM prints
nothing more, a started or rebooted one says hello with its new boot count and computes again,
and the other VM goes on counting its rounds, never booting again.
"""
import re

import pytest

from conftest import ARCHES

BOOT_TIMEOUT = 60
STEP_TIMEOUT = 30
CMD = "\x1d:"  # Ctrl-] then ':' opens the command line


def live(vm, name):
    """A line the VM printed itself (replayed history lines have "]< " instead)."""
    return rf"\[{vm}:{name}\] "


def rounds(text, vm, name):
    """The round numbers of the VM's own compute lines in 'text', in order."""
    return [int(r) for r in re.findall(
        live(vm, name) + r"guest: compute ok: 2262 primes below 20000 \(round (\d+),", text)]


def wait_round(m, vm, name, timeout=STEP_TIMEOUT):
    """Wait for the VM's next compute line; return its round number."""
    match = m.expect(live(vm, name) + r"guest: compute ok: 2262 primes below 20000 \(round (\d+),",
                     timeout)
    return int(match.group(1))


def command(m, line):
    """Type a command line as a user would, and wait for its echo."""
    m.send(CMD + line + "\r")
    m.expect(r"\[axvm\] :" + re.escape(line) + r"\n", STEP_TIMEOUT)


def both_running(m):
    for vm, name in ((1, "left"), (2, "right")):
        m.pos = 0
        m.expect(live(vm, name) + r"guest: hello from vm%d \(hypercall ABI 1\), boot 1" % vm,
                 BOOT_TIMEOUT)
        wait_round(m, vm, name, BOOT_TIMEOUT)
    m.pos = 0
    m.expect(r"\[axvm\] vm3 \(later\): autostart = false")
    m.pos = len(m.output)


@pytest.mark.parametrize("arch", ARCHES)
def test_list_stop_start_reboot(boot, arch):
    m = boot(arch, config="vmm")
    both_running(m)
    m.pos = 0
    assert m.expect(r"\[axvm\] (\d+) of 3 VMs started").group(1) == "2"
    m.pos = len(m.output)

    # list: one line per VM, with its state, pCPU, boots and memory.
    command(m, "list")
    m.expect(r"\[axvm\] console: id name +state +vCPUs->pCPUs +boots +exits +memory\n")
    left = m.expect(r"\[axvm\] console:  1 left +running +1->1 +1 +(\d+)  18 MiB\n")
    m.expect(r"\[axvm\] console:  2 right +running +1->2 +1 +(\d+)  16 MiB\n")
    m.expect(r"\[axvm\] console:  3 later +stopped +1->3 +0 +0  16 MiB\n")
    assert int(left.group(1)) > 0

    # Typos name no VM and stop nothing.
    for bad, answer in (("stpo 2", r"unknown command \(try help\)"),
                        ("stop righ", r"no VM is called righ \(list shows their ids and names\)"),
                        ("stop 9", r"no VM is called 9 \(list shows their ids and names\)"),
                        ("stop 1 2", r"too many arguments"),
                        ("stop", r"which VM\? give its id or name")):
        command(m, bad)
        m.expect(r"\[axvm\] console: " + answer + r"\n", STEP_TIMEOUT)
    # A backspaced typo is not what runs.
    m.send(CMD + "lisx\x7ft\r")
    m.expect(r"\[axvm\] console: id name", STEP_TIMEOUT)
    mark = m.pos
    wait_round(m, 1, "left")
    wait_round(m, 2, "right")
    assert "stopped (" not in m.output[mark:]

    # stop right: it prints nothing more; left goes on counting.
    command(m, "stop right")
    # No interrupt controller, so no way to ask it (tests/integration/test_stop.py asks).
    m.expect(r"\[axvm\] console: stopping vm2 \(right\): forced off at once \(it has no way to "
             r"be asked\)\n", STEP_TIMEOUT)
    stopped = m.expect(r"\[axvm\] vm2 \(right\): stopped \(forced from the console\) after \d+ "
                       r"exits", STEP_TIMEOUT).end()
    before = rounds(m.output[:stopped], 1, "left")[-1]
    for _ in range(4):
        wait_round(m, 1, "left")
    after = m.output[stopped:m.pos]
    assert not re.search(live(2, "right"), after), after
    assert rounds(after, 1, "left")[0] == before + 1
    command(m, "stop 2")  # stopping it again: said, nothing happens
    m.expect(r"\[axvm\] console: vm2 \(right\) is stopped: only a running VM can be stopped")

    # start 2: created again from its config; boot 2 computes from round 1.
    command(m, "start 2")
    m.expect(r"\[axvm\] vm2 \(right\): boot #2, 1 vCPU on pCPU 2", STEP_TIMEOUT)
    m.expect(live(2, "right") + r"guest: hello from vm2 \(hypercall ABI 1\), boot 2", STEP_TIMEOUT)
    assert wait_round(m, 2, "right") == 1

    # reboot left: boot 2 of left; right is untouched (its rounds go on, no boot 3).
    start = m.pos
    command(m, "reboot left")
    m.expect(r"\[axvm\] vm1 \(left\): stopped \(reboot\)", STEP_TIMEOUT)
    m.expect(live(1, "left") + r"guest: hello from vm1 \(hypercall ABI 1\), boot 2", STEP_TIMEOUT)
    assert wait_round(m, 1, "left") == 1
    wait_round(m, 2, "right")
    right_rounds = rounds(m.output[start:m.pos], 2, "right")
    assert right_rounds == list(range(right_rounds[0], right_rounds[0] + len(right_rounds)))
    assert "vm2 (right): boot #3" not in m.output

    # start later (autostart = false): it runs its three rounds and shuts down by itself.
    command(m, "start later")
    m.expect(r"\[axvm\] vm3 \(later\): boot #1, 1 vCPU on pCPU 3", STEP_TIMEOUT)
    m.expect(live(3, "later") + r"guest: compute ok: 2262 primes below 20000 \(round 3,",
             STEP_TIMEOUT)
    m.expect(live(3, "later") + r"guest: all checks passed, shutting down", STEP_TIMEOUT)
    m.expect(r"\[axvm\] vm3 \(later\): stopped \(shutdown\)", STEP_TIMEOUT)

    command(m, "list")
    m.expect(r"\[axvm\] console:  1 left +running +1->1 +2 ")
    m.expect(r"\[axvm\] console:  2 right +running +1->2 +2 ")
    m.expect(r"\[axvm\] console:  3 later +stopped +1->3 +1 ")

    # With every VM stopped the machine stays on (the console can start one again).
    command(m, "stop 1")
    m.expect(r"\[axvm\] vm1 \(left\): stopped \(forced from the console\)", STEP_TIMEOUT)
    command(m, "stop 2")
    m.expect(r"\[axvm\] vm2 \(right\): stopped \(forced from the console\)", STEP_TIMEOUT)
    command(m, "start 3")
    m.expect(live(3, "later") + r"guest: hello from vm3 \(hypercall ABI 1\), boot 2", STEP_TIMEOUT)
    m.expect(r"\[axvm\] vm3 \(later\): stopped \(shutdown\)", STEP_TIMEOUT)
    assert "powering off" not in m.output


@pytest.mark.parametrize("arch", ARCHES)
def test_info_log_and_history_replay(boot, arch):
    m = boot(arch, config="vmm")
    both_running(m)

    # info: the VM's regions and devices as its config has them.
    command(m, "info left")
    m.expect(r"\[axvm\] console: vm1 \(left\): running, boot 1, (\d+) exits")
    kinds = m.expect(r"\[axvm\] console:   vcpu0 on pCPU 1: \d+ exits \((.*)\)\n").group(1)
    # It has written its UART (MMIO, or port I/O on x86) and made hypercalls (hello, console).
    assert re.search(r"\b(mmio|pio) [1-9]", kinds) and re.search(r"\bhvc [1-9]", kinds), kinds
    m.expect(r"\[axvm\] console:   memory 0x[0-9a-f]+-0x[0-9a-f]+ \(16384 KiB, allocated\)")
    m.expect(r"\[axvm\] console:   memory 0x[0-9a-f]+-0x[0-9a-f]+ \(2048 KiB, lazy\)")
    # The guest runs in its allocated region: the blocks it has touched were zeroed then.
    blocks = m.expect(r"\[axvm\] console:   \d+ pages filled on a fault, (\d+) 2 MiB blocks "
                      r"zeroed on first touch").group(1)
    assert 1 <= int(blocks) <= 8, blocks
    m.expect(r"\[axvm\] console:   device (pl011|ns16550) at ")
    m.expect(r"\[axvm\] console:   output history 16384 bytes, \d+ written")
    command(m, "info 2")
    m.expect(r"\[axvm\] console:   output history 8192 bytes, \d+ written")
    command(m, "help")
    m.expect(r"\[axvm\] console: stop VM +ask a VM to power off; forced after its stop_timeout_ms")

    # Focus on right (2): what it printed while out of focus is shown again, line for line.
    for _ in range(2):
        wait_round(m, 2, "right")
    m.send("\x1d2")
    m.expect(r"\[axvm\] console: input goes to \[2:right\]\n", STEP_TIMEOUT)
    head = m.expect(r"\[axvm\] console: \[2:right\] printed while out of focus:\n")
    end = m.expect(r"\[axvm\] console: end of \[2:right\]'s history\n")
    replay = re.findall(r"^\[2:right\]< (.*)$", m.output[head.end():end.start()], re.M)
    printed = re.findall(r"^\[2:right\] (.*)$", m.output[:head.start()], re.M)
    assert replay[:len(printed)] == printed, (replay, printed)
    assert replay[0].startswith("guest: hello from vm2")
    assert rounds("\n".join("[2:right] " + r for r in replay), 2, "right")[-1] >= 2

    # Back to left: only what left printed while right had the focus is replayed.
    for _ in range(3):
        wait_round(m, 1, "left")
    m.send("\x1d1")
    m.expect(r"\[axvm\] console: input goes to \[1:left\]\n", STEP_TIMEOUT)
    head2 = m.expect(r"\[axvm\] console: \[1:left\] printed while out of focus:\n")
    end2 = m.expect(r"\[axvm\] console: end of \[1:left\]'s history\n")
    replay2 = rounds(m.output[head2.end():end2.start()].replace("[1:left]< ", "[1:left] "),
                     1, "left")
    between = rounds(m.output[end.end():head2.start()], 1, "left")
    # (Its lines printed during right's replay, between the two, belong to the replay too.)
    assert len(between) >= 3 and set(between) <= set(replay2), (replay2, between)
    assert replay2 == list(range(replay2[0], replay2[0] + len(replay2))), replay2
    assert "hello from vm1" not in m.output[head2.end():end2.start()]

    # log right: its whole recent output, from its hello on.
    command(m, "log right")
    head3 = m.expect(r"\[axvm\] console: \[2:right\] recent output:\n")
    end3 = m.expect(r"\[axvm\] console: end of \[2:right\]'s history\n")
    text = m.output[head3.end():end3.start()]
    assert text.startswith("[2:right]< guest: hello from vm2"), text[:200]
    logged = rounds(text.replace("[2:right]< ", "[2:right] "), 2, "right")
    assert logged == list(range(1, len(logged) + 1)) and len(logged) >= 3


@pytest.mark.parametrize("arch", ARCHES)
def test_shared_memory_ping_pong(boot, arch):
    """Two VMs map one [[shmem]] region (tests/configs/<arch>/shmem.toml) and ping-pong 1,000
    messages through it, each payload checked word by word on both sides; each side sleeps until
    its doorbell interrupt (its own number from the config) says the next one came, and takes
    exactly one interrupt per message. A third VM maps it read-only, reads it and writes it: it
    is stopped (its config says on_bad_access = "stop") with the region named, and the other
    two finish undisturbed."""
    m = boot(arch, config="shmem",
             allow=[r"\[axvm\] error: vm3 \(reader\) vcpu0: write to read-only shared region ring"])
    m.expect(r"\[axvm\] shmem ring: 4 KiB shared by 3 VMs", BOOT_TIMEOUT)
    irqs = {"aarch64": (40, 41), "riscv64": (5, 6), "x86_64": (5, 10)}[arch]
    for vm, name, role in ((1, "ping", "sending"), (2, "pong", "answering")):
        m.pos = 0
        m.expect(live(vm, name) + r"shmem: region ring at 0x[0-9a-f]+ \(4 KiB\), doorbell "
                 rf"interrupt {irqs[vm - 1]}, {role} 1000 messages", BOOT_TIMEOUT)
    m.pos = 0
    # Each side was rung once per message (AXVM_HC_SHMEM_RING) and took one interrupt for it.
    m.expect(live(2, "pong") + r"shmem: 1000 messages answered, every payload ok, 1000 doorbell "
             r"interrupts taken, 1000 doorbell rings received\n", BOOT_TIMEOUT)
    m.pos = 0
    m.expect(live(1, "ping") + r"shmem: 1000 messages sent and answered, every payload ok, "
             r"1000 doorbell interrupts taken, 1000 doorbell rings received\n", BOOT_TIMEOUT)
    m.pos = 0
    ro = m.expect(live(3, "reader") + r"shmem: read-only region at 0x([0-9a-f]+) reads \d+; "
                  r"writing it\n", BOOT_TIMEOUT).group(1)
    m.expect(r"\[axvm\] error: vm3 \(reader\) vcpu0: write to read-only shared region ring: "
             rf"address 0x0*{ro}, guest pc 0x[0-9a-f]+; stopping the VM", BOOT_TIMEOUT)
    m.expect(r"\[axvm\] vm3 \(reader\): stopped \(fault\)", BOOT_TIMEOUT)
    m.expect(r"\[axvm\] all VMs have stopped: powering off", BOOT_TIMEOUT)
    assert "MISMATCH" not in m.output and "FAILED" not in m.output
    assert "STILL RUNNING" not in m.output
    assert "unhandled exception" not in m.output
    assert m.wait_exit(30) == 0


@pytest.mark.parametrize("arch", ARCHES)
def test_read_only_shared_write_faults(boot, arch):
    """A VM maps a region read-only and writes it with on_bad_access at its default, "fault"
    (tests/configs/<arch>/shmem-ro.toml): the hypervisor names the region in one warning, the
    guest gets what the hardware gives (AArch64 a data abort, RISC-V a store access fault, x86
    a write that goes nowhere), the region keeps what it held, and the VM runs on to its own
    shutdown."""
    m = boot(arch, config="shmem-ro",
             allow=[r"\[axvm\] warning: vm2 \(reader\) vcpu0: write to read-only shared region"])
    ro = m.expect(live(2, "reader") + r"shmem: read-only region at 0x([0-9a-f]+) reads (\d+); "
                  r"writing it\n", BOOT_TIMEOUT)
    addr, value = ro.group(1), ro.group(2)
    m.expect(r"\[axvm\] warning: vm2 \(reader\) vcpu0: write to read-only shared region ring: "
             rf"address 0x0*{addr}, guest pc 0x[0-9a-f]+; the guest gets a fault", BOOT_TIMEOUT)
    if arch == "x86_64":
        m.expect(live(2, "reader") + rf"shmem: the write was dropped; the region still reads "
                 rf"{value}\n", BOOT_TIMEOUT)
    else:
        # ESR_EL1 EC 0x25 (data abort, same EL) / scause 7 (store access fault), at the address.
        cause = {"aarch64": r"0x96[0-9a-f]{6}", "riscv64": r"0x7"}[arch]
        m.expect(live(2, "reader") + rf"shmem: the write faulted \(cause {cause}, address "
                 rf"0x0*{addr}\); the region still reads {value}\n", BOOT_TIMEOUT)
    m.expect(r"\[axvm\] vm2 \(reader\): stopped \(shutdown\)", BOOT_TIMEOUT)
    m.expect(r"\[axvm\] all VMs have stopped: powering off", BOOT_TIMEOUT)
    assert "STILL RUNNING" not in m.output and "FAILED" not in m.output
    assert "unhandled exception" not in m.output
    assert m.wait_exit(30) == 0
