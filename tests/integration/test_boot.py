# SPDX-License-Identifier: MIT
"""The foundation on every architecture: all CPUs up, self-tests, fault dump, clean power-off."""
import pytest

from conftest import ARCHES

SMP = 4


@pytest.mark.parametrize("arch", ARCHES)
def test_boots_all_cpus_and_powers_off(boot, arch):
    m = boot(arch, smp=SMP, append="vms=none")
    m.expect(rf"\[axvm\] axvm \S+ \(\S+\) on {arch}", timeout=30)
    m.expect(rf"\[axvm\] firmware .*, {SMP} CPUs, \d+ MiB RAM, \d+ MiB free")
    m.expect(r"\[axvm\] cpu0 online \(hwid 0x[0-9a-f]+, boot CPU\)")
    for cpu in range(1, SMP):
        m.expect(rf"\[axvm\] cpu{cpu} online \(hwid 0x[0-9a-f]+\)")
    m.expect(rf"\[axvm\] {SMP} of {SMP} CPUs online")
    m.expect(r"\[axvm\] nothing left to run: powering off")
    assert m.wait_exit(timeout=30) == 0


@pytest.mark.parametrize("arch", ARCHES)
def test_frame_allocator_selftest(boot, arch):
    m = boot(arch, append="vms=none selftest=frames")
    m.expect(r"\[axvm\] command line: .*selftest=frames", timeout=30)
    m.expect(r"\[axvm\] selftest frames: ok")
    assert m.wait_exit(timeout=30) == 0


@pytest.mark.parametrize("arch", ARCHES)
def test_string_routines_selftest(boot, arch):
    # Every size, alignment and overlap of the architecture's own memset/memcpy/memmove/memcmp
    # (kernel/string_check.c), run by the hypervisor on itself.
    m = boot(arch, append="vms=none selftest=string")
    m.expect(r"\[axvm\] command line: .*selftest=string", timeout=30)
    m.expect(r"\[axvm\] selftest string: ok", timeout=120)
    assert m.wait_exit(timeout=30) == 0


@pytest.mark.parametrize("arch", ARCHES)
def test_fault_dumps_registers_and_halts_all_cpus(boot, arch):
    m = boot(arch, smp=SMP, append="vms=none selftest=fault",
             allow=[r"EXCEPTION on cpu0", r"system halted"])
    m.expect(rf"{SMP} of {SMP} CPUs online", timeout=30)
    addr = int(m.expect(r"selftest fault: reading unmapped address 0x([0-9a-f]+)").group(1), 16)
    m.expect(r"\[axvm\] error: EXCEPTION on cpu0: ")
    m.expect(rf"pc 0x[0-9a-f]{{16}} fault address 0x0*{addr:x}\b")
    # At least one line of the register dump, whatever the register names are.
    m.expect(r"\[axvm\]\s+(\s*\w+=[0-9a-f]{16}){4}")
    m.expect(rf"system halted: {SMP - 1} of {SMP - 1} other CPUs stopped")


@pytest.mark.parametrize("arch", ARCHES)
def test_panic_halts_all_cpus(boot, arch):
    m = boot(arch, smp=SMP, append="vms=none selftest=panic",
             allow=[r"PANIC on cpu0: selftest panic", r"system halted"])
    m.expect(r"PANIC on cpu0: selftest panic: deliberate", timeout=30)
    m.expect(rf"system halted: {SMP - 1} of {SMP - 1} other CPUs stopped")
