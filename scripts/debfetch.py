#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fetch Debian packages pinned by version and SHA-256 in scripts/debs.lock.

  debfetch.py fetch NAME[:ARCH]   print the path of the verified .deb (downloading it once
                                  into the cache); fail if the lock's checksum does not match
  debfetch.py refresh [NAME...]   pin the mirror's current candidate version and checksum
  debfetch.py check               verify every cached .deb against the lock

The cache lives in $AXVM_CACHE (default ~/.cache/axvm), outside the build tree, so a
`make clean` does not download again.
"""
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

LOCK = Path(__file__).resolve().parent / "debs.lock"


class LockError(Exception):
    pass


def cache_dir():
    root = Path(os.environ.get("AXVM_CACHE", Path.home() / ".cache" / "axvm"))
    d = root / "debs"
    d.mkdir(parents=True, exist_ok=True)
    return d


def split_name(spec):
    name, _, arch = spec.partition(":")
    return name, arch or "amd64"


def read_lock(path=None):
    """Return {(name, arch): (version, sha256)} from the lock file (scripts/debs.lock)."""
    path = Path(path or LOCK)
    entries = {}
    if not path.exists():
        return entries
    for n, line in enumerate(path.read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if len(fields) != 4:
            raise LockError(f"{path}:{n}: expected 'name arch version sha256', got {line!r}")
        name, arch, version, sha = fields
        if not re.fullmatch(r"[0-9a-f]{64}", sha):
            raise LockError(f"{path}:{n}: {sha!r} is not a SHA-256 (64 lowercase hex digits)")
        entries[(name, arch)] = (version, sha)
    return entries


def write_lock(entries, path=None):
    path = Path(path or LOCK)
    lines = [
        "# Debian packages the build downloads, pinned: name arch version sha256.",
        "# Refresh with: python3 scripts/debfetch.py refresh",
    ]
    for (name, arch), (version, sha) in sorted(entries.items()):
        lines.append(f"{name} {arch} {version} {sha}")
    path.write_text("\n".join(lines) + "\n")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def deb_filename(name, arch, version):
    # apt-get download names files name_version_arch.deb with ':' in the version as %3a.
    return f"{name}_{version.replace(':', '%3a')}_{arch}.deb"


def apt_spec(name, arch, version=None):
    # Arch-independent and native packages are asked for without an architecture qualifier.
    q = name if arch in ("all", "amd64") else f"{name}:{arch}"
    return f"{q}={version}" if version else q


def verify(path, name, arch, expected):
    actual = sha256(path)
    if actual != expected:
        raise LockError(
            f"{path.name}: SHA-256 {actual} does not match the lock ({expected}) for "
            f"{name}:{arch}. The download was corrupted or tampered with; delete it and "
            f"retry, or if Debian really changed it, run: python3 scripts/debfetch.py refresh {name}:{arch}"
        )


def download(name, arch, version, dest):
    # As root, apt would try to drop to its _apt user, which cannot write to our cache, and
    # warn about it; download as root directly.
    sandbox = ["-o", "APT::Sandbox::User=root"] if os.geteuid() == 0 else []
    subprocess.run(
        ["apt-get", "download", "-qq"] + sandbox + [apt_spec(name, arch, version)],
        cwd=dest,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def fetch(spec, lock=None):
    name, arch = split_name(spec)
    entries = read_lock() if lock is None else lock
    if (name, arch) not in entries:
        raise LockError(
            f"{name}:{arch} is not pinned in {LOCK.name}; add it with: "
            f"python3 scripts/debfetch.py refresh {name}:{arch}"
        )
    version, expected = entries[(name, arch)]
    dest = cache_dir()
    path = dest / deb_filename(name, arch, version)
    if not path.exists():
        print(f"debfetch: downloading {name}:{arch} {version}", file=sys.stderr)
        try:
            download(name, arch, version, dest)
        except subprocess.CalledProcessError:
            raise LockError(
                f"could not download {name}:{arch}={version} (is 'apt-get update' done, and is "
                f"that version still on the mirror? If not: python3 scripts/debfetch.py refresh {name}:{arch})"
            )
    verify(path, name, arch, expected)
    return path


def candidate_version(name, arch):
    out = subprocess.run(
        ["apt-cache", "policy", apt_spec(name, arch)], capture_output=True, text=True, check=True
    ).stdout
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("Candidate:"):
            v = line.split(":", 1)[1].strip()
            if v and v != "(none)":
                return v
    raise LockError(f"no candidate version for {name}:{arch}; run apt-get update")


def refresh(specs):
    entries = read_lock()
    targets = [split_name(s) for s in specs] if specs else list(entries)
    for name, arch in targets:
        version = candidate_version(name, arch)
        dest = cache_dir()
        path = dest / deb_filename(name, arch, version)
        if not path.exists():
            download(name, arch, version, dest)
        entries[(name, arch)] = (version, sha256(path))
        print(f"debfetch: pinned {name}:{arch} {version}", file=sys.stderr)
    write_lock(entries)


def main(argv):
    if len(argv) < 2 or argv[1] not in ("fetch", "refresh", "check"):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        if argv[1] == "fetch":
            for spec in argv[2:]:
                print(fetch(spec))
        elif argv[1] == "refresh":
            refresh(argv[2:])
        else:
            for (name, arch), (version, sha) in read_lock().items():
                path = cache_dir() / deb_filename(name, arch, version)
                if path.exists():
                    verify(path, name, arch, sha)
    except LockError as e:
        print(f"debfetch: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
