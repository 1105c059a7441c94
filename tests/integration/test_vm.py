# SPDX-License-Identifier: MIT
"""VMs from TOML configs on every architecture: pinned vCPUs, isolation, reboot, SMP guests.

Each test boots an image built from tests/configs/<arch>/<name>.toml (see `make integration`).
The guest prints its markers only after doing the work: "compute ok" after checking a computed
result, "memory ok" after reading back every page it wrote, "smp ok" after combining the second
vCPU's share of the work.
"""
import re
import subprocess

import pytest

from conftest import ARCHES
from machine import ROOT

BOOT_TIMEOUT = 60


def guest_done(m, vm, name, timeout=BOOT_TIMEOUT):
    m.expect(rf"\[{vm}:{name}\] guest: hello from vm{vm} ", timeout)
    m.expect(rf"\[{vm}:{name}\] guest: compute ok: 2262 primes", timeout)


@pytest.mark.parametrize("arch", ARCHES)
def test_two_vms_pinned_to_different_pcpus_both_finish(boot, arch):
    m = boot(arch, config="pair")
    m.expect(r"\[axvm\] vm1 \(left\): boot #1, 1 vCPU on pCPU 1,", BOOT_TIMEOUT)
    m.expect(r"\[axvm\] vm2 \(right\): boot #1, 1 vCPU on pCPU 2,")
    out = {}
    for vm, name in ((1, "left"), (2, "right")):
        m.pos = 0  # the two VMs interleave: search each from the start
        m.expect(rf"\[{vm}:{name}\] guest: hello from vm{vm} \(hypercall ABI 1\), boot 1",
                 BOOT_TIMEOUT)
        m.expect(rf"\[{vm}:{name}\] guest: console hypercall ok")
        m.expect(rf"\[{vm}:{name}\] guest: compute ok: 2262 primes below 20000 \(round 2")
        out[vm] = m.expect(rf"\[{vm}:{name}\] guest: memory ok: (\d+) pages in (\d+) regions")
        m.expect(rf"\[{vm}:{name}\] guest: all checks passed, shutting down")
        m.expect(rf"\[axvm\] vm{vm} \({name}\): stopped \(shutdown\)")
    # "left" has a second, lazily backed region that it touched: the hypervisor filled it.
    assert out[1].group(2) == "2" and out[2].group(2) == "1"
    m.pos = 0
    lazy = m.expect(r"\[axvm\] vm1 \(left\): stopped \(shutdown\) after \d+ exits, (\d+) lazy")
    assert int(lazy.group(1)) == 2 * 1024 * 1024 // 4096
    m.expect(r"\[axvm\] all VMs have stopped: powering off", BOOT_TIMEOUT)
    assert m.wait_exit(30) == 0


@pytest.mark.parametrize("arch", ARCHES)
def test_misbehaving_vm_is_stopped_and_the_other_keeps_running(boot, arch):
    m = boot(arch, config="misbehave",
             allow=[r"\[axvm\] error: vm1 \(bad\) vcpu0: write to an address with no memory"])
    m.expect(r"\[1:bad\] guest: unknown hypercall returned -38", BOOT_TIMEOUT)
    m.pos = 0
    m.expect(r"\[axvm\] warning: vm1 \(bad\) vcpu0: unknown hypercall 30583, returned -ENOSYS")
    # Up to the line end: the VM in focus prints as it goes, so a line can be seen half-done.
    wild = m.expect(r"\[1:bad\] guest: writing outside my memory at 0x([0-9a-f]+)\n").group(1)
    m.expect(r"\[axvm\] error: vm1 \(bad\) vcpu0: write to an address with no memory or device: "
             rf"address 0x0*{wild}, guest pc 0x[0-9a-f]+; stopping the VM")
    stopped = m.expect(r"\[axvm\] vm1 \(bad\): stopped \(fault\)").end()
    # The other VM goes on: some of its rounds come after the bad VM is gone, then it finishes.
    m.expect(r"\[2:steady\] guest: compute ok: 2262 primes below 20000 \(round \d+", BOOT_TIMEOUT)
    m.expect(r"\[2:steady\] guest: compute ok: 2262 primes below 20000 \(round 40,", BOOT_TIMEOUT)
    m.expect(r"\[2:steady\] guest: all checks passed")
    m.expect(r"\[axvm\] vm2 \(steady\): stopped \(shutdown\)")
    assert m.output.rfind("[2:steady] guest: compute ok") > stopped
    assert "STILL RUNNING" not in m.output
    m.expect(r"\[axvm\] all VMs have stopped: powering off")
    assert m.wait_exit(30) == 0


@pytest.mark.parametrize("arch", ARCHES)
def test_reboot_three_times_returns_every_frame(boot, arch):
    m = boot(arch, config="reboot")
    frees = []
    for n in range(1, 5):
        m.expect(rf"\[axvm\] vm1 \(phoenix\): boot #{n}, ", BOOT_TIMEOUT)
        m.expect(rf"\[1:phoenix\] guest: hello from vm1 \(hypercall ABI 1\), boot {n}")
        m.expect(r"\[1:phoenix\] guest: memory ok: \d+ pages in 2 regions")
        why = "reboot" if n < 4 else "shutdown"
        if n < 4:
            m.expect(rf"\[1:phoenix\] guest: rebooting after boot {n} of 4")
        else:
            m.expect(r"\[1:phoenix\] guest: all checks passed, shutting down")
        stop = m.expect(rf"\[axvm\] vm1 \(phoenix\): stopped \({why}\) after \d+ exits, "
                        r"1024 lazy pages; (\d+) frames free")
        frees.append(int(stop.group(1)))
    assert len(set(frees)) == 1, f"free frames after each stop differ: {frees}"
    m.expect(r"\[axvm\] all VMs have stopped: powering off")
    assert m.wait_exit(30) == 0


