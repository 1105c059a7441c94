#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the disk image a user puts on an SD card or USB stick: `make image ARCH=<arch>`.

  image.py --arch ARCH [--build-dir DIR] [--out FILE] [--cmdline TEXT]

The image is a GPT disk with one partition, an EFI system partition (FAT32), holding what the
firmware of that architecture boots (docs/deploy.md):

  x86_64   \\EFI\\BOOT\\BOOTX64.EFI (axvm.efi) and \\axvm.cmdline      UEFI (OVMF, a PC)
  aarch64  \\EFI\\BOOT\\BOOTAA64.EFI (axvm.efi) and \\axvm.cmdline     UEFI (AAVMF, EDK II)
           \\boot.scr and \\axvm.bin                                  U-Boot (distro boot)
  riscv64  \\boot.scr and \\axvm.bin                                  U-Boot in S-mode on OpenSBI

Nothing here needs root or a loop device: the partition table is written by this script, the
file system by mkfs.fat at the partition's offset in the image file, the files by mtools.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SECTOR = 512
MiB = 1 << 20
# The partition starts 1 MiB in (the usual alignment for flash media) and is at least 64 MiB:
# FAT32 wants 65525 clusters or more, and a card's ESP is rarely smaller.
ESP_START = MiB
ESP_MIN = 64 * MiB
ESP_SLACK = 16 * MiB
GPT_ENTRIES = 128
GPT_ENTRY_SIZE = 128
GPT_ENTRY_SECTORS = GPT_ENTRIES * GPT_ENTRY_SIZE // SECTOR  # 32
ESP_TYPE = uuid.UUID("c12a7328-f81f-11d2-ba4b-00a0c93ec93b")
# GPT attribute bit 2, "legacy BIOS bootable": U-Boot's distro boot scans the partitions that
# carry it (UEFI ignores it).
ATTR_LEGACY_BOOTABLE = 1 << 2

# Where the hypervisor image runs on each U-Boot architecture. It is linked there (not
# position-independent), so the script loads it at that address: booti leaves an image that
# asks for no placement near the RAM base where it is (AArch64 header flag bit 3; RISC-V booti
# never moves an image).
UBOOT_LOAD = {"aarch64": 0x40200000, "riscv64": 0x80200000}
UBOOT_ARCH = {"aarch64": "arm64", "riscv64": "riscv"}
EFI_BOOT_NAME = {"x86_64": "BOOTX64.EFI", "aarch64": "BOOTAA64.EFI"}
# Read by the UEFI application when the firmware passes no load options (its default boot
# entry passes none): boot/efi/efi_cmdline.c.
CMDLINE_FILE = "axvm.cmdline"
SCRIPT_MARKER = "axvm boot script"
# The script U-Boot's distro boot fetches over TFTP after DHCP (its boot_script_dhcp).
TFTP_SCRIPT = "boot.scr.uimg"


class ImageError(ValueError):
    pass


# ---- U-Boot boot script ------------------------------------------------------------------------

def uboot_script(arch, source, cmdline=""):
    """The text of the U-Boot script that loads axvm.bin and starts it with booti.

    'source' is "disk" (run by distro boot from a partition, which sets devtype, devnum,
    distro_bootpart and prefix) or "tftp" (fetched by DHCP/TFTP; the image comes from the same
    server). The device tree is the one the board's firmware gave U-Boot (fdt_addr on a
    Raspberry Pi), else U-Boot's own (QEMU's, on the virt machines).
    """
    if arch not in UBOOT_LOAD:
        raise ImageError(f"no U-Boot path on {arch}")
    addr = f"0x{UBOOT_LOAD[arch]:x}"
    if source == "disk":
        load = f"load ${{devtype}} ${{devnum}}:${{distro_bootpart}} {addr} ${{prefix}}axvm.bin"
        where = "${devtype} ${devnum}:${distro_bootpart}"
    elif source == "tftp":
        # Bigger blocks than TFTP's 512 bytes (RFC 2348) make the transfer several times faster.
        load = f"setenv tftpblocksize 1468; tftpboot {addr} ${{serverip}}:axvm.bin"
        where = "TFTP server ${serverip}"
    else:
        raise ImageError(f"unknown script source {source!r}")
    lines = [
        f"# {SCRIPT_MARKER} ({source}): written by scripts/image.py, made with mkimage",
        f'echo "{SCRIPT_MARKER} ({source}): loading axvm.bin from {where}"',
        f"{load} || exit",
        f"setenv bootargs \"{cmdline.strip()}\"",
        'if test -n "${fdt_addr}"; then setenv axvm_fdt ${fdt_addr}; '
        "else setenv axvm_fdt ${fdtcontroladdr}; fi",
        f'echo "{SCRIPT_MARKER} ({source}): booti {addr} with the device tree at ${{axvm_fdt}}"',
        f"booti {addr} - ${{axvm_fdt}}",
        f'echo "{SCRIPT_MARKER} ({source}): booti returned: axvm.bin was not started"',
    ]
    return "\n".join(lines) + "\n"


