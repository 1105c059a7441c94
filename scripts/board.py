#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Board descriptions: boards/<board>.toml, one file per machine axvm runs on (docs/porting.md).

A board file says what the machine is (CPUs and how the secondaries start, RAM, the console,
the interrupt controller) and what the hypervisor and the firmware keep for themselves there.
The build judges VM configs against it (scripts/vmconfig.py); at boot the device tree stays
the source of truth and the hypervisor checks again (kernel/config_check.c). A board that
QEMU can run names its machine file (qemu/<name>.toml, QEMU's options only).

  board.py get BOARD KEY       print arch, qemu, config or build (the build directory's name)
  board.py default ARCH        print the QEMU board of ARCH
  board.py list                print every board
"""
import os
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOARDS = ROOT / "boards"

# The board each architecture builds for and runs on when no BOARD is given.
DEFAULT = {"aarch64": "qemu-virt-aarch64", "riscv64": "qemu-virt-riscv64",
           "x86_64": "qemu-q35-x86_64"}

# How secondary CPUs start (cpus.start), per architecture.
CPU_START = {
    "aarch64": {"psci-smc", "psci-hvc", "spin-table"},
    "riscv64": {"sbi-hsm"},
    "x86_64": {"init-sipi"},
}

# The interrupt controller each board has, and so the VM interrupt-controller model that fits it
# (irqchip.type): a GICv2 host runs vGICv2s only, a GICv3 host vGICv3s only.
IRQCHIPS = {"aarch64": {"gicv2", "gicv3"}, "riscv64": {"plic"}, "x86_64": {"ioapic"}}

REQUIRED = ("name", "arch", "config", "cpus", "ram", "console", "irqchip", "host")


class BoardError(Exception):
    pass


def names():
    return sorted(p.stem for p in BOARDS.glob("*.toml"))


def load(name):
    """The board's description as a dict, checked for the keys every board must give."""
    path = BOARDS / f"{name}.toml"
    if not isinstance(name, str) or "/" in name or not path.is_file():
        raise BoardError(f"no board {name!r} (boards/: {', '.join(names())})")
    try:
        with open(path, "rb") as f:
            b = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise BoardError(f"boards/{name}.toml: not valid TOML: {e}")
    for k in REQUIRED:
        if k not in b:
            raise BoardError(f"boards/{name}.toml: missing {k}")
    arch = b["arch"]
    if arch not in DEFAULT:
        raise BoardError(f"boards/{name}.toml: arch {arch!r} is not one of {', '.join(DEFAULT)}")
    start = b["cpus"].get("start")
    if start not in CPU_START[arch]:
        raise BoardError(f"boards/{name}.toml: cpus.start {start!r} is not one of "
                         f"{', '.join(sorted(CPU_START[arch]))}")
    if arch == "riscv64":
        check_riscv_isa(name, str(b["cpus"].get("isa", "")))
    if b["irqchip"].get("type") not in IRQCHIPS[arch]:
        raise BoardError(f"boards/{name}.toml: irqchip.type {b['irqchip'].get('type')!r} is not "
                         f"one of {', '.join(sorted(IRQCHIPS[arch]))}")
    b["board"] = name
    return b


def check_riscv_isa(name, isa):
    """A RISC-V board's harts need the H extension (HS-mode): the single letter h in the
    riscv,isa string (rv64imafdch), or an "_h" extension."""
    base, _, rest = isa.lower().partition("_")
    letters = base[4:] if base.startswith(("rv32", "rv64")) else ""
    if not letters:
        raise BoardError(f"boards/{name}.toml: cpus.isa {isa!r} is not a riscv,isa string "
                         f"like \"rv64imafdch\"")
    if "h" not in letters and "h" not in rest.split("_"):
        raise BoardError(f"boards/{name}.toml: its harts have no H extension (riscv,isa "
                         f"{isa!r}): no hypervisor can run on them (docs/porting.md)")


def default(arch):
    if arch not in DEFAULT:
        raise BoardError(f"--arch {arch!r}: not one of {', '.join(DEFAULT)}")
    return DEFAULT[arch]


def build_name(name):
    """The directory under build/ for a board: the architecture's name for its QEMU board (as
    before boards existed), the board's name otherwise."""
    b = load(name)
    return b["arch"] if DEFAULT[b["arch"]] == name else name


def selected(arch):
    """The board `make run`, the integration tests and the benchmarks run 'arch' on:
    $AXVM_BOARD when it is a board of that architecture (make exports BOARD as it), else the
    architecture's QEMU board."""
    name = os.environ.get("AXVM_BOARD", "")
    if name and load(name)["arch"] == arch:
        return name
    return default(arch)


def main(argv):
    try:
        if len(argv) == 3 and argv[0] == "get":
            b = load(argv[1])
            value = build_name(argv[1]) if argv[2] == "build" else b.get(argv[2], "")
            print(value)
        elif len(argv) == 2 and argv[0] == "default":
            print(default(argv[1]))
        elif argv == ["list"]:
            print("\n".join(names()))
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except BoardError as e:
        print(f"board error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
