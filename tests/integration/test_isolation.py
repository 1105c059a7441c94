# SPDX-License-Identifier: MIT
"""Isolation of guest-owned CPU state between VMs that share a pCPU.

tests/configs/<arch>/fpcanary.toml puts two VMs on pCPU 1, where they take turns by time
slices. Each runs the bare-metal guest's FP canary (guests/baremetal/fpcanary.c): it checks that
its FP/SIMD registers start in the reset state (nothing the other VM left), then every round
fills every FP/SIMD data and control register (q0-q31, FPCR, FPSR / f0-f31, fcsr / xmm0-xmm15,
MXCSR) with a pattern of its VM id and round, makes 16 exits (hypercalls and emulated UART
status reads), spins (every 16th round until the other VM's slice has passed), and reads every
register back. It prints "fpcanary: ok" only when every check read back what it should; a
hypervisor that does not switch FP/SIMD state between vCPUs shows one VM's pattern in the other
("fpcanary: MISMATCH reg ...", "fpcanary: FAILED ...").
"""
import re

import pytest

from conftest import ARCHES

BOOT_TIMEOUT = 60
RUN_TIMEOUT = 120
ROUNDS = 2000  # fpcanary=2000 in the configs
EXITS_PER_ROUND = 16
# Every FP/SIMD data and control register the architecture gives a guest at this level.
REGISTERS = {
    "aarch64": "q0-q31, fpcr, fpsr",
    "riscv64": "f0-f31, fcsr",
    "x86_64": "xmm0-xmm15, mxcsr",
}


def canary_result(m, arch, vm):
    """The VM's final canary line: the ok marker's numbers, or the test fails with the
    mismatches the guest reported."""
    m.pos = 0  # the two VMs interleave: search each from the start
    m.expect(rf"\[{vm}:canary{vm}\] fpcanary: vm{vm} checks {REGISTERS[arch]} for {ROUNDS} rounds",
             BOOT_TIMEOUT)
    end = m.expect(rf"\[{vm}:canary{vm}\] fpcanary: (ok|FAILED)[^\n]*\n", RUN_TIMEOUT)
    if end.group(1) != "ok":
        bad = [ln for ln in m.output.splitlines() if re.search(r"fpcanary: (MISMATCH|FAILED)", ln)]
        pytest.fail(f"vm{vm}'s FP/SIMD registers changed under it:\n" + "\n".join(bad))
    ok = re.match(r".*fpcanary: ok (\d+) rounds, (\d+) exits, (\d+) rounds preempted",
                  end.group(0))
    return end.start(), int(ok.group(1)), int(ok.group(2)), int(ok.group(3))


@pytest.mark.parametrize("arch", ARCHES)
def test_fp_simd_registers_stay_with_their_vm_across_exits_and_time_slices(boot, arch):
    m = boot(arch, config="fpcanary")
    m.expect(r"\[axvm\] vm1 \(canary1\): boot #1, 1 vCPU on pCPU 1,", BOOT_TIMEOUT)
    m.expect(r"\[axvm\] vm2 \(canary2\): boot #1, 1 vCPU on pCPU 1,")
    done = {vm: canary_result(m, arch, vm) for vm in (1, 2)}
    for vm, (_, rounds, exits, preempted) in done.items():
        assert rounds == ROUNDS
        assert exits == ROUNDS * EXITS_PER_ROUND
        # Patterns were live while the other VM ran, not only across exits: every 16th round
        # waits for the other VM's slice, so most of those saw a gap in their counter (the last
        # few may come after the other VM has finished).
        assert preempted >= ROUNDS // 16 // 2, f"vm{vm}: only {preempted} rounds were preempted"
        m.pos = 0
        stop = m.expect(rf"\[axvm\] vm{vm} \(canary{vm}\): stopped \(shutdown\) after (\d+) exits",
                        RUN_TIMEOUT)
        assert int(stop.group(1)) >= exits
    # The two ran side by side on the one pCPU: each was part-way while the other finished.
    for vm, other in ((1, 2), (2, 1)):
        m.pos = 0
        part = m.expect(rf"\[{vm}:canary{vm}\] fpcanary: round 500 ok")
        assert part.start() < done[other][0], f"vm{vm} only started after vm{other} finished"
    m.expect(r"\[axvm\] all VMs have stopped: powering off", BOOT_TIMEOUT)
    assert m.wait_exit(30) == 0
    assert "MISMATCH" not in m.output
