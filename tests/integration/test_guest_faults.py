# SPDX-License-Identifier: MIT
"""What a guest sees where real hardware would give it something (issue 9, "Emulation details").

tests/configs/<arch>/faults.toml runs the bare-metal guest's fault checks
(guests/baremetal/faults.c, each architecture's list in guests/baremetal/arch/<arch>/faults.c).
Each check prints "faults: <name> ok: <what it saw>" only when the guest saw what the hardware
gives, else "faults: <name> FAILED: ...". The test asserts every check's line with the values in
it, the hypervisor's one warning per 64 KiB range the guest touched with nothing behind it, and
that the VM was never stopped: it shuts itself down and the machine powers off cleanly.

- An access to an address with no memory and no device: AArch64 a synchronous external abort
  taken by the guest's own EL1 vector (VBAR_EL1 + 0x200, ESR_EL1 0x96000010 for a load,
  0x96000050 for a store, 0x86000010 for a fetch, FAR_EL1 the address; from EL0 through
  VBAR_EL1 + 0x400 with 0x92000010 and the program's virtual address); RISC-V an access fault in
  its own trap handler (scause 5, 7, 1, stval the address); x86 all ones for a read, nothing for
  a write. A hypervisor that stops the VM instead (axvm before d9e46e4, or on_bad_access =
  "stop") never prints these lines.
- Narrow stores to emulated registers: on AArch64 a byte store of 0xff01 to the vGIC's
  GICD_ISENABLER1 enables SPI 32 alone (nine SPIs when the value is not masked to the width), a
  byte load returns that byte alone; on RISC-V and x86 byte accesses to a 16550's scratch
  register; on x86 port accesses straddling COM1's last port, which used to stop the VM.
- RISC-V: hpmcounter3 read from S- and U-mode is an illegal instruction in the guest (scause 2,
  stval the instruction), where a virtual-instruction exception used to stop the VM.
- AArch64: both EL1 timers' interrupts arrive (the physical timer's, INTID 30, never did), once,
  and follow the timer's condition as a level: a timer disabled while its interrupt waits
  behind masked IRQs is taken back (the virtual timer's used to be latched like an edge), one
  its handler masks with IMASK stops interrupting (it kept interrupting at every exit before
  f5cbde6), and one its handler re-arms is heard again without the guest making exits.
"""
import re

import pytest

from conftest import ARCHES

BOOT_TIMEOUT = 60
RUN_TIMEOUT = 60
HEX = r"0x[0-9a-f]+"
GIB = 1 << 30
EL0_ALIAS = 511 * GIB  # where the AArch64 guest maps its GiB again for EL0 (arch/aarch64/faults.c)

# Each architecture's checks in the order the guest runs them, and what each must report.
# {data} and {code} are the addresses with nothing behind them the guest chose, {data8} the
# store's (in the same 64 KiB range as the load), {el0} the EL0 load's virtual address.
CHECKS = {
    "aarch64": [
        ("byte store", r"GICD_ISENABLER1 0x0, 0x1 after strb 0xff01, 0x20001 after strh "
                       r"0xffff0002 at \+2; ISENABLER2 0x0; ldrb 0x1"),
        ("virtual timer interrupt", r"INTID 27 taken 1 time\(s\), 0 more after disabling; "
                                    r"masked: pending, then taken back \(0 taken\); 0 other IRQs"),
        ("physical timer interrupt", r"INTID 30 taken 1 time\(s\), 0 more after disabling; "
                                     r"masked: pending, then taken back \(0 taken\); 0 other IRQs"),
        ("virtual timer masked by IMASK",
         r"INTID 27 taken 1 time\(s\), 0 more while masked by IMASK"),
        ("physical timer masked by IMASK",
         r"INTID 30 taken 1 time\(s\), 0 more while masked by IMASK"),
        ("virtual timer re-armed", r"INTID 27 taken 5 time\(s\), re-armed by its handler 4 times"),
        ("physical timer re-armed", r"INTID 30 taken 5 time\(s\), re-armed by its handler 4 times"),
        ("load abort", rf"esr=0x96000010 far={{data}} elr={HEX} via VBAR\+0x200 spsr={HEX}"),
        ("store abort", rf"esr=0x96000050 far={{data8}} elr={HEX} via VBAR\+0x200 spsr={HEX}"),
        ("fetch abort", r"esr=0x86000010 far={code} elr={code} via VBAR\+0x200 spsr=" + HEX),
        # At EL0 through the guest's alias of the GiB in its last level-1 entry: FAR is that
        # virtual address, not the guest-physical one.
        ("EL0 load abort", rf"esr=0x92000010 far={{el0}} elr={HEX} via VBAR\+0x400 spsr=0x3c0"),
    ],
    "riscv64": [
        ("byte store", r"UART scratch register after sb 0x1122334455667788: lbu 0x88, "
                       r"lb 0xffffffffffffff88"),
        # The instruction's register is the compiler's choice; the guest checks stval against
        # the instruction itself.
        ("counter read from S-mode", rf"scause=2 stval=0xc0302[0-9a-f]+ sepc={HEX} from S-mode"),
        ("counter read from U-mode", rf"scause=2 stval=0xc03025f3 sepc={HEX} from U-mode"),
        ("load access fault", rf"scause=5 stval={{data}} sepc={HEX} from S-mode"),
        ("store access fault", rf"scause=7 stval={{data8}} sepc={HEX} from S-mode"),
        ("fetch access fault", r"scause=1 stval={code} sepc={code} from S-mode"),
    ],
    "x86_64": [
        ("byte store", r"UART scratch register after movb: movzbq 0x88, movsbq "
                       r"0xffffffffffffff88, movb into rax 0x1122334455667788"),
        ("port straddle", r"inl at LSR 0xffa5b060; scratch 0xc3 after outw 0x12c3, "
                          r"port 0x400 reads 0xff"),
        ("load from nothing", r"movq 0xffffffffffffffff, movl 0xffffffff from {data}"),
        ("store to nothing", r"movq 0x5a5a5a5a5a5a5a5a to {data8} reads back 0xffffffffffffffff"),
    ],
}

