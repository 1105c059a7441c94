# SPDX-License-Identifier: MIT
"""The console's polite stop on every architecture (issue 15).

tests/configs/<arch>/stop.toml: "linux" (1) is asked to power off the way its platform does
(AArch64, RISC-V: the device tree's power-request interrupt on /dev/uioN; x86_64: the ACPI
power button on /dev/input/eventN), which its init hears and powers off; "deaf" (2), a
bare-metal guest with an interrupt controller, is asked too but never answers and is forced off
after its stop_timeout_ms (1500); "quick" (3) has stop_timeout_ms = 0 and is forced off at once.
Each VM's stop leaves the others running (their own rounds go on), and when the VM in focus
stops the focus moves on and replays what the new focus printed while it had not.
"""
import re

import pytest

from conftest import ARCHES

BOOT_TIMEOUT = 120
STEP_TIMEOUT = 30
CMD = "\x1d:"  # Ctrl-] then ':' opens the command line
WATCHING = {"aarch64": r"/dev/uio\d+ \(power-request\)",
            "riscv64": r"/dev/uio\d+ \(power-request\)",
            "x86_64": r"/dev/input/event\d+ \(ACPI power button\)"}


def live(vm, name):
    """A line the VM printed itself (replayed history lines have "]< " instead)."""
    return rf"\[{vm}:{name}\] "


def round_re(vm, name):
    return live(vm, name) + r"guest: compute ok: 2262 primes below 20000 \(round (\d+),"


def rounds(text, vm, name):
    return [int(r) for r in re.findall(round_re(vm, name), text)]


def command(m, line):
    m.send(CMD + line + "\r")
    m.expect(r"\[axvm\] :" + re.escape(line) + r"\n", STEP_TIMEOUT)


def goes_on(m, vm, name, since):
    """The VM keeps computing after output position 'since': two more rounds, in sequence."""
    for _ in range(2):
        m.expect(round_re(vm, name), STEP_TIMEOUT)
    seq = rounds(m.output[since:m.pos], vm, name)
    assert len(seq) >= 2 and seq == list(range(seq[0], seq[0] + len(seq))), seq


@pytest.mark.parametrize("arch", ARCHES)
def test_stop_asks_then_forces(boot, arch):
    m = boot(arch, config="stop")
    m.expect(live(1, "linux") + r"init: waiting for power requests on " + WATCHING[arch],
             BOOT_TIMEOUT)
    m.expect(live(1, "linux") + r"axvm# ", STEP_TIMEOUT)
    for vm, name in ((2, "deaf"), (3, "quick")):
        m.expect(round_re(vm, name), STEP_TIMEOUT)
    mark = m.pos

    # Linux (in focus) is asked, powers itself off; the others go on.
    command(m, "stop linux")
    m.expect(r"\[axvm\] console: asking vm1 \(linux\) to power off; forced off after 5000 ms\n",
             STEP_TIMEOUT)
    # (after the shell's prompt, which was left open on the line)
    m.expect(live(1, "linux") + r"(axvm# )?init: power request, powering off\n", STEP_TIMEOUT)
    stopped = m.expect(r"\[axvm\] vm1 \(linux\): stopped \(powered off by the guest, \d+ ms "
                       r"after it was asked\)", STEP_TIMEOUT).end()
    # The focus moves to "deaf", which shows what it printed meanwhile (out of focus).
    m.expect(r"\[axvm\] console: input goes to \[2:deaf\]\n", STEP_TIMEOUT)
    m.expect(r"\[axvm\] console: \[2:deaf\] printed while out of focus:\n", STEP_TIMEOUT)
    replayed = m.expect(r"\[2:deaf\]< guest: compute ok: 2262 primes below 20000 "
                        r"\(round (\d+),", STEP_TIMEOUT)
    assert int(replayed.group(1)) in rounds(m.output[:mark], 2, "deaf")
    m.expect(r"\[axvm\] console: end of \[2:deaf\]'s history\n", STEP_TIMEOUT)
    goes_on(m, 2, "deaf", stopped)
    goes_on(m, 3, "quick", stopped)
    assert "stopped (forced" not in m.output[mark:stopped]

    # "deaf" ignores the request: forced off after its 1500 ms, computing meanwhile.
    asked = m.pos
    command(m, "stop deaf")
    m.expect(r"\[axvm\] console: asking vm2 \(deaf\) to power off; forced off after 1500 ms\n",
             STEP_TIMEOUT)
    forced = m.expect(r"\[axvm\] vm2 \(deaf\): stopped \(forced after 1500 ms: the guest did "
                      r"not power off\)", STEP_TIMEOUT).end()
    assert rounds(m.output[asked:forced], 2, "deaf"), "deaf stopped computing when asked"
    m.expect(r"\[axvm\] console: input goes to \[3:quick\]\n", STEP_TIMEOUT)
    goes_on(m, 3, "quick", forced)

    # stop_timeout_ms = 0: forced off at once, not asked.
    command(m, "stop quick")
    m.expect(r"\[axvm\] console: stopping vm3 \(quick\): forced off at once "
             r"\(stop_timeout_ms = 0\)\n", STEP_TIMEOUT)
    end = m.expect(r"\[axvm\] vm3 \(quick\): stopped \(forced from the console\)",
                   STEP_TIMEOUT).end()

    # Every VM was stopped from the console: the machine stays on, and none prints any more.
    command(m, "list")
    m.expect(r"\[axvm\] console:  3 quick +stopped ", STEP_TIMEOUT)
    after = m.output[end:m.pos]
    for vm, name in ((1, "linux"), (2, "deaf"), (3, "quick")):
        assert not re.search(live(vm, name), after), after
    assert "powering off" not in after
