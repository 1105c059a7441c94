# SPDX-License-Identifier: MIT
"""Small guest images for the config checker's tests: ELF64 files, valid and in the broken
shapes the fixtures in tests/configs/bad/ use, an empty file and a Linux arm64 Image header.
`python3 tests/unit/image_fixtures.py` writes them to tests/configs/bad/images/;
tests/unit/test_vmconfig.py checks that the files there are what this module makes."""
import struct
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IMAGES = ROOT / "tests" / "configs" / "bad" / "images"
EM = {"aarch64": 183, "riscv64": 243, "x86_64": 62}
EHDR, PHDR = 64, 56


def make_elf(arch="aarch64", paddr=0x40000000, payload=b"\x00" * 16, memsz=None, entry=None,
             phoff=EHDR, phnum=1, phentsize=PHDR, ptype=1, offset=EHDR + PHDR, filesz=None,
             ei_class=2, ei_data=1, machine=None):
    """An executable with 'phnum' copies of one program header describing 'payload'."""
    head = bytearray(EHDR)
    head[0:4] = b"\x7fELF"
    head[4], head[5], head[6] = ei_class, ei_data, 1
    struct.pack_into("<HHI", head, 16, 2, EM[arch] if machine is None else machine, 1)
    struct.pack_into("<QQQ", head, 24, paddr if entry is None else entry, phoff, 0)
    struct.pack_into("<IHHHHHH", head, 48, 0, EHDR, phentsize, phnum, 0, 0, 0)
    filesz = len(payload) if filesz is None else filesz
    memsz = filesz if memsz is None else memsz
    ph = struct.pack("<IIQQQQQQ", ptype, 5, offset, paddr, paddr, filesz, memsz, 0x1000)
    return bytes(head) + ph * max(phnum, 0) + payload


def make_arm64_image(text_offset=0x80000, image_size=0x10000):
    """A Linux arm64 Image header (Documentation/arch/arm64/booting.rst) and a page."""
    head = bytearray(64)
    struct.pack_into("<QQ", head, 8, text_offset, image_size)
    head[56:60] = b"ARM\x64"
    return bytes(head) + bytes(4096)


# Each image: its file name and how it is made.
IMAGE_FILES = {
    "good.elf": lambda: make_elf(),
    "empty.bin": lambda: b"",
    "arm64-image.bin": lambda: make_arm64_image(),
    "truncated.elf": lambda: make_elf()[:40],
    "phdrs-past-end.elf": lambda: make_elf(phoff=0x10000),
    "segment-past-end.elf": lambda: make_elf(offset=0x10000),
    "huge-memsz.elf": lambda: make_elf(memsz=1 << 40),
    "wrong-machine.elf": lambda: make_elf(machine=EM["x86_64"]),
    "elf32.elf": lambda: make_elf(ei_class=1),
    "no-load.elf": lambda: make_elf(ptype=4),
    "filesz-over-memsz.elf": lambda: make_elf(memsz=8),
    "wraps.elf": lambda: make_elf(paddr=(1 << 64) - 0x1000, memsz=0x2000),
    "short-phentsize.elf": lambda: make_elf(phentsize=32),
}


def write_all():
    IMAGES.mkdir(parents=True, exist_ok=True)
    for name, make in IMAGE_FILES.items():
        (IMAGES / name).write_bytes(make())


if __name__ == "__main__":
    write_all()
