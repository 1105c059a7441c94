# SPDX-License-Identifier: MIT
"""Secondary CPUs started through the spin table, as on a Raspberry Pi 4 with its stock
armstub: QEMU virt with secure=on runs every CPU from tests/integration/armstub/armstub.S at
EL3 (and offers no PSCI), the device tree names each CPU's enable-method = "spin-table" and
cpu-release-addr, and axvm must start the CPUs by writing their entry point there. On the
board the tests run on (its GIC: GICv3, or GICv2 with the Security Extensions like the Pi's
GIC-400, whose interrupts the stub hands to the Non-secure side)."""
import re
import subprocess

import machine
from machine import board
import qemu

RELEASE_BASE = 0x40100000
CONFIG = "pair"


def build_armstub(tmp_path):
    elf, binary = tmp_path / "armstub.elf", tmp_path / "armstub.bin"
    subprocess.run(["aarch64-linux-gnu-gcc", "-nostdlib", "-static", "-Wl,-Ttext=0",
                    "-Wl,--build-id=none", "-o", str(elf),
                    str(machine.ROOT / "tests/integration/armstub/armstub.S")], check=True)
    subprocess.run(["aarch64-linux-gnu-objcopy", "-O", "binary", str(elf), str(binary)],
                   check=True)
    return binary


def spin_table_dtb(base_cmd, tmp_path):
    """QEMU's own device tree for this machine, with what the Pi firmware's says of its CPUs:
    a spin table, its page kept by /memreserve/."""
    raw, dts, out = tmp_path / "qemu.dtb", tmp_path / "spin.dts", tmp_path / "spin.dtb"
    cmd = list(base_cmd)
    cmd[cmd.index("-M") + 1] += f",dumpdtb={raw}"
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)
    text = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", str(raw)], check=True,
                          capture_output=True, text=True).stdout
    assert "psci" not in text  # QEMU leaves PSCI to a machine's own secure firmware

    def spin(m):
        n = int(m.group(1), 16)
        return (f"{m.group(0)}\n\t\t\tenable-method = \"spin-table\";\n"
                f"\t\t\tcpu-release-addr = <0x0 {RELEASE_BASE + 8 * n:#x}>;")
    text, count = re.subn(r"cpu@([0-9a-f]+) \{", spin, text)
    assert count == 4
    text = text.replace("/dts-v1/;", f"/dts-v1/;\n/memreserve/ {RELEASE_BASE:#x} 0x1000;", 1)
    dts.write_text(text)
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", str(out), str(dts)], check=True)
    return out


def test_secondaries_start_through_the_spin_table_without_psci(machines, tmp_path):
    cfg = qemu.machine_config("aarch64")
    stub = build_armstub(tmp_path)
    base = [cfg["binary"], "-M", cfg["machine"] + ",secure=on", "-cpu", cfg["cpu"], "-smp", "4",
            "-m", cfg["memory"], "-no-reboot", "-display", "none", "-bios", str(stub)]
    dtb = spin_table_dtb(base, tmp_path)
    image = machine.image_dir("aarch64", CONFIG) / "axvm.bin"
    cmd = base + ["-serial", "stdio", "-monitor", "none", "-dtb", str(dtb),
                  "-device", f"loader,file={image},addr=0x40200000"]
    m = machine.Machine(cmd, tmp_path / "serial.log")
    machines.append(m)
    gic = {"gicv2": "GICv2", "gicv3": "GICv3"}[
        board.load(board.selected("aarch64"))["irqchip"]["type"]]
    m.expect(r"\[axvm\] firmware no PSCI \(spin table\), 4 CPUs", 60)
    m.expect(rf"\[axvm\] interrupt controller {gic} at 0x8000000")
    for n in (1, 2, 3):
        m.expect(rf"\[axvm\] cpu{n} online \(hwid 0x{n}\)", 30)
    m.expect(r"\[axvm\] 4 of 4 CPUs online")
    # The VMs run on the CPUs the spin table started (in either order). Without PSCI nothing
    # can then power the machine off: axvm halts.
    m.expect(r"\[axvm\] all VMs have stopped: powering off", 180)
    for vm in ("1:left", "2:right"):
        assert re.search(rf"\[{vm}\] guest: all checks passed", m.output), vm
