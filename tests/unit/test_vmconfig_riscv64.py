# SPDX-License-Identifier: MIT
"""scripts/vmconfig.py for RISC-V VMs: Linux Image placement and the vPLIC's interrupt lines."""
import struct
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import vmconfig  # noqa: E402

MACHINE = {"cpus": 4, "ram": 1 << 30}


def riscv_image(tmp_path):
    img = tmp_path / "Image"
    head = bytearray(64)
    struct.pack_into("<QQ", head, 8, 0x200000, 0x2d8218)  # text_offset, image_size (with BSS)
    head[48:56] = b"RISCV\0\0\0"
    head[56:60] = b"RSC\x05"
    img.write_bytes(bytes(head) + b"\x00" * 4096)
    return img


def config(tmp_path, body):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[[vm]]\nid = 1\nname = "l"\nvcpus = 2\ncpu_affinity = [1, 2]\n' + body)
    return cfg


def test_riscv_image_goes_2mib_aligned_plus_text_offset(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    img = riscv_image(tmp_path)
    cfg = config(tmp_path, f'image = "{img}"\n[[vm.memory]]\nbase = 0x80000000\nsize = "64M"\n')
    (vm,) = vmconfig.Checker(cfg, "riscv64", MACHINE).load()
    assert vm["load_address"] == 0x80200000
    assert vm["entry"] == vm["load_address"]
    # The same bytes are no Image on AArch64 (other magic): there they need a load address.
    with pytest.raises(vmconfig.ConfigError, match="load_address: missing"):
        vmconfig.Checker(cfg, "aarch64", MACHINE).load()
    # Its BSS must fit too, not just the file.
    cfg.write_text(cfg.read_text().replace('"64M"', '"4M"'))
    with pytest.raises(vmconfig.ConfigError, match="too big for its region"):
        vmconfig.Checker(cfg, "riscv64", MACHINE).load()


def test_riscv_image_refuses_a_misplaced_load_address(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    img = riscv_image(tmp_path)
    cfg = config(tmp_path, f'image = "{img}"\nload_address = 0x80100000\n'
                           '[[vm.memory]]\nbase = 0x80000000\nsize = "64M"\n')
    with pytest.raises(vmconfig.ConfigError, match="2 MiB-aligned plus its text_offset"):
        vmconfig.Checker(cfg, "riscv64", MACHINE).load()


DEVICES = ('[[vm.device]]\ntype = "plic"\nbase = 0x0c000000\n'
           '[[vm.device]]\ntype = "ns16550"\nbase = 0x10000000\nirq = {irq}\n')


@pytest.mark.parametrize("irq, error", [
    (10, None),
    (1, None),
    (63, None),
    (0, "interrupt 0 is not one the plic model implements"),
    (64, "interrupt 64 is not one the plic model implements"),
])
def test_plic_lines(tmp_path, monkeypatch, irq, error):
    monkeypatch.chdir(ROOT)
    img = riscv_image(tmp_path)
    cfg = config(tmp_path, f'image = "{img}"\n[[vm.memory]]\nbase = 0x80000000\nsize = "64M"\n'
                 + DEVICES.format(irq=irq))
    if error:
        with pytest.raises(vmconfig.ConfigError, match=error):
            vmconfig.Checker(cfg, "riscv64", MACHINE).load()
    else:
        (vm,) = vmconfig.Checker(cfg, "riscv64", MACHINE).load()
        assert [d["type"] for d in vm["devices"]] == ["plic", "ns16550"]


def test_irq_without_plic(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    img = riscv_image(tmp_path)
    cfg = config(tmp_path, f'image = "{img}"\n[[vm.memory]]\nbase = 0x80000000\nsize = "64M"\n'
                 '[[vm.device]]\ntype = "ns16550"\nbase = 0x10000000\nirq = 10\n')
    with pytest.raises(vmconfig.ConfigError, match="no interrupt controller: add a device of "
                                                   "type plic"):
        vmconfig.Checker(cfg, "riscv64", MACHINE).load()
    # The GIC is not a RISC-V model.
    cfg.write_text(cfg.read_text().replace('type = "ns16550"', 'type = "gicv3"', 1))
    with pytest.raises(vmconfig.ConfigError, match="gicv3 is not available on riscv64"):
        vmconfig.Checker(cfg, "riscv64", MACHINE).load()
