# SPDX-License-Identifier: MIT
"""The boot-time config check (kernel/config_check.c) with what x86_64 learns at boot: the host's
local APIC and the MADT's I/O APICs (arch/x86_64/setup.c), which no passthrough range may cover.

The build-time check already refuses a passthrough range over the I/O APIC, from the board's
description (tests/configs/bad/passthrough-over-ioapic.toml). Here the image is built as from a
board description that forgot the I/O APIC: the build lets the config through, and only the
hypervisor's own knowledge of the machine can refuse the VM.
"""
import os
import re
import shutil
import subprocess
import sys

import machine
from machine import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import vmconfig  # noqa: E402

FIXTURE = "tests/configs/bad/passthrough-over-ioapic.toml"
NAME = "boot-check-ioapic"  # built into machine.image_dir("x86_64", NAME)
GUEST = "build/guests/baremetal/x86_64/guest.elf"
IOAPIC = 0xfec00000
BOOT_TIMEOUT = 90


def build_with_the_ioapic_unknown(monkeypatch):
    """Generate the config's C with the board's facts minus the I/O APIC, then build the image
    from it; make's -o keeps it from checking the config again against the whole board."""
    monkeypatch.chdir(ROOT)
    build = os.path.relpath(machine.image_dir("x86_64", NAME), ROOT)
    # The fixture's images are the fixture itself (the checker's unit test builds nothing):
    # here both VMs run the bare-metal test guest.
    config = f"{build}/boot-check-ioapic.toml"
    # From scratch: make's -o below also keeps it from rebuilding on a changed vmconfig.c.
    shutil.rmtree(ROOT / build, ignore_errors=True)
    os.makedirs(ROOT / build)
    text = (ROOT / FIXTURE).read_text().replace(f'image = "{FIXTURE}"\nload_address = 0x0',
                                                 f'image = "{GUEST}"')
    assert text.count(GUEST) == 2, text
    (ROOT / config).write_text(text)
    facts = vmconfig.machine_facts("x86_64")
    devices = [d for d in facts["devices"] if d["base"] != IOAPIC]
    assert len(devices) == len(facts["devices"]) - 1, facts["devices"]
    facts["devices"] = devices
    checker = vmconfig.Checker(config, "x86_64", facts)
    vms = checker.load()  # accepted: the build knows of no I/O APIC
    vmconfig.generate(vms, config, ROOT / build / "gen", checker.shmem)
    r = subprocess.run(["make", "--no-print-directory", "-j2", "ARCH=x86_64", f"CONFIG={config}",
                        f"BUILD={build}", "-o", "check-config", "-o", f"{build}/gen/vmconfig.c",
                        "-o", f"{build}/gen/vmimages.S", f"{build}/axvm.efi"],
                       cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    return config


def test_passthrough_over_the_host_ioapic_is_refused_at_boot(boot, monkeypatch):
    config = build_with_the_ioapic_unknown(monkeypatch)
    refusal = (r"vm 1 \(pt\): passthrough\[0\]: pages 0xfec00000-0xfec01000 cover the "
               r"hypervisor's own device at 0xfec00000-0xfec01000")
    m = boot("x86_64", config=NAME, allow=[refusal])
    m.expect(rf"\[axvm\] error: {re.escape(config)}: {refusal}; not started", BOOT_TIMEOUT)
    m.expect(r"\[axvm\] 1 of 2 VMs started")
    m.expect(r"\[2:left\] guest: all checks passed", BOOT_TIMEOUT)
    m.expect(r"\[axvm\] all VMs have stopped: powering off", BOOT_TIMEOUT)
    assert "[1:pt]" not in m.output
    assert m.wait_exit(30) == 0
