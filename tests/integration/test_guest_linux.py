# SPDX-License-Identifier: MIT
"""The Linux test guests (`make guests`) on bare QEMU, without the hypervisor: the baseline that
tells a guest problem from a hypervisor problem. Each guest's init checks itself and prints
AXVM-GUEST-OK; a kernel panic, oops or BUG fails the test at once (machine.FAILURE_PATTERNS)."""
import re

import pytest

import machine
import qemu
from conftest import ARCHES

SMP = 2
# TCG boots these kernels in 1-2 s when the host is idle; allow for a busy, shared host.
BOOT_TIMEOUT = 90


@pytest.fixture
def guest(machines, tmp_path):
    """guest(arch, append=..., smp=...) boots build/guests/<arch>/ on bare QEMU."""

    def start(arch, append="", smp=SMP):
        for name in (qemu.machine_config(arch)["guest"]["kernel"], "initramfs.cpio.gz"):
            path = machine.ROOT / "build" / "guests" / arch / name
            if not path.exists():
                pytest.fail(f"{path} is missing: run `make guests`")
        cmd = qemu.guest_command(arch, append=append, smp=smp)
        m = machine.Machine(cmd, tmp_path / f"guest{len(machines)}.log")
        machines.append(m)
        return m

    return start


def expect_checks_pass(m, arch, smp):
    m.expect(r"Linux version 6\.12\.\d+", timeout=BOOT_TIMEOUT)
    m.expect(r"Run /init as init process", timeout=BOOT_TIMEOUT)
    m.expect(rf"init: kernel 6\.12\.\d+ {arch}\n", timeout=BOOT_TIMEOUT)
    m.expect(rf"init: cpus online {smp}\n")
    marker = m.expect(r"\n(AXVM-GUEST-OK|AXVM-GUEST-FAIL)\n", timeout=BOOT_TIMEOUT).group(1)
    assert marker == "AXVM-GUEST-OK", f"the guest's self-checks failed\n{m.tail()}"
    # The work really ran on every CPU (the init checks that each worker ran where pinned).
    assert re.search(rf"\ninit: every cpu ok: {smp} workers, one pinned to each cpu", m.output)


@pytest.mark.parametrize("arch", ARCHES)
def test_guest_checks_pass_and_powers_off(guest, arch):
    m = guest(arch, append="axvm.after=poweroff")
    expect_checks_pass(m, arch, SMP)
    m.expect(r"init: powering off")
    assert m.wait_exit(timeout=60) == 0


@pytest.mark.parametrize("arch", ARCHES)
def test_guest_shell(guest, arch):
    """The default is an interactive shell: busybox sh, or the init's own on riscv64."""
    m = guest(arch)
    expect_checks_pass(m, arch, SMP)
    m.expect(r"init: starting (busybox sh|the built-in shell)")
    m.expect(r"axvm# ", timeout=BOOT_TIMEOUT)
    m.send("cat /proc/version\n")
    m.expect(r"\nLinux version 6\.12\.\d+")
    m.expect(r"axvm# ")
    m.send("poweroff\n")
    m.expect(r"reboot: Power down", timeout=60)
    assert m.wait_exit(timeout=60) == 0