@pytest.mark.parametrize("arch", ARCHES)
def test_guest_with_two_vcpus_on_two_pcpus(boot, arch):
    m = boot(arch, config="smp")
    m.expect(r"\[axvm\] vm1 \(duo\): boot #1, 2 vCPUs on pCPU 1", BOOT_TIMEOUT)
    m.expect(r"\[axvm\] vm1 \(duo\): vcpu1 started on pCPU 2")
    m.expect(r"\[1:duo\] guest: vcpu1 up")
    m.expect(r"\[1:duo\] guest: smp ok: 2 vCPUs counted 2262 primes together")
    m.expect(r"\[axvm\] vm1 \(duo\): stopped \(shutdown\)")
    assert m.wait_exit(30) == 0


def test_bad_config_fails_the_build_naming_the_field(tmp_path):
    r = subprocess.run(["make", "--no-print-directory", "ARCH=aarch64",
                        "CONFIG=tests/configs/bad/shared-pcpu.toml", f"BUILD={tmp_path}/b"],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode != 0
    assert ("config error: tests/configs/bad/shared-pcpu.toml: vm 'b' (id 2): cpu_affinity[0]: "
            "pCPU 1 is already given to vm 'a'") in r.stderr
    assert not (tmp_path / "b" / "axvm.elf").exists()


@pytest.mark.parametrize("arch", ARCHES)
def test_vm_that_does_not_fit_the_machine_is_refused_at_boot(boot, arch):
    # The pair config pins its second VM to pCPU 2; with only two CPUs that pCPU is missing.
    m = boot(arch, config="pair", smp=2,
             allow=[r"vm 2 \(right\): cpu_affinity\[0\]: pCPU 2 does not exist"])
    m.expect(r"\[axvm\] error: tests/configs/\w+/pair\.toml: vm 2 \(right\): cpu_affinity\[0\]: "
             r"pCPU 2 does not exist \(this machine has 2\); not started", BOOT_TIMEOUT)
    m.expect(r"\[axvm\] 1 of 2 VMs started")
    m.expect(r"\[1:left\] guest: all checks passed", BOOT_TIMEOUT)
    m.expect(r"\[axvm\] all VMs have stopped: powering off", BOOT_TIMEOUT)
    assert "[2:right]" not in m.output
    assert m.wait_exit(30) == 0


@pytest.mark.parametrize("arch", ARCHES)
def test_shared_pcpu_is_time_sliced(boot, arch):
    # "pacer" runs on pCPU 2 for a second or more without returning to the scheduler; without
    # time slices the spinner's second vCPU, started there, would wait for it to finish.
    m = boot(arch, config="share")
    m.expect(r"\[axvm\] vm1 \(spinner\): vcpu1 started on pCPU 2", BOOT_TIMEOUT)
    smp = m.expect(r"\[1:spinner\] guest: smp ok: 2 vCPUs counted 2262 primes together",
                   BOOT_TIMEOUT)
    m.expect(r"\[axvm\] vm1 \(spinner\): stopped \(shutdown\)", BOOT_TIMEOUT)
    last = m.expect(r"\[2:pacer\] guest: compute ok: 2262 primes below 20000 \(round 60,", 120)
    assert smp.start() < last.start()
    m.expect(r"\[axvm\] all VMs have stopped: powering off", BOOT_TIMEOUT)
    assert m.wait_exit(30) == 0


@pytest.mark.parametrize("arch", ARCHES)
def test_vms_sharing_a_pcpu_take_time_slices(boot, arch):
    # Without time slices "quick" would only run once "pacer" had finished all 60 rounds.
    m = boot(arch, config="slices")
    quick = m.expect(r"\[2:quick\] guest: all checks passed", BOOT_TIMEOUT)
    m.pos = 0
    last = m.expect(r"\[1:pacer\] guest: compute ok: 2262 primes below 20000 \(round 60,", 120)
    assert quick.start() < last.start()
    m.expect(r"\[axvm\] all VMs have stopped: powering off", BOOT_TIMEOUT)
    assert m.wait_exit(30) == 0


@pytest.mark.parametrize("arch", ["aarch64", "riscv64"])
def test_vm_spinning_on_hypercalls_answered_in_place_still_shares_its_pcpu(boot, arch):
    # The read-only hypercalls never reach the scheduler (answered in the exception entry): the
    # pCPU's time-slice interrupt must still take "spinner" out, or "quick" on the same pCPU
    # would only run once spinner's 3 s are over. Each call still counts as an exit.
    m = boot(arch, config="hcspin")
    quick = m.expect(r"\[2:quick\] guest: all checks passed", BOOT_TIMEOUT)
    m.pos = 0
    spun = m.expect(r"\[1:spinner\] guest: hcspin: (\d+) hypercalls in 3000 ms, "
                    r"all answered right", BOOT_TIMEOUT)
    assert quick.start() < spun.start()
    exits = m.expect(r"\[axvm\] vm1 \(spinner\): stopped \(shutdown\) after (\d+) exits")
    assert int(exits.group(1)) >= int(spun.group(1)) > 0
    m.expect(r"\[axvm\] all VMs have stopped: powering off", BOOT_TIMEOUT)
    assert "HCSPIN FAILED" not in m.output
    assert m.wait_exit(30) == 0
