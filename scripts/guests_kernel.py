# SPDX-License-Identifier: MIT
"""Build a small Linux kernel for one architecture from Debian's linux-source-6.12.

The recipe: `tinyconfig`, then guests/linux/common.config and guests/linux/<arch>.config
merged over it, `olddefconfig`, a check that every fragment line survived, and the image
(`Image` or `bzImage`) built with the Debian cross compiler. Compiler output goes to a log;
the terminal gets one line per phase and a progress count.

Everything that affects the result is in key_inputs(): the pinned source package, both
fragments, the compiler and linker versions and this file. scripts/guests.py caches the
result under a hash of them.
"""
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import debfetch

ROOT = Path(__file__).resolve().parent.parent
FRAGMENT_DIR = ROOT / "guests" / "linux"
SOURCE_PKG = "linux-source-6.12:all"

# Per guest architecture: the kernel's ARCH, the Debian cross toolchain and the image.
ARCHES = {
    "aarch64": {"karch": "arm64", "cross": "aarch64-linux-gnu-", "image": "Image",
                "image_path": "arch/arm64/boot/Image"},
    "riscv64": {"karch": "riscv", "cross": "riscv64-linux-gnu-", "image": "Image",
                "image_path": "arch/riscv/boot/Image"},
    "x86_64": {"karch": "x86_64", "cross": "x86_64-linux-gnu-", "image": "bzImage",
               "image_path": "arch/x86/boot/bzImage"},
}


class BuildError(Exception):
    pass


def fragments(arch):
    return [FRAGMENT_DIR / "common.config", FRAGMENT_DIR / f"{arch}.config"]


def tool_version(tool):
    try:
        out = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        raise BuildError(f"{tool} is not usable ({e}); run `make deps`")
    return out.stdout.splitlines()[0]


def key_inputs(arch):
    """[(label, bytes)] of everything the kernel for 'arch' depends on."""
    cross = ARCHES[arch]["cross"]
    name, parch = debfetch.split_name(SOURCE_PKG)
    lock = debfetch.read_lock()
    if (name, parch) not in lock:
        raise BuildError(f"{SOURCE_PKG} is not pinned in scripts/debs.lock; run: "
                         f"python3 scripts/debfetch.py refresh {SOURCE_PKG}")
    version, sha = lock[(name, parch)]
    inputs = [("source", f"{SOURCE_PKG} {version} {sha}".encode())]
    inputs += [(f"fragment {p.name}", p.read_bytes()) for p in fragments(arch)]
    inputs += [(f"tool {cross}{t}", tool_version(cross + t).encode()) for t in ("gcc", "ld")]
    inputs += [("recipe", Path(__file__).read_bytes())]
    return inputs


# ---- fragment check --------------------------------------------------------------------------

_SET = re.compile(r"^(CONFIG_[A-Za-z0-9_]+)=(.*)$")
_UNSET = re.compile(r"^# (CONFIG_[A-Za-z0-9_]+) is not set$")


def parse_config(text):
    """{symbol: value} of a .config or fragment; 'n' for '# CONFIG_X is not set'."""
    values = {}
    for line in text.splitlines():
        line = line.strip()
        m = _SET.match(line)
        if m:
            values[m.group(1)] = m.group(2)
            continue
        m = _UNSET.match(line)
        if m:
            values[m.group(1)] = "n"
    return values


def check_fragment(final_config, fragment_text):
    """Return [(symbol, wanted, got)] for every fragment line the final .config does not
    carry; 'got' is None when the symbol is absent from .config altogether."""
    final = parse_config(final_config)
    missing = []
    for sym, wanted in parse_config(fragment_text).items():
        got = final.get(sym)
        if wanted == "n":
            if got not in (None, "n"):
                missing.append((sym, wanted, got))
        elif got != wanted:
            missing.append((sym, wanted, got))
    return missing