# The hypervisor's warning for each range the guest touched: its first access there.
WARNINGS = {
    "aarch64": [("read from an address with no memory or device", "data"),
                ("instruction fetch from an address with no memory", "code")],
    "riscv64": [("read from an address with no memory or device", "data"),
                ("instruction fetch from an address with no memory", "code")],
    "x86_64": [("read from an address with no memory or device", "data")],
}


def probe_addresses(m):
    """The addresses the guest probes, from its first line."""
    probe = m.expect(rf"\[1:faults\] faults: probing ({HEX}) \(data\) and ({HEX}) \(code\), "
                     rf"nothing below ({HEX})\n", BOOT_TIMEOUT)
    data, code, top = (int(g, 16) for g in probe.groups())
    assert data >= top and code >= top and (data >> 16) != (code >> 16)
    el0 = data + 16 + EL0_ALIAS - (data & ~(GIB - 1))
    return {"data": f"{data:#x}", "data8": f"{data + 8:#x}", "code": f"{code:#x}",
            "el0": f"{el0:#x}"}


def expect_check(m, name, detail):
    """The check's line; the test fails with the guest's own account when it did not pass."""
    line = m.expect(rf"\[1:faults\] faults: {re.escape(name)} (ok|FAILED): ([^\n]*)\n",
                    RUN_TIMEOUT)
    assert line.group(1) == "ok", f"{name}: {line.group(2)}"
    assert re.fullmatch(detail, line.group(2)), f"{name}: {line.group(2)!r} !~ {detail!r}"


@pytest.mark.parametrize("arch", ARCHES)
def test_guest_sees_faults_and_registers_as_hardware_gives_them(boot, arch):
    m = boot(arch, config="faults")
    m.expect(r"\[axvm\] vm1 \(faults\): boot #1, 1 vCPU on pCPU 1,", BOOT_TIMEOUT)
    where = probe_addresses(m)
    checks = CHECKS[arch]
    for name, detail in checks:
        expect_check(m, name, detail.format(**where))
    m.expect(rf"\[1:faults\] faults: all {len(checks)} checks ok\n", RUN_TIMEOUT)
    m.expect(r"\[axvm\] vm1 \(faults\): stopped \(shutdown\)", RUN_TIMEOUT)
    m.expect(r"\[axvm\] all VMs have stopped: powering off", RUN_TIMEOUT)
    assert m.wait_exit(30) == 0

    # One warning per 64 KiB range, at the first access there: the store after the load in the
    # same range is not logged again.
    warnings = re.findall(r"\[axvm\] warning: vm1 \(faults\) vcpu0: ([^:\n]+): address "
                          r"(0x[0-9a-f]+), guest pc 0x[0-9a-f]+; the guest gets a fault\n",
                          m.output)
    assert warnings == [(what, where[key]) for what, key in WARNINGS[arch]]
    assert len(re.findall(r"\[axvm\] warning:", m.output)) == len(WARNINGS[arch])
    assert "stopping the VM" not in m.output
    assert "FAILED" not in m.output

