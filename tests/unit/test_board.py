# SPDX-License-Identifier: MIT
"""Board descriptions (boards/*.toml, scripts/board.py) and the config checker judging against
them."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import board  # noqa: E402
import qemu  # noqa: E402
import vmconfig  # noqa: E402


@pytest.mark.parametrize("name", board.names())
def test_every_board_loads_with_its_ram_and_default_config(name):
    b = board.load(name)
    assert b["cpus"]["count"] >= 1
    facts = vmconfig.machine_facts(b["arch"], name)
    assert facts["ram"] == sum(vmconfig.parse_size(r["size"], "x") for r in b["ram"])
    assert (ROOT / b["config"]).is_file()


@pytest.mark.parametrize("name", [n for n in board.names() if "qemu" in board.load(n)])
def test_a_qemu_board_describes_the_machine_qemu_runs(name, monkeypatch):
    b = board.load(name)
    monkeypatch.setenv("AXVM_BOARD", name)
    cfg = qemu.machine_config(b["arch"])
    assert int(cfg["smp"]) == b["cpus"]["count"]
    assert vmconfig.parse_size(cfg["memory"], "x") == sum(
        vmconfig.parse_size(r["size"], "x") for r in b["ram"])
    gic = {"gicv2": "gic-version=2", "gicv3": "gic-version=3"}.get(b["irqchip"]["type"])
    if gic:
        assert gic in cfg["machine"]
        assert gic in cfg["boot"]["disk"]["machine"]


def test_each_architecture_runs_on_its_qemu_board_unless_axvm_board_says(monkeypatch):
    monkeypatch.delenv("AXVM_BOARD", raising=False)
    assert board.selected("aarch64") == "qemu-virt-aarch64"
    assert board.build_name("qemu-virt-aarch64") == "aarch64"
    monkeypatch.setenv("AXVM_BOARD", "qemu-virt-aarch64-gicv2")
    assert board.selected("aarch64") == "qemu-virt-aarch64-gicv2"
    assert board.selected("riscv64") == "qemu-virt-riscv64"  # another arch's board: ignored
    assert board.build_name("qemu-virt-aarch64-gicv2") == "qemu-virt-aarch64-gicv2"
    monkeypatch.setenv("AXVM_BOARD", "rpi4")
    with pytest.raises(ValueError, match="rpi4 .* has no QEMU machine"):
        qemu.machine_config("aarch64")


def test_the_pi4_board_says_what_its_device_tree_says():
    # The same facts tests/unit/test_dt.c reads from bcm2711-rpi-4-b.dtb.
    b = board.load("rpi4")
    assert b["cpus"]["start"] == "spin-table"
    assert b["cpus"]["release_addrs"] == [0xd8, 0xe0, 0xe8, 0xf0]
    assert [(r["base"], r["size"]) for r in b["ram"]] == [(0, 0x3b400000),
                                                          (0x40000000, 0xbc000000)]
    assert (b["console"]["uart"], b["console"]["base"], b["console"]["irq"]) == (
        "bcm2835-aux", 0xfe215040, 125)
    gic = b["irqchip"]
    assert (gic["type"], gic["gicd"], gic["gicc"], gic["gich"], gic["gicv"]) == (
        "gicv2", 0xff841000, 0xff842000, 0xff844000, 0xff846000)


def test_a_riscv_board_without_the_h_extension_is_refused(tmp_path, monkeypatch):
    # As the VisionFive 2's U74 harts (rv64imafdc): no H, no hypervisor.
    src = (ROOT / "boards" / "qemu-virt-riscv64.toml").read_text()
    (tmp_path / "vf2.toml").write_text(src.replace('isa = "rv64imafdch"', 'isa = "rv64imafdc"'))
    monkeypatch.setattr(board, "BOARDS", tmp_path)
    with pytest.raises(board.BoardError, match=r"boards/vf2.toml: its harts have no H "
                       r"extension \(riscv,isa 'rv64imafdc'\): no hypervisor can run on them"):
        board.load("vf2")
    (tmp_path / "h.toml").write_text(src.replace('isa = "rv64imafdch"',
                                                 'isa = "rv64imac_zicsr_h"'))
    assert board.load("h")["arch"] == "riscv64"


# A VM with nothing but an interrupt controller of the given type, its image a small ELF from
# the checker's fixtures: no guest needs building for the unit tests.
def gic_vm_config(tmp_path, gic):
    path = tmp_path / f"{gic}.toml"
    path.write_text(f"""[[vm]]
id = 1
name = "g"
vcpus = 1
cpu_affinity = [1]
image = "{ROOT / 'tests/configs/bad/images/good.elf'}"
  [[vm.memory]]
  base = 0x40000000
  size = "16M"
  [[vm.device]]
  type = "{gic}"
  base = 0x08000000
""")
    return path


def test_an_interrupt_controller_of_the_other_gic_version_is_refused(tmp_path):
    with pytest.raises(vmconfig.ConfigError, match=r"device\[0\]\.type: gicv3: the board's "
                       r"interrupt controller is a gicv2 \(qemu-virt-aarch64-gicv2\): a VM here "
                       r"can have a gicv2 device, not a gicv3"):
        vmconfig.run("check", gic_vm_config(tmp_path, "gicv3"), "aarch64",
                     board_name="qemu-virt-aarch64-gicv2")
    with pytest.raises(vmconfig.ConfigError, match=r"gicv2: the board's interrupt controller "
                       r"is a gicv3"):
        vmconfig.run("check", gic_vm_config(tmp_path, "gicv2"), "aarch64")


def test_make_refuses_an_unknown_board_and_a_board_of_another_arch():
    r = subprocess.run(["make", "--no-print-directory", "BOARD=nope"], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "BOARD=nope: no such board" in r.stderr
    r = subprocess.run(["make", "--no-print-directory", "BOARD=rpi4", "ARCH=riscv64"],
                       cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "BOARD=rpi4 is an aarch64 board, not ARCH=riscv64" in r.stderr