def symbol_exists(srctree, sym, karch):
    """Whether a Kconfig file for 'karch' in 'srctree' defines 'sym' (for a clearer error)."""
    rx = re.compile(rf"^\s*(menu)?config\s+{re.escape(sym[len('CONFIG_'):])}\s*$", re.M)
    for dirpath, dirs, files in os.walk(srctree):
        if Path(dirpath) == Path(srctree) / "arch":
            dirs[:] = [d for d in dirs if d == karch or (karch == "x86_64" and d == "x86")]
        for f in files:
            if f.startswith("Kconfig"):
                try:
                    if rx.search(Path(dirpath, f).read_text(errors="replace")):
                        return True
                except OSError:
                    pass
    return False


# ---- source tree -----------------------------------------------------------------------------

def source_tree(cache_root, locked):
    """Extract the whole pinned linux-source tree into the cache once; return its path."""
    deb = debfetch.fetch(SOURCE_PKG)
    base = cache_root / "src"
    base.mkdir(parents=True, exist_ok=True)
    dest = base / deb.stem
    with locked(base / f".{deb.stem}.lock"):
        if not (dest / ".done").exists():
            listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True,
                                     text=True, check=True).stdout
            tarballs = re.findall(r"(\./usr/src/linux-source-[^/\s]+\.tar\.xz)$", listing, re.M)
            if not tarballs:
                raise BuildError(f"{deb.name} holds no /usr/src/linux-source-*.tar.xz")
            print(f"guests: extracting {deb.name} (once per machine)", flush=True)
            tmp = base / (deb.stem + ".tmp")
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir()
            deb_tar = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)],
                                       stdout=subprocess.PIPE)
            inner = subprocess.Popen(["tar", "-xO", tarballs[0]], stdin=deb_tar.stdout,
                                     stdout=subprocess.PIPE)
            deb_tar.stdout.close()
            rc = subprocess.run(["tar", "-xJ", "-C", str(tmp)], stdin=inner.stdout).returncode
            inner.stdout.close()
            if rc or inner.wait() or deb_tar.wait():
                raise BuildError(f"extracting {tarballs[0]} from {deb.name} failed")
            shutil.rmtree(dest, ignore_errors=True)
            (tmp / ".done").touch()
            tmp.rename(dest)
    trees = [p for p in dest.iterdir() if p.is_dir() and (p / "Makefile").exists()]
    if len(trees) != 1:
        raise BuildError(f"expected one kernel tree in {dest}, found {trees}")
    return trees[0]


# ---- build -----------------------------------------------------------------------------------

def _kbuild_env():
    env = dict(os.environ)
    # Do not let an outer make's jobserver or flags leak into the kernel's make.
    for var in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "GNUMAKEFLAGS"):
        env.pop(var, None)
    env["LC_ALL"] = "C"
    # Reproducible: no host name, user, time or count of earlier builds in the image.
    env.update(KBUILD_BUILD_USER="axvm", KBUILD_BUILD_HOST="axvm",
               KBUILD_BUILD_TIMESTAMP="1970-01-01", KBUILD_BUILD_VERSION="1")
    return env


def _fmt_time(seconds):
    return f"{int(seconds) // 60}m{int(seconds) % 60:02d}s"


