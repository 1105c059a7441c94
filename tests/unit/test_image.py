# SPDX-License-Identifier: MIT
"""scripts/image.py: the GPT it writes, the U-Boot scripts, what goes on the ESP and the TFTP
server."""
import sys
import uuid
import zlib
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import image  # noqa: E402

SECTOR = 512
TOTAL = 8 << 20  # an 8 MiB disk: 16384 sectors


def u32(b, off):
    return int.from_bytes(b[off:off + 4], "little")


def u64(b, off):
    return int.from_bytes(b[off:off + 8], "little")


@pytest.fixture
def disk(tmp_path):
    path = tmp_path / "disk.img"
    with open(path, "wb") as f:
        f.truncate(TOTAL)
    disk_guid = uuid.UUID("11111111-2222-3333-4444-555555555555")
    part_guid = uuid.UUID("66666666-7777-8888-9999-aaaaaaaaaaaa")
    image.write_gpt(path, TOTAL, 2048, 16000, disk_guid, part_guid)
    return path.read_bytes(), disk_guid, part_guid


def header_crc_ok(h):
    size = u32(h, 12)
    zeroed = h[:16] + bytes(4) + h[20:size]
    return zlib.crc32(zeroed) == u32(h, 16)


def test_protective_mbr_covers_the_disk(disk):
    b, _, _ = disk
    assert b[510:512] == b"\x55\xaa"
    entry = b[446:462]
    assert entry[4] == 0xEE
    assert u32(entry, 8) == 1 and u32(entry, 12) == TOTAL // SECTOR - 1


def test_primary_and_backup_headers_agree(disk):
    b, disk_guid, _ = disk
    last = TOTAL // SECTOR - 1
    primary, backup = b[SECTOR:2 * SECTOR], b[last * SECTOR:]
    for h, mine, alt, entries in ((primary, 1, last, 2), (backup, last, 1, last - 32)):
        assert h[:8] == b"EFI PART"
        assert u32(h, 8) == 0x00010000 and u32(h, 12) == 92
        assert header_crc_ok(h)
        assert (u64(h, 24), u64(h, 32)) == (mine, alt)
        assert (u64(h, 40), u64(h, 48)) == (34, last - 33)  # first and last usable LBA
        assert h[56:72] == disk_guid.bytes_le
        assert u64(h, 72) == entries
        assert (u32(h, 80), u32(h, 84)) == (128, 128)
        array = b[entries * SECTOR:(entries + 32) * SECTOR]
        assert zlib.crc32(array) == u32(h, 88)


def test_the_one_partition_is_a_bootable_esp(disk):
    b, _, part_guid = disk
    e = b[2 * SECTOR:2 * SECTOR + 128]
    assert e[:16] == uuid.UUID("c12a7328-f81f-11d2-ba4b-00a0c93ec93b").bytes_le
    assert e[16:32] == part_guid.bytes_le
    assert (u64(e, 32), u64(e, 40)) == (2048, 16000)
    assert u64(e, 48) == 1 << 2  # legacy BIOS bootable: what U-Boot's distro boot scans
    assert e[56:].decode("utf-16-le").rstrip("\0") == "EFI system partition"
    assert b[2 * SECTOR + 128:34 * SECTOR] == bytes(32 * SECTOR - 128)  # no other entries


def test_a_partition_over_the_backup_table_is_refused(tmp_path):
    path = tmp_path / "disk.img"
    path.write_bytes(bytes(TOTAL))
    with pytest.raises(image.ImageError):
        image.write_gpt(path, TOTAL, 2048, TOTAL // SECTOR - 2, uuid.uuid4(), uuid.uuid4())


@pytest.mark.parametrize("arch,addr", [("aarch64", "0x40200000"), ("riscv64", "0x80200000")])
def test_disk_script_loads_from_the_boot_partition_at_the_link_address(arch, addr):
    s = image.uboot_script(arch, "disk", "loglevel=2 vms=none")
    assert f"load ${{devtype}} ${{devnum}}:${{distro_bootpart}} {addr} ${{prefix}}axvm.bin" in s
    assert 'setenv bootargs "loglevel=2 vms=none"' in s
    assert f"booti {addr} - ${{axvm_fdt}}" in s
    # The board firmware's device tree when U-Boot was given one (a Raspberry Pi's), else its own.
    assert "${fdt_addr}" in s and "${fdtcontroladdr}" in s


def test_tftp_script_fetches_from_the_server_it_came_from():
    s = image.uboot_script("riscv64", "tftp")
    assert "tftpboot 0x80200000 ${serverip}:axvm.bin" in s
    assert "devtype" not in s


def test_no_uboot_script_for_x86():
    with pytest.raises(image.ImageError):
        image.uboot_script("x86_64", "disk")


def fake_build(tmp_path, *names):
    d = tmp_path / "build"
    d.mkdir()
    for n in names:
        (d / n).write_bytes(b"axvm " + n.encode())
    return d


@pytest.mark.parametrize("arch,expected", [
    ("x86_64", {"EFI/BOOT/BOOTX64.EFI", "axvm.cmdline"}),
    ("aarch64", {"EFI/BOOT/BOOTAA64.EFI", "axvm.cmdline", "axvm.bin", "boot.scr"}),
    ("riscv64", {"axvm.bin", "boot.scr"}),
])
def test_esp_holds_what_each_firmware_boots(tmp_path, arch, expected):
    build = fake_build(tmp_path, "axvm.bin", "axvm.efi")
    work = tmp_path / "work"
    work.mkdir()
    files = image.esp_files(arch, build, work, cmdline=" vms=none ")
    assert set(files) == expected
    if "axvm.cmdline" in files:
        assert files["axvm.cmdline"].read_text() == "vms=none\n"
    if "boot.scr" in files:  # a U-Boot legacy image: magic 0x27051956, type script (6)
        scr = files["boot.scr"].read_bytes()
        assert scr[:4] == bytes.fromhex("27051956") and scr[30] == 6


def test_missing_build_is_named(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(image.ImageError, match=r"axvm\.efi.*make ARCH=aarch64"):
        image.esp_files("aarch64", fake_build(tmp_path, "axvm.bin"), work)


@pytest.mark.parametrize("arch,expected", [
    ("aarch64", {"axvm.bin", "boot.scr.uimg"}),
    ("riscv64", {"axvm.bin", "boot.scr.uimg"}),
    ("x86_64", {"axvm.efi"}),
])
def test_tftp_directory(tmp_path, arch, expected):
    build = fake_build(tmp_path, "axvm.bin", "axvm.efi")
    d = image.tftp_dir(arch, build, tmp_path / "tftp")
    assert {p.name for p in d.iterdir()} == expected


def test_esp_size_leaves_room_and_respects_fat32_minimum(tmp_path):
    small = tmp_path / "small"
    small.write_bytes(b"x")
    assert image.esp_size({"a": small}) == 64 << 20
    big = tmp_path / "big"
    with open(big, "wb") as f:
        f.truncate(100 << 20)
    size = image.esp_size({"a": big})
    assert size % (1 << 20) == 0 and size >= (100 << 20) * 5 // 4