def mkimage_script(arch, text, out):
    """Wrap script text as a U-Boot legacy script image (what `source` and distro boot run)."""
    with tempfile.NamedTemporaryFile("w", suffix=".cmd", delete=False) as f:
        f.write(text)
        cmd = f.name
    try:
        run(["mkimage", "-q", "-A", UBOOT_ARCH[arch], "-O", "linux", "-T", "script", "-C",
             "none", "-n", f"axvm {arch} ({SCRIPT_MARKER})", "-d", cmd, str(out)])
    finally:
        os.unlink(cmd)


# ---- GPT -----------------------------------------------------------------------------------------

def gpt_entry(type_guid, part_guid, first, last, attrs, name):
    e = type_guid.bytes_le + part_guid.bytes_le
    e += first.to_bytes(8, "little") + last.to_bytes(8, "little") + attrs.to_bytes(8, "little")
    e += name.encode("utf-16-le")[:72].ljust(72, b"\0")
    assert len(e) == GPT_ENTRY_SIZE
    return e


def gpt_header(my_lba, alt_lba, first_usable, last_usable, disk_guid, entries_lba, entries_crc):
    def pack(crc):
        h = b"EFI PART" + (0x00010000).to_bytes(4, "little") + (92).to_bytes(4, "little")
        h += crc.to_bytes(4, "little") + bytes(4)
        for v in (my_lba, alt_lba, first_usable, last_usable):
            h += v.to_bytes(8, "little")
        h += disk_guid.bytes_le + entries_lba.to_bytes(8, "little")
        h += GPT_ENTRIES.to_bytes(4, "little") + GPT_ENTRY_SIZE.to_bytes(4, "little")
        h += entries_crc.to_bytes(4, "little")
        return h
    h = pack(0)
    return pack(zlib.crc32(h)).ljust(SECTOR, b"\0")


def protective_mbr(total_sectors):
    """LBA 0: one partition of type 0xEE over the whole disk, so MBR-only tools keep off."""
    mbr = bytearray(SECTOR)
    size = min(total_sectors - 1, 0xFFFFFFFF)
    entry = bytes([0, 0, 2, 0, 0xEE, 0xFF, 0xFF, 0xFF]) + (1).to_bytes(4, "little") + \
        size.to_bytes(4, "little")
    mbr[446:462] = entry
    mbr[510:512] = b"\x55\xaa"
    return bytes(mbr)


