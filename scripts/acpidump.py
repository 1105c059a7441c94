#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Capture the ACPI tables a UEFI PC gives axvm: QEMU q35 under OVMF (qemu/x86_64.toml).

  acpidump.py --out FILE [--smp SPEC]

QEMU builds the tables and OVMF installs them (its own RSDP and XSDT, QEMU's MADT, FADT, DSDT
...), exactly as axvm.efi finds them at boot. The machine is started with no disk; once the
firmware's boot manager runs (the tables are installed before it), QEMU is stopped through
QMP, its RAM written out with pmemsave, and every table reachable from the RSDP copied into
FILE, each as a record at its physical address:

  u64 address, u32 length, length bytes        (little-endian, one record after another)

The RSDP comes first. tests/unit/test_acpi_host.c runs the hypervisor's ACPI reader on them.
Nothing is committed: the bytes are QEMU's and OVMF's, made anew on each machine.
"""
import argparse
import json
import os
import select
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import qemu  # noqa: E402

# Enough for OVMF; the dump is this big, briefly.
MEMORY = "128M"
# Printed by OVMF's boot manager: by then the platform driver has installed QEMU's tables.
READY = b"BdsDxe"
TIMEOUT = 300


class CaptureError(RuntimeError):
    pass


def checksum_ok(data):
    return sum(data) & 0xFF == 0


def find_rsdp(ram):
    """The RSDP UEFI hands axvm (its ACPI 2.0 configuration table, ACPI 6.5 §5.2.5): "RSD PTR "
    with valid checksums, revision 2 or later. OVMF keeps QEMU's ACPI 1.0 RSDP beside its own;
    that one is taken only if there is no other."""
    found = []
    at = ram.find(b"RSD PTR ")
    while at >= 0:
        if checksum_ok(ram[at:at + 20]):
            revision = ram[at + 15]
            length = struct.unpack_from("<I", ram, at + 20)[0]
            if revision < 2:
                found.append((0, at))
            elif length >= 36 and checksum_ok(ram[at:at + length]):
                found.append((1, at))
        at = ram.find(b"RSD PTR ", at + 1)
    if not found:
        raise CaptureError("no RSDP in the firmware's memory")
    return max(found)[1]


def table_at(ram, addr):
    if addr + 8 > len(ram):
        raise CaptureError(f"table at {addr:#x} is outside the {len(ram) >> 20} MiB dumped")
    length = struct.unpack_from("<I", ram, addr + 4)[0]
    data = ram[addr:addr + length]
    if len(data) != length or not checksum_ok(data):
        raise CaptureError(f"table {ram[addr:addr + 4]!r} at {addr:#x} has a bad checksum")
    return data


def collect(ram):
    """{address: bytes} of the RSDP and every table below it."""
    rsdp = find_rsdp(ram)
    revision = ram[rsdp + 15]
    out = {rsdp: ram[rsdp:rsdp + (36 if revision >= 2 else 20)]}
    roots = [(struct.unpack_from("<I", ram, rsdp + 16)[0], 4)]
    if revision >= 2:
        roots.append((struct.unpack_from("<Q", ram, rsdp + 24)[0], 8))
    for root, size in roots:
        if not root:
            continue
        sdt = table_at(ram, root)
        out[root] = sdt
        fmt = "<Q" if size == 8 else "<I"
        for off in range(36, len(sdt), size):
            addr = struct.unpack_from(fmt, sdt, off)[0]
            t = table_at(ram, addr)
            out[addr] = t
            if t[:4] == b"FACP":
                # FACS (no checksum) and DSDT: the 32-bit fields, then the 64-bit ones.
                facs, dsdt = struct.unpack_from("<II", t, 36)
                if len(t) >= 148:
                    dsdt = struct.unpack_from("<Q", t, 140)[0] or dsdt
                if dsdt:
                    out[dsdt] = table_at(ram, dsdt)
                if facs:
                    n = struct.unpack_from("<I", ram, facs + 4)[0]
                    out[facs] = ram[facs:facs + n]
    return rsdp, out


def qmp(f, command, **args):
    f.write(json.dumps({"execute": command, "arguments": args}) + "\n")
    f.flush()
    while True:
        reply = json.loads(f.readline())
        if "error" in reply:
            raise CaptureError(f"QMP {command}: {reply['error']}")
        if "return" in reply:
            return reply["return"]


def dump_ram(smp, workdir):
    cfg = qemu.machine_config("x86_64")
    sock = workdir / "qmp.sock"
    ram = workdir / "ram.bin"
    cmd = qemu.base_command(dict(cfg, memory=MEMORY), smp) + ["-nodefaults"]
    cmd += qemu.ovmf_args(cfg, workdir)
    cmd += ["-qmp", f"unix:{sock},server=on,wait=off"]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        out = b""
        deadline = time.monotonic() + TIMEOUT
        while READY not in out:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise CaptureError(f"the firmware did not reach its boot manager:\n"
                                   f"{out[-1000:].decode(errors='replace')}")
            if select.select([proc.stdout], [], [], 0.1)[0]:
                out += os.read(proc.stdout.fileno(), 65536)
        s = socket.socket(socket.AF_UNIX)
        s.connect(str(sock))
        f = s.makefile("rw")
        f.readline()
        qmp(f, "qmp_capabilities")
        qmp(f, "stop")
        size = int(MEMORY[:-1]) << 20
        qmp(f, "pmemsave", val=0, size=size, filename=str(ram))
        s.close()
        return ram.read_bytes()
    finally:
        proc.kill()
        proc.wait()


def write_records(path, rsdp, tables):
    order = [rsdp] + sorted(a for a in tables if a != rsdp)
    blob = b"".join(struct.pack("<QI", a, len(tables[a])) + tables[a] for a in order)
    tmp = Path(str(path) + ".tmp")
    tmp.write_bytes(blob)
    tmp.replace(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    # Four CPUs present and a fifth that could be hot-plugged: the MADT lists it, disabled.
    ap.add_argument("--smp", default="4,maxcpus=5", help="QEMU -smp (default: 4,maxcpus=5)")
    args = ap.parse_args()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
            rsdp, tables = collect(dump_ram(args.smp, Path(tmp)))
    except (CaptureError, OSError, ValueError) as e:
        print(f"acpidump: {e}", file=sys.stderr)
        return 1
    write_records(out, rsdp, tables)
    names = ", ".join(tables[a][:4].decode(errors="replace") for a in sorted(tables))
    print(f"acpidump: {out}: {len(tables)} tables ({names})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
