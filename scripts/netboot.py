#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boot axvm over the network as a board or PC would: `make netboot ARCH=<arch>`.

  netboot.py --arch ARCH [--build-dir DIR] [--append ARGS]     run it under QEMU
  netboot.py --arch ARCH --tftp-dir DIR [--append ARGS]        only fill DIR for a real server

AArch64 and RISC-V: U-Boot's distro boot finds no disk, asks DHCP for an address, fetches
boot.scr.uimg by TFTP and runs it; the script fetches axvm.bin and starts it with booti.
x86_64: OVMF's PXE boot gets axvm.efi as the DHCP boot file and starts it.

Under QEMU the DHCP and TFTP server is QEMU's own user-mode network
(-netdev user,tftp=DIR,bootfile=FILE): no packet leaves the machine.
"""
import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import image  # noqa: E402
import qemu  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", required=True, choices=["aarch64", "riscv64", "x86_64"])
    ap.add_argument("--build-dir", help="where axvm.bin / axvm.efi are (build/<arch>)")
    ap.add_argument("--append", default="",
                    help="boot arguments (U-Boot paths; the x86_64 PXE path passes none)")
    ap.add_argument("--tftp-dir", help="fill this directory for a TFTP server and exit")
    ap.add_argument("--print", action="store_true", help="print the QEMU command, do not run it")
    args = ap.parse_args()
    build_dir = Path(args.build_dir or ROOT / "build" / args.arch)
    try:
        if args.tftp_dir:
            d = image.tftp_dir(args.arch, build_dir, args.tftp_dir, args.append)
            print(f"netboot: {d}: {', '.join(sorted(p.name for p in d.iterdir()))}")
            return 0
        cmd = qemu.machine_command(args.arch, build_dir, args.append, interactive=True,
                                   workdir=build_dir / "netboot", boot="netboot")
    except ValueError as e:
        print(f"netboot: {e}", file=sys.stderr)
        return 1
    if args.print:
        print(" ".join(cmd))
        return 0
    print("(Ctrl-A X quits QEMU)", file=sys.stderr)
    return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main())
