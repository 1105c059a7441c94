# SPDX-License-Identifier: MIT
"""scripts/vmconfig.py on x86_64: a Linux bzImage is placed by its header (protected-mode part at
1 MiB, the 32-bit entry), and a device's irq needs the ioapic interrupt controller."""
import struct
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import vmconfig  # noqa: E402

MACHINE = {"cpus": 4, "ram": 1 << 30}


def fake_bzimage(path, setup_sects=27, version=0x020f, init_size=0x1234000):
    img = bytearray(64 * 1024)
    img[0x1f1] = setup_sects
    struct.pack_into("<H", img, 0x1fe, 0xaa55)
    img[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", img, 0x206, version)
    img[0x211] = 1
    struct.pack_into("<I", img, 0x260, init_size)
    path.write_bytes(bytes(img))


def config(tmp_path, image, devices):
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        '[[vm]]\nid = 1\nname = "linux"\nvcpus = 1\ncpu_affinity = [1]\n'
        f'image = "{image}"\n'
        '[[vm.memory]]\nbase = 0\nsize = "256M"\n' + devices)
    return cfg


def test_bzimage_goes_at_one_mib(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    fake_bzimage(tmp_path / "bzImage")
    cfg = config(tmp_path, tmp_path / "bzImage",
                 '[[vm.device]]\ntype = "ioapic"\nbase = 0xfec00000\n')
    vm, = vmconfig.Checker(cfg, "x86_64", MACHINE).load()
    assert vm["load_address"] == 0x100000 - 28 * 512
    assert vm["entry"] == 0x100000
    assert vm["image_extent"] == 28 * 512 + 0x1234000


def test_old_boot_protocol_is_not_a_bzimage(tmp_path):
    fake_bzimage(tmp_path / "old", version=0x020b)
    assert vmconfig.bzimage((tmp_path / "old").read_bytes()) is None
    fake_bzimage(tmp_path / "new", setup_sects=0)
    assert vmconfig.bzimage((tmp_path / "new").read_bytes()) == (5 * 512, 0x1234000)


def test_irq_needs_the_ioapic(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    fake_bzimage(tmp_path / "bzImage")
    cfg = config(tmp_path, tmp_path / "bzImage",
                 '[[vm.device]]\ntype = "ns16550"\nport = 0x3f8\nsize = 8\nirq = 4\n')
    with pytest.raises(vmconfig.ConfigError,
                       match=r"device\[0\]\.irq: the VM has no interrupt controller: add a "
                             r"device of type ioapic"):
        vmconfig.Checker(cfg, "x86_64", MACHINE).load()