def write_gpt(path, total_bytes, part_first, part_last, disk_guid, part_guid):
    """Write the protective MBR, both GPT headers and both entry arrays into 'path' (which is
    already 'total_bytes' long) for one EFI system partition from sector part_first to
    part_last inclusive."""
    last_lba = total_bytes // SECTOR - 1
    first_usable = 2 + GPT_ENTRY_SECTORS
    last_usable = last_lba - 1 - GPT_ENTRY_SECTORS
    if not (first_usable <= part_first <= part_last <= last_usable):
        raise ImageError("the partition does not fit between the GPT structures")
    entries = gpt_entry(ESP_TYPE, part_guid, part_first, part_last, ATTR_LEGACY_BOOTABLE,
                        "EFI system partition")
    entries = entries.ljust(GPT_ENTRIES * GPT_ENTRY_SIZE, b"\0")
    crc = zlib.crc32(entries)
    backup_entries_lba = last_lba - GPT_ENTRY_SECTORS
    with open(path, "r+b") as f:
        f.write(protective_mbr(total_bytes // SECTOR))
        f.write(gpt_header(1, last_lba, first_usable, last_usable, disk_guid, 2, crc))
        f.write(entries)
        f.seek(backup_entries_lba * SECTOR)
        f.write(entries)
        f.write(gpt_header(last_lba, 1, first_usable, last_usable, disk_guid,
                           backup_entries_lba, crc))


# ---- FAT -----------------------------------------------------------------------------------------

def run(cmd, **kw):
    try:
        subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)
    except FileNotFoundError:
        raise ImageError(f"{cmd[0]} is missing: run `make deps` (scripts/deps.sh)")
    except subprocess.CalledProcessError as e:
        raise ImageError(f"{' '.join(cmd)} failed:\n{e.stdout}{e.stderr}")


def write_fat(image, offset, size, files):
    """Make a FAT32 file system of 'size' bytes at byte 'offset' of 'image' and copy 'files'
    ({path on the ESP: host path}) into it."""
    run(["mkfs.fat", "-F", "32", "-S", str(SECTOR), "-n", "AXVM", "--invariant",
         "--offset", str(offset // SECTOR), str(image), str(size // 1024)])
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    fs = f"{image}@@{offset}"
    dirs = sorted({str(Path(p).parent) for p in files} - {"."})
    made = set()
    for d in dirs:
        parts = Path(d).parts
        for i in range(1, len(parts) + 1):
            sub = "/".join(parts[:i])
            if sub not in made:
                run(["mmd", "-i", fs, f"::/{sub}"], env=env)
                made.add(sub)
    for dest, src in sorted(files.items()):
        run(["mcopy", "-i", fs, str(src), f"::/{dest}"], env=env)


# ---- the image -----------------------------------------------------------------------------------

def esp_files(arch, build_dir, workdir, cmdline=""):
    """{path on the ESP: host file} for 'arch', from the artifacts in 'build_dir'."""
    build_dir = Path(build_dir)
    files = {}
    need = []
    if arch in EFI_BOOT_NAME:
        need.append(build_dir / "axvm.efi")
        files[f"EFI/BOOT/{EFI_BOOT_NAME[arch]}"] = build_dir / "axvm.efi"
        cmd = Path(workdir) / CMDLINE_FILE
        cmd.write_text(cmdline.strip() + "\n")
        files[CMDLINE_FILE] = cmd
    if arch in UBOOT_LOAD:
        need.append(build_dir / "axvm.bin")
        files["axvm.bin"] = build_dir / "axvm.bin"
        scr = Path(workdir) / "boot.scr"
        mkimage_script(arch, uboot_script(arch, "disk", cmdline), scr)
        files["boot.scr"] = scr
    missing = [str(p) for p in need if not p.exists()]
    if missing:
        raise ImageError(f"missing {', '.join(missing)}: run `make ARCH={arch}` first")
    return files


def tftp_dir(arch, build_dir, dest, cmdline=""):
    """Fill 'dest' with what a TFTP server offers for network boot: on U-Boot architectures
    the script distro boot asks for after DHCP (TFTP_SCRIPT) and axvm.bin; on x86_64
    axvm.efi, which UEFI's PXE boot fetches as the DHCP boot file (it passes no boot
    arguments and has no file system to read axvm.cmdline from: the built-in defaults apply)."""
    build_dir, dest = Path(build_dir), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    names = ["axvm.bin"] if arch in UBOOT_LOAD else ["axvm.efi"]
    for name in names:
        if not (build_dir / name).exists():
            raise ImageError(f"missing {build_dir / name}: run `make ARCH={arch}` first")
        shutil.copyfile(build_dir / name, dest / name)
    if arch in UBOOT_LOAD:
        mkimage_script(arch, uboot_script(arch, "tftp", cmdline), dest / TFTP_SCRIPT)
    return dest


def esp_size(files):
    content = sum(Path(p).stat().st_size for p in files.values())
    size = max(ESP_MIN, content + content // 4 + ESP_SLACK)
    return (size + MiB - 1) // MiB * MiB


def make_image(arch, build_dir, out, cmdline=""):
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        files = esp_files(arch, build_dir, tmp, cmdline)
        size = esp_size(files)
        # The backup GPT (entries and header) after the partition, rounded to whole MiB.
        total = ESP_START + size + MiB
        part = out.with_name(out.name + ".tmp")
        with open(part, "wb") as f:
            f.truncate(total)
        # GUIDs derived from the contents: the same build gives the same image.
        seed = "".join(f"{k}:{Path(v).stat().st_size}" for k, v in sorted(files.items()))
        disk_guid = uuid.uuid5(uuid.NAMESPACE_URL, f"axvm/{arch}/disk/{seed}")
        part_guid = uuid.uuid5(uuid.NAMESPACE_URL, f"axvm/{arch}/esp/{seed}")
        first = ESP_START // SECTOR
        write_gpt(part, total, first, first + size // SECTOR - 1, disk_guid, part_guid)
        write_fat(part, ESP_START, size, files)
        part.replace(out)
    return out, files


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", required=True, choices=["aarch64", "riscv64", "x86_64"])
    ap.add_argument("--build-dir", help="where axvm.bin / axvm.efi are (build/<arch>)")
    ap.add_argument("--out", help="the image (default: <build-dir>/axvm.img)")
    ap.add_argument("--cmdline", default="", help="the hypervisor's boot arguments")
    args = ap.parse_args()
    build_dir = Path(args.build_dir or ROOT / "build" / args.arch)
    out = Path(args.out or build_dir / "axvm.img")
    try:
        out, files = make_image(args.arch, build_dir, out, args.cmdline)
    except ImageError as e:
        print(f"image: {e}", file=sys.stderr)
        return 1
    print(f"image: {out} ({out.stat().st_size >> 20} MiB, GPT, EFI system partition: "
          f"{', '.join(sorted(files))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
