#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Build the QEMU command line for an architecture from qemu/<arch>.toml and run it.

`make run`, `make debug` and the integration tests all come through machine_command(), so
the machine a person sees is the machine the tests check.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import board  # noqa: E402

# The x86_64 image reads its boot arguments from this file on the ESP when UEFI gives it no
# load options (OVMF's default boot of EFI/BOOT/BOOTX64.EFI passes none).
EFI_CMDLINE_FILE = "axvm.cmdline"


# How the machine boots axvm (docs/deploy.md): "kernel" hands QEMU the image directly (x86_64:
# an ESP directory); the others go through the firmware a board runs, from the disk image of
# scripts/image.py ("disk": UEFI, "uboot": U-Boot) or over TFTP ("netboot"). Each path but
# "kernel" is a [boot.<path>] table in qemu/<arch>.toml whose keys replace the top-level ones.
BOOT_PATHS = ("kernel", "disk", "uboot", "netboot")


def merged(base, over):
    """'over' on top of 'base', tables merged key by key."""
    out = dict(base)
    for k, v in over.items():
        out[k] = merged(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def machine_file(name):
    """qemu/<name>.toml, on top of the file its `base` key names, if any."""
    with open(ROOT / "qemu" / f"{name}.toml", "rb") as f:
        cfg = tomllib.load(f)
    base = cfg.pop("base", None)
    return merged(machine_file(base), cfg) if base else cfg


def machine_config(arch, boot="kernel"):
    """QEMU's options for the board 'arch' runs on (scripts/board.py selected: the
    architecture's QEMU board unless $AXVM_BOARD names another of its boards)."""
    b = board.load(board.selected(arch))
    if "qemu" not in b:
        raise ValueError(f"board {b['board']} ({b['name']}) has no QEMU machine")
    cfg = machine_file(b["qemu"])
    if boot == "kernel":
        return cfg
    paths = cfg.get("boot", {})
    if boot not in paths:
        have = ", ".join(["kernel"] + sorted(paths))
        raise ValueError(f"{arch} has no boot path {boot!r} (it has: {have}; docs/deploy.md)")
    # The firmware boots what the disk or the TFTP server holds: not axvm given to QEMU.
    merged = {k: v for k, v in cfg.items() if k not in ("kernel", "efi_app", "boot", "guest")}
    merged.update(paths[boot])
    return merged


def firmware_args(cfg, boot, build_dir, workdir, append):
    """QEMU options for a boot path other than "kernel": flash firmware, the disk image or
    the network with QEMU's own DHCP and TFTP server (nothing leaves the machine)."""
    args = []
    if "pflash_code" in cfg:
        vars_copy = workdir / "firmware_vars.fd"
        shutil.copyfile(cfg["pflash_vars"], vars_copy)
        args += ["-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={cfg['pflash_code']}",
                 "-drive", f"if=pflash,format=raw,unit=1,file={vars_copy}"]
    if boot == "netboot":
        import image  # scripts/image.py: what a TFTP server holds for this architecture
        tftp = image.tftp_dir(cfg["arch"], build_dir, workdir / "tftp", append)
        args += ["-netdev", f"user,id=net,tftp={tftp},bootfile={cfg['bootfile']}"]
        args += list(cfg["net"])
    else:
        disk = build_dir / "axvm.img"
        if not disk.exists():
            raise ValueError(f"no disk image {disk}: make image ARCH={cfg['arch']} writes it")
        # The image as written to a card or stick; snapshot: runs never change it.
        args += ["-drive", f"file={disk},format=raw,if=none,id=disk,"
                 "snapshot=on", "-net", "none"]
        args += list(cfg["disk"])
    return args


def prepare_esp(cfg, build_dir, workdir, append):
    """Lay out an ESP directory and a writable copy of the OVMF variables in 'workdir'."""
    esp = workdir / "esp"
    boot = esp / "EFI" / "BOOT"
    boot.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(build_dir / cfg["efi_app"], boot / "BOOTX64.EFI")
    (esp / EFI_CMDLINE_FILE).write_text(append.strip() + "\n")
    return ovmf_args(cfg, workdir) + ["-drive", f"file=fat:rw:{esp},format=raw,media=disk"]


def ovmf_args(cfg, workdir):
    """OVMF from flash: the code read-only, a writable copy of the variables in 'workdir'."""
    vars_copy = workdir / "OVMF_VARS.fd"
    shutil.copyfile(cfg["ovmf_vars"], vars_copy)
    return [
        "-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={cfg['ovmf_code']}",
        "-drive", f"if=pflash,format=raw,unit=1,file={vars_copy}",
    ]


def base_command(cfg, smp=None, interactive=False):
    """The machine itself, the same whether it boots axvm or a guest directly."""
    cmd = [
        cfg["binary"],
        "-M", cfg["machine"],
        "-cpu", cfg["cpu"],
        "-smp", str(smp or cfg["smp"]),
        "-m", cfg["memory"],
        "-no-reboot",
    ]
    if interactive:
        # Serial and the QEMU monitor share the terminal: Ctrl-A X quits, Ctrl-A C the monitor.
        cmd += ["-nographic"]
    else:
        cmd += ["-display", "none", "-serial", "stdio", "-monitor", "none"]
    if "bios" in cfg:
        cmd += ["-bios", cfg["bios"]]
    return cmd


def machine_command(arch, build_dir=None, append="", smp=None, workdir=None, interactive=False,
                    gdb=False, extra=(), boot="kernel"):
    """Return the QEMU argv for 'arch' booted the way 'boot' (BOOT_PATHS) says. 'workdir'
    holds per-run files (x86_64 ESP, firmware variables, TFTP directory). The disk paths boot
    <build_dir>/axvm.img (scripts/image.py), whose boot arguments were set when it was made."""
    cfg = machine_config(arch, boot)
    build_dir = Path(build_dir or ROOT / "build" / arch)
    cmd = base_command(cfg, smp, interactive)
    if "kernel" in cfg:
        cmd += ["-kernel", str(build_dir / cfg["kernel"])]
        if append.strip() and boot == "kernel":
            cmd += ["-append", append.strip()]
    if "efi_app" in cfg or boot != "kernel":
        workdir = Path(workdir or build_dir / "run")
        workdir.mkdir(parents=True, exist_ok=True)
    if "efi_app" in cfg:
        cmd += ["-net", "none"] + prepare_esp(cfg, build_dir, workdir, append)
    if boot != "kernel":
        cmd += firmware_args(dict(cfg, arch=arch), boot, build_dir, workdir, append)
    if gdb:
        cmd += ["-s", "-S"]
    cmd += list(cfg.get("extra", [])) + list(extra)
    return cmd


def guest_command(arch, kernel=None, initrd=None, append="", smp=None, interactive=False,
                  extra=()):
    """Return the QEMU argv that boots the Linux test guest of 'arch' on bare QEMU (no
    hypervisor) with the machine options of qemu/<arch>.toml and its [guest] table.
    'kernel' and 'initrd' default to build/guests/<arch>/; 'append' is added to the
    [guest] command line."""
    cfg = machine_config(arch)
    guest = cfg["guest"]
    guest_dir = ROOT / "build" / "guests" / arch
    cmd = base_command(cfg, smp, interactive) + ["-net", "none"]
    cmd += [
        "-kernel", str(kernel or guest_dir / guest["kernel"]),
        "-initrd", str(initrd or guest_dir / guest["initrd"]),
        "-append", " ".join(s for s in (guest.get("append", ""), append.strip()) if s),
    ]
    return cmd + list(guest.get("extra", [])) + list(extra)


def write_gdbinit(arch, build_dir):
    path = build_dir / "gdbinit"
    path.write_text(
        f"set architecture {'i386:x86-64' if arch == 'x86_64' else 'aarch64' if arch == 'aarch64' else 'riscv:rv64'}\n"
        f"file {build_dir / 'axvm.elf'}\n"
        "target remote localhost:1234\n"
    )
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--arch", required=True)
    ap.add_argument("--append", default="")
    ap.add_argument("--smp", type=int)
    ap.add_argument("--gdb", action="store_true")
    ap.add_argument("--boot", choices=BOOT_PATHS, default="kernel",
                    help="how the machine boots axvm (docs/deploy.md); default: kernel")
    ap.add_argument("--print", action="store_true", help="print the command instead of running it")
    args = ap.parse_args()
    try:
        build_dir = ROOT / "build" / board.build_name(board.selected(args.arch))
        cmd = machine_command(args.arch, build_dir, args.append, args.smp, interactive=True,
                              gdb=args.gdb, boot=args.boot)
    except (ValueError, board.BoardError) as e:
        print(f"qemu.py: {e}", file=sys.stderr)
        return 2
    if args.print:
        print(" ".join(cmd))
        return 0
    if args.gdb:
        gdbinit = write_gdbinit(args.arch, build_dir)
        print(f"QEMU is halted with its gdbstub on :1234. In another terminal:\n"
              f"  gdb-multiarch -x {gdbinit}", file=sys.stderr)
    print("(Ctrl-A X quits QEMU)", file=sys.stderr)
    return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main())
