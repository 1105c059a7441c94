# SPDX-License-Identifier: MIT
"""scripts/qemu.py: the firmware each boot path of qemu/<arch>.toml puts on the command line."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import qemu  # noqa: E402


@pytest.fixture
def build(tmp_path):
    d = tmp_path / "build"
    d.mkdir()
    for n in ("axvm.bin", "axvm.efi", "axvm.img"):
        (d / n).write_bytes(b"x")
    return d


def command(arch, boot, build, tmp_path):
    return " ".join(qemu.machine_command(arch, build, workdir=tmp_path / "run", boot=boot))


@pytest.mark.parametrize("arch,boot,present,absent", [
    ("aarch64", "kernel", ["-kernel", "axvm.bin"], ["AAVMF", "u-boot", "axvm.img"]),
    ("aarch64", "disk", ["acpi=off", "AAVMF_CODE.fd", "axvm.img", "snapshot=on", "-net none"],
     ["-kernel", "-bios", "u-boot"]),
    ("aarch64", "uboot", ["-bios /usr/lib/u-boot/qemu_arm64/u-boot.bin", "axvm.img"],
     ["-kernel", "AAVMF", "-netdev"]),
    ("aarch64", "netboot", ["qemu_arm64/u-boot.bin", "-netdev user,id=net,tftp=",
                            "bootfile=boot.scr.uimg", "virtio-net-device,netdev=net"],
     ["axvm.img", "-kernel"]),
    ("riscv64", "uboot", ["fw_dynamic.bin", "-kernel /usr/lib/u-boot/qemu-riscv64_smode/",
                          "axvm.img"], ["axvm.bin", "-netdev"]),
    ("riscv64", "netboot", ["fw_dynamic.bin", "qemu-riscv64_smode/u-boot.bin",
                            "bootfile=boot.scr.uimg"], ["axvm.img"]),
    ("x86_64", "disk", ["OVMF_CODE_4M.fd", "usb-storage,drive=disk", "axvm.img"],
     ["fat:rw", "-netdev"]),
    ("x86_64", "netboot", ["OVMF_CODE_4M.fd", "bootfile=axvm.efi", "romfile="],
     ["fat:rw", "axvm.img"]),
])
def test_boot_path_firmware(build, tmp_path, arch, boot, present, absent):
    cmd = command(arch, boot, build, tmp_path)
    for p in present:
        assert p in cmd, cmd
    for a in absent:
        assert a not in cmd, cmd


def test_netboot_fills_the_tftp_directory(build, tmp_path):
    command("riscv64", "netboot", build, tmp_path)
    assert {p.name for p in (tmp_path / "run" / "tftp").iterdir()} == {"axvm.bin",
                                                                       "boot.scr.uimg"}


def test_boot_arguments_go_to_the_kernel_path_only(build, tmp_path):
    cmd = qemu.machine_command("aarch64", build, append="loglevel=3", workdir=tmp_path,
                               boot="uboot")
    assert "-append" not in cmd  # the disk image carries them (make image APPEND=...)
    cmd = qemu.machine_command("aarch64", build, append="loglevel=3", workdir=tmp_path)
    assert cmd[cmd.index("-append") + 1] == "loglevel=3"


@pytest.mark.parametrize("arch,boot", [("riscv64", "disk"), ("x86_64", "uboot")])
def test_a_path_an_arch_lacks_is_named(build, tmp_path, arch, boot):
    with pytest.raises(ValueError, match=rf"{arch} has no boot path '{boot}' \(it has: kernel"):
        qemu.machine_command(arch, build, workdir=tmp_path, boot=boot)


def test_a_missing_disk_image_says_how_to_make_it(build, tmp_path):
    (build / "axvm.img").unlink()
    with pytest.raises(ValueError, match=r"make image ARCH=x86_64"):
        qemu.machine_command("x86_64", build, workdir=tmp_path, boot="disk")
