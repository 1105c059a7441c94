#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Linux test guests for every architecture: a kernel and an initramfs, built once per machine.

  guests.py build [ARCH...]                 build/guests/<arch>/{Image|bzImage, initramfs.cpio.gz}
  guests.py run ARCH [--smp N] [--append S] boot them on bare QEMU (no hypervisor)
  guests.py keys [ARCH...]                  print the cache keys and their inputs

Kernels come from Debian's linux-source-6.12 (scripts/guests_kernel.py), the initramfs from
guests/linux/init/ and Debian's busybox-static (scripts/guests_initramfs.py); every download
is pinned in scripts/debs.lock. Results are cached in $AXVM_CACHE/guests (default
~/.cache/axvm/guests) under a hash of everything that affects them, so a second build on the
same machine only copies them; delete that folder to force a rebuild.
"""
import argparse
import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import debfetch
import guests_initramfs
import guests_kernel
import qemu

ROOT = Path(__file__).resolve().parent.parent
ARCHES = list(guests_kernel.ARCHES)
INITRAMFS = "initramfs.cpio.gz"


def cache_root():
    return Path(os.environ.get("AXVM_CACHE", Path.home() / ".cache" / "axvm"))


def out_dir(arch):
    return ROOT / "build" / "guests" / arch


@contextlib.contextmanager
def locked(path):
    """Hold an exclusive lock on 'path' (created if needed): builds on one machine, from any
    checkout, share the cache, and the second waits for the first instead of racing it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"guests: waiting for another build holding {path}", flush=True)
            fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def cache_key(inputs):
    h = hashlib.sha256()
    for label, data in inputs:
        h.update(f"{label}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()[:20]


def describe(inputs):
    """One line per input: short one-line values as they are, files by checksum."""
    lines = []
    for label, data in inputs:
        text = data.decode(errors="replace").strip()
        if len(data) < 200 and "\n" not in text:
            lines.append(f"{label}: {text}\n")
        else:
            lines.append(f"{label}: sha256 {hashlib.sha256(data).hexdigest()}\n")
    return "".join(lines)


def cached(kind, arch, inputs, build):
    """Return the cache entry for 'inputs', calling build(tmp_dir) to fill it when missing."""
    key = cache_key(inputs)
    base = cache_root() / "guests"
    entry = base / f"{arch}-{kind}-{key}"
    if (entry / ".done").exists():
        return entry, key, False
    with locked(base / f".{arch}-{kind}.lock"):
        if (entry / ".done").exists():  # another build finished it while we waited
            return entry, key, False
        tmp = base / f".{entry.name}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        build(tmp)
        (tmp / "key.txt").write_text(describe(inputs))
        (tmp / ".done").touch()
        shutil.rmtree(entry, ignore_errors=True)
        tmp.rename(entry)
    return entry, key, True


def install(src, dest):
    """Copy 'src' to 'dest' unless it already holds the same bytes (keeps its mtime)."""
    if dest.exists() and dest.stat().st_size == src.stat().st_size and \
            dest.read_bytes() == src.read_bytes():
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.copyfile(src, tmp)
    tmp.rename(dest)


def build_arch(arch):
    dest = out_dir(arch)
    image = guests_kernel.ARCHES[arch]["image"]

    entry, key, built = cached(
        "kernel", arch, guests_kernel.key_inputs(arch),
        lambda tmp: guests_kernel.build(arch, tmp, cache_root(), locked,
                                        dest / "kernel-build.log"))
    install(entry / image, dest / image)
    install(entry / "config", dest / "kernel.config")
    if not built:
        print(f"guests: {arch} kernel: reused from cache ({entry})", flush=True)

    entry, key, built = cached(
        "initramfs", arch, guests_initramfs.key_inputs(arch),
        lambda tmp: guests_initramfs.build(arch, tmp, dest / "initramfs-build.log"))
    install(entry / INITRAMFS, dest / INITRAMFS)
    if not built:
        print(f"guests: {arch} initramfs: reused from cache ({entry})", flush=True)


def run(arch, smp, append):
    dest = out_dir(arch)
    kernel = dest / guests_kernel.ARCHES[arch]["image"]
    initrd = dest / INITRAMFS
    for p in (kernel, initrd):
        if not p.exists():
            print(f"guests: {p} is missing; run `make guests`", file=sys.stderr)
            return 1
    cmd = qemu.guest_command(arch, kernel, initrd, append=append, smp=smp, interactive=True)
    print(" ".join(cmd), file=sys.stderr)
    print("(Ctrl-A X quits QEMU; `poweroff` or Ctrl-D in the guest shell powers it off)",
          file=sys.stderr)
    return subprocess.call(cmd)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build or reuse the guests")
    b.add_argument("arches", nargs="*", metavar="ARCH", help=" ".join(ARCHES))
    r = sub.add_parser("run", help="boot a guest on bare QEMU")
    r.add_argument("arch", choices=ARCHES)
    r.add_argument("--smp", type=int)
    r.add_argument("--append", default="", help="more kernel command line, e.g. axvm.after=poweroff")
    k = sub.add_parser("keys", help="print the cache keys and their inputs")
    k.add_argument("arches", nargs="*", metavar="ARCH", help=" ".join(ARCHES))
    args = ap.parse_args(argv[1:])
    for arch in getattr(args, "arches", []):
        if arch not in ARCHES:
            ap.error(f"unknown architecture {arch!r}; choose from {', '.join(ARCHES)}")

    try:
        if args.cmd == "run":
            return run(args.arch, args.smp, args.append)
        for arch in args.arches or ARCHES:
            if args.cmd == "keys":
                for kind, mod in (("kernel", guests_kernel), ("initramfs", guests_initramfs)):
                    inputs = mod.key_inputs(arch)
                    print(f"{arch}-{kind}-{cache_key(inputs)}\n{describe(inputs)}")
            else:
                build_arch(arch)
    except (guests_kernel.BuildError, guests_initramfs.BuildError, debfetch.LockError) as e:
        print(f"\nguests: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