def _run_logged(cmd, log, label, progress=False):
    """Run 'cmd' with its output appended to 'log'; with 'progress', report how many files
    kbuild has compiled so far (a rewritten line on a terminal, every 30 s otherwise)."""
    tty = sys.stdout.isatty()
    start = time.monotonic()
    with open(log, "ab") as f:
        f.write(("$ " + " ".join(cmd) + "\n").encode())
        f.flush()
        offset = f.tell()
        proc = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, env=_kbuild_env())
    count, last_report, partial = 0, start, b""
    while True:
        try:
            rc = proc.wait(timeout=1)
        except subprocess.TimeoutExpired:
            rc = None
        if progress:
            with open(log, "rb") as f:
                f.seek(offset)
                data = partial + f.read()
                offset = f.tell()
            lines = data.split(b"\n")
            partial = lines.pop()
            count += sum(1 for ln in lines if re.match(rb"^  [A-Z0-9_]+\s", ln))
            now = time.monotonic()
            msg = f"guests: {label}: {count} files, {_fmt_time(now - start)}"
            if tty:
                print("\r" + msg + "\033[K", end="", flush=True)
            elif now - last_report >= 30 and rc is None:
                print(msg, flush=True)
                last_report = now
        if rc is not None:
            break
    if progress and tty:
        print("\r\033[K", end="", flush=True)
    if rc:
        tail = log.read_text(errors="replace").splitlines()[-40:]
        raise BuildError(f"{label}: `{' '.join(cmd[:1] + cmd[-1:])}` failed (status {rc}); "
                         f"last lines of {log}:\n" + "\n".join(tail))
    return time.monotonic() - start


def build(arch, out_dir, cache_root, locked, log):
    """Build the kernel for 'arch' into out_dir/<Image|bzImage> (and out_dir/config)."""
    info = ARCHES[arch]
    label = f"{arch} kernel"
    src = source_tree(cache_root, locked)
    # The object tree lives in the cache too, so a changed fragment rebuilds incrementally.
    # It is wiped when the source or the compiler changes.
    objdir = cache_root / "guests" / "kbuild" / arch
    stamp = "\n".join([str(src)] + [tool_version(info["cross"] + t) for t in ("gcc", "ld")])
    if not (objdir / ".axvm-stamp").exists() or (objdir / ".axvm-stamp").read_text() != stamp:
        shutil.rmtree(objdir, ignore_errors=True)
        objdir.mkdir(parents=True)
        (objdir / ".axvm-stamp").write_text(stamp)

    kmake = ["make", "-C", str(src), f"O={objdir}", f"ARCH={info['karch']}",
             f"CROSS_COMPILE={info['cross']}"]
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    frags = fragments(arch)
    print(f"guests: {label}: configuring (tinyconfig + "
          f"{' + '.join(str(p.relative_to(ROOT)) for p in frags)})", flush=True)
    _run_logged(kmake + ["tinyconfig"], log, label)
    _run_logged([str(src / "scripts/kconfig/merge_config.sh"), "-m", "-O", str(objdir),
                 str(objdir / ".config")] + [str(p) for p in frags], log, label)
    _run_logged(kmake + ["olddefconfig"], log, label)

    final = (objdir / ".config").read_text()
    problems = []
    for frag in frags:
        for sym, wanted, got in check_fragment(final, frag.read_text()):
            if not symbol_exists(src, sym, info["karch"]):
                why = "no such option in this kernel"
            elif wanted == "n":
                why = f"still {got}: another option selects it"
            elif got in (None, "n"):
                why = "dropped by olddefconfig: a dependency is not met"
            else:
                why = f"olddefconfig set it to {got}"
            problems.append(f"  {sym}={wanted} ({frag.relative_to(ROOT)}): {why}")
    if problems:
        raise BuildError(f"{label}: fragment options that did not survive olddefconfig "
                         f"(see {objdir / '.config'}):\n" + "\n".join(problems))

    jobs = os.cpu_count() or 1
    print(f"guests: {label}: compiling {info['image']} with {info['cross']}gcc -j{jobs} "
          f"(log: {log})", flush=True)
    took = _run_logged(kmake + [f"-j{jobs}", info["image"]], log, label, progress=True)
    image = objdir / info["image_path"]
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(image, out_dir / info["image"])
    shutil.copyfile(objdir / ".config", out_dir / "config")
    size = image.stat().st_size
    print(f"guests: {label}: {info['image']} {size / 1e6:.1f} MB in {_fmt_time(took)}",
          flush=True)
    return out_dir / info["image"]
