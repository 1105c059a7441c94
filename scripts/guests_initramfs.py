# SPDX-License-Identifier: MIT
"""Build the initramfs of a Linux test guest: the test init (guests/linux/init/, static, with
the Debian cross toolchain and C library) and, where Debian has it, busybox-static for an
interactive shell (riscv64 has none; its init has a built-in shell).

The archive is written here, not by cpio(1): newc format, every file owned by root, time 0,
fixed order, gzip without a name or time stamp, so the same inputs give the same bytes and no
root privileges are needed for the device node.

Everything that affects the result is in key_inputs(): the init's sources and flags, the
compiler version, the static C library, the pinned busybox package and this file.
"""
import gzip
import io
import stat
import subprocess
import tarfile
from pathlib import Path

import debfetch
from guests_kernel import ARCHES, BuildError, tool_version

ROOT = Path(__file__).resolve().parent.parent
INIT_DIR = ROOT / "guests" / "linux" / "init"
INITRAMFS = "initramfs.cpio.gz"

# Debian's busybox-static for each guest architecture; None where Debian has no port.
BUSYBOX = {"aarch64": "busybox-static:arm64", "riscv64": None, "x86_64": "busybox-static:amd64"}

INIT_CFLAGS = ["-std=gnu11", "-Os", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter",
               "-static", "-s"]

DIRS = ["bin", "dev", "etc", "proc", "root", "sbin", "sys", "tmp", "usr", "usr/bin", "usr/sbin"]


def init_sources():
    return sorted(p for p in INIT_DIR.iterdir() if p.suffix in (".c", ".h"))


def libc_archive(cc):
    """The static C library 'cc' links the init with (part of the init, so of the key)."""
    out = subprocess.run([cc, "-print-file-name=libc.a"], capture_output=True, text=True)
    path = Path(out.stdout.strip())
    if out.returncode or not path.is_absolute() or not path.exists():
        pkg = {"aarch64-linux-gnu-gcc": "libc6-dev-arm64-cross",
               "riscv64-linux-gnu-gcc": "libc6-dev-riscv64-cross"}.get(cc, "libc6-dev")
        raise BuildError(f"{cc} has no static C library (libc.a); run `make deps` ({pkg})")
    return path


def key_inputs(arch):
    """[(label, bytes)] of everything the initramfs for 'arch' depends on."""
    cc = ARCHES[arch]["cross"] + "gcc"
    inputs = [(f"init {p.name}", p.read_bytes()) for p in init_sources()]
    inputs += [("cflags", " ".join(INIT_CFLAGS).encode()),
               (f"tool {cc}", tool_version(cc).encode()),
               ("libc.a", libc_archive(cc).read_bytes())]
    spec = BUSYBOX[arch]
    if spec:
        name, parch = debfetch.split_name(spec)
        lock = debfetch.read_lock()
        if (name, parch) not in lock:
            raise BuildError(f"{spec} is not pinned in scripts/debs.lock; run: "
                             f"python3 scripts/debfetch.py refresh {spec}")
        version, sha = lock[(name, parch)]
        inputs.append(("busybox", f"{spec} {version} {sha}".encode()))
    inputs.append(("recipe", Path(__file__).read_bytes()))
    return inputs


# ---- cpio (newc) -----------------------------------------------------------------------------

def cpio_newc(entries):
    """The bytes of a newc cpio archive of 'entries': (path, mode, data, rdev) tuples, where
    'mode' includes the file type, 'data' is the file content or the symlink target and
    'rdev' is (major, minor) for device nodes."""
    out = io.BytesIO()

    def record(ino, name, mode, data=b"", rdev=(0, 0)):
        name_b = name.encode() + b"\0"
        fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0]
        out.write(b"070701" + b"".join(b"%08X" % f for f in fields) + name_b)
        out.write(b"\0" * (-out.tell() % 4))
        out.write(data)
        out.write(b"\0" * (-out.tell() % 4))

    for ino, (path, mode, data, rdev) in enumerate(entries, 1):
        record(ino, path, mode, data, rdev)
    record(0, "TRAILER!!!", 0)
    return out.getvalue()


def gzip_bytes(data):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as g:
        g.write(data)
    return buf.getvalue()


# ---- build -----------------------------------------------------------------------------------

def busybox_binary(spec):
    """The bytes of /bin/busybox from the pinned, verified .deb (no install: the arm64 one
    cannot be installed beside the amd64 one)."""
    deb = debfetch.fetch(spec)
    tar_bytes = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(deb)], capture_output=True,
                               check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as t:
        for member in ("./bin/busybox", "./usr/bin/busybox"):
            try:
                return t.extractfile(member).read()
            except KeyError:
                continue
    raise BuildError(f"{deb.name} has no bin/busybox")


def compile_init(arch, dest, log):
    cc = ARCHES[arch]["cross"] + "gcc"
    cmd = [cc] + INIT_CFLAGS + ["-o", str(dest)] + [str(p) for p in init_sources()
                                                      if p.suffix == ".c"]
    with open(log, "a") as f:
        f.write("$ " + " ".join(cmd) + "\n")
        f.flush()
        rc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT).returncode
    if rc:
        raise BuildError(f"{arch} init: compiling failed:\n{log.read_text(errors='replace')}")
    return dest.read_bytes()


def build(arch, out_dir, log):
    """Write out_dir/initramfs.cpio.gz for 'arch'."""
    out_dir.mkdir(parents=True, exist_ok=True)
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    init = compile_init(arch, out_dir / "init", log)
    entries = [(d, stat.S_IFDIR | 0o755, b"", (0, 0)) for d in DIRS]
    entries.append(("dev/console", stat.S_IFCHR | 0o600, b"", (5, 1)))
    entries.append(("init", stat.S_IFREG | 0o755, init, (0, 0)))
    what = "init"
    if BUSYBOX[arch]:
        entries.append(("bin/busybox", stat.S_IFREG | 0o755, busybox_binary(BUSYBOX[arch]),
                        (0, 0)))
        entries.append(("bin/sh", stat.S_IFLNK | 0o777, b"busybox", (0, 0)))
        what += " + busybox"
    data = gzip_bytes(cpio_newc(entries))
    (out_dir / INITRAMFS).write_bytes(data)
    print(f"guests: {arch} initramfs: {what}, {len(data) / 1e3:.0f} kB", flush=True)
    return out_dir / INITRAMFS
