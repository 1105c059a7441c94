# SPDX-License-Identifier: MIT
"""Fuzz scripts/vmconfig.py's check path with mutated TOML configs and mutated ELF images: every
outcome must be acceptance or exactly one 'config error:' line, never a traceback (which the
command reports as "the checker failed", exit status 2).

By default a fixed-seed run of a few seconds. For a long run (`make fuzz`):
  AXVM_FUZZ_SECONDS=600 [AXVM_FUZZ_SEED=n] python3 -m pytest -q tests/unit/test_vmconfig_fuzz.py
A failing input is kept in build/fuzz/ and named in the failure message."""
import contextlib
import copy
import io
import math
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests" / "unit"))
import image_fixtures  # noqa: E402
import vmconfig  # noqa: E402

SEED = int(os.environ.get("AXVM_FUZZ_SEED", "9"))
SECONDS = float(os.environ.get("AXVM_FUZZ_SECONDS", "0"))
ITERATIONS = 1500  # the short run: a few seconds
ARCHES = ["aarch64", "riscv64", "x86_64"]
RAM_BASE = {"aarch64": 0x40000000, "riscv64": 0x80000000, "x86_64": 0}

# Values a mutation puts where another value was: edges of every type and range the checker
# judges, plus the addresses and names it knows.
INTERESTING = [
    0, 1, -1, 7, 8, 31, 32, 33, 79, 95, 96, 255, 256, 1019, 1020, 4095, 4096, 0x1000 - 1,
    0xffff, 0x10000, 1 << 31, 1 << 32, 1 << 40, (1 << 40) - 4096, 1 << 41, 1 << 48, 1 << 63,
    (1 << 64) - 1, 1 << 64, 1 << 70, -(1 << 63), 0x08000000, 0x09000000, 0x0a003e00, 0x0c000000,
    0x10000000, 0x40000000, 0x40200000, 0x48000000, 0x60000000, 0x80000000, 0xfee00000,
    True, False, 1.5, math.inf, math.nan, -0.0,
    "", "no", "yes", "true", "16M", "4K", "2G", "1T", "0", "-1", "99999999999999999999G", "64 KiB",
    "pl011", "ns16550", "gicv3", "plic", "identity", "lazy", "allocated", "virtio,mmio", "stop",
    "fault",
    "a\x00b", "\x1b[2J", "a\nb", "\u2028", "é", "??=", '"', "\\", "*/", "x" * 1100,
    "tests/configs/bad/images/truncated.elf", "/dev/zero", "/", "build",
    [], [1], [True], [0, 0], [1, 2, 3, 4, 5, 6, 7, 8, 9], ["a"], [[]], [{}], {}, {"base": 1},
]


def toml_value(v):
    """v as an inline TOML value (the whole document is written inline)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        return ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        out = []
        for ch in v:
            o = ord(ch)
            out.append("\\\"" if ch == '"' else "\\\\" if ch == "\\" else
                       f"\\u{o:04x}" if o < 0x20 or o == 0x7f else ch)
        return '"' + "".join(out) + '"'
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{toml_value(str(k))} = {toml_value(x)}"
                               for k, x in v.items()) + "}"
    raise TypeError(type(v))


def tables_of(v):
    return isinstance(v, list) and v and all(isinstance(x, dict) for x in v)


def toml_doc(d):
    """A document as people write it: [[vm]] and [[vm.memory]] blocks where the structure has
    arrays of tables, inline values elsewhere (so text mutations meet real line structure)."""
    out = [f"{toml_value(str(k))} = {toml_value(v)}\n" for k, v in d.items()
           if not (k == "vm" and tables_of(v))]
    for vm in d.get("vm", []) if tables_of(d.get("vm")) else []:
        out.append("[[vm]]\n")
        out += [f"{toml_value(str(k))} = {toml_value(v)}\n" for k, v in vm.items()
                if not (k in ("memory", "device", "passthrough") and tables_of(v))]
        for k in ("memory", "device", "passthrough"):
            for t in vm.get(k, []) if tables_of(vm.get(k)) else []:
                out.append(f"  [[vm.{k}]]\n")
                out += [f"  {toml_value(str(a))} = {toml_value(b)}\n" for a, b in t.items()]
    return "".join(out)


def seed_configs(arch, images):
    """Valid configs for 'arch' to start from, each a dict as tomllib would give it."""
    ram = RAM_BASE[arch]
    vm = {"id": 1, "name": "a", "vcpus": 1, "cpu_affinity": [1], "image": str(images["elf"]),
          "cmdline": "rounds=1",
          "memory": [{"base": ram, "size": "16M"},
                     {"base": ram + (64 << 20), "size": "4M", "kind": "lazy"}],
          "device": [{"type": "ns16550", "base": 0x09000000 if arch != "riscv64" else 0x10000000}]}
    raw = dict(vm, id=2, name="raw", cpu_affinity=[2], image=str(images["raw"]), load_address=ram,
               memory=[{"base": ram, "size": "16M"}])
    out = [{"vm": [vm]}, {"vm": [vm, raw]}]
    if arch == "x86_64":
        out.append({"vm": [dict(vm, device=[{"type": "ns16550", "port": 0x3f8, "size": 8}])]})
    if arch == "aarch64":
        irqs = dict(vm, vcpus=2, cpu_affinity=[2, 3], share_pcpus=False, initrd=str(images["raw"]),
                    device=[{"type": "gicv3", "base": 0x08000000},
                            {"type": "ns16550", "base": 0x09000000, "irq": 33}],
                    passthrough=[{"base": 0x0a003e00, "size": 0x200, "irq": 79,
                                  "compatible": "virtio,mmio"}])
        ident = dict(raw, id=3, name="ident", cpu_affinity=[3], image=str(images["arm64"]),
                     memory=[{"base": 0x60000000, "size": "32M", "kind": "identity"}])
        ident.pop("load_address")
        out += [{"vm": [irqs]}, {"vm": [vm, ident]}]
    return out


def nodes(v, path=()):
    """Every (container, key) in a nested structure."""
    if isinstance(v, dict):
        for k in list(v):
            yield v, k
            yield from nodes(v[k])
    elif isinstance(v, list):
        for i in range(len(v)):
            yield v, i
            yield from nodes(v[i])


def interesting(rng):
    return copy.deepcopy(rng.choice(INTERESTING))


def mutate_structure(rng, doc):
    for _ in range(rng.randint(1, 3)):
        spots = list(nodes(doc))
        if not spots:
            return doc
        box, key = rng.choice(spots)
        op = rng.random()
        if op < 0.6:
            box[key] = interesting(rng)
        elif op < 0.75 and isinstance(box, dict):
            del box[key]
        elif op < 0.85 and isinstance(box, list):
            box.insert(rng.randrange(len(box) + 1), copy.deepcopy(box[key])
                       if rng.random() < 0.7 else interesting(rng))
        elif op < 0.95 and isinstance(box, dict):
            box[rng.choice(["base", "size", "irq", "kind", "type", "port", "entry", "initrd",
                            "load_address", "share_pcpus", "passthrough", "device", "memory",
                            "on_bad_access", "bogus", "a\nb"])] = interesting(rng)
        else:
            other_box, other_key = rng.choice(spots)
            box[key] = copy.deepcopy(other_box[other_key])
    return doc


TOKENS = [b"[", b"]", b"[[vm]]\n", b"[[vm.memory]]\n", b"{", b"}", b"=", b"\"", b"'", b"\n", b"#",
          b"0x", b"-", b"true", b"\\u0000", b"\xff", b"\x00", b"1e999", b",", b"."]


def mutate_text(rng, text):
    b = bytearray(text)
    for _ in range(rng.randint(1, 4)):
        if not b:
            b += rng.choice(TOKENS)
            continue
        i = rng.randrange(len(b))
        op = rng.random()
        if op < 0.3:
            b[i] = rng.choice(b" 0123456789abcdefxKMG[]{}=\",.-_#\n") if rng.random() < 0.9 \
                else rng.randrange(256)
        elif op < 0.5:
            del b[i:i + rng.randint(1, 16)]
        elif op < 0.8:
            b[i:i] = rng.choice(TOKENS)
        else:
            j = rng.randrange(len(b))
            b[i:i] = b[j:j + rng.randint(1, 40)]
    return bytes(b)


# ELF header and first program header fields: (offset, struct format).
ELF_FIELDS = [(4, "<B"), (5, "<B"), (18, "<H"), (24, "<Q"), (32, "<Q"), (54, "<H"), (56, "<H"),
              (64, "<I"), (72, "<Q"), (88, "<Q"), (96, "<Q"), (104, "<Q")]
ELF_VALUES = [0, 1, 2, 7, 8, 55, 56, 57, 64, 120, 136, 0xffff, 0x1000, 0x10000, 1 << 32,
              1 << 40, 1 << 63, (1 << 64) - 1, 0x40000000, 0x80000000, 0x40000000 + (16 << 20)]


def mutate_elf(rng, data):
    import struct
    b = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        op = rng.random()
        if op < 0.6:
            off, fmt = rng.choice(ELF_FIELDS)
            size = struct.calcsize(fmt)
            if off + size <= len(b):
                v = rng.choice(ELF_VALUES) & ((1 << (8 * size)) - 1)
                struct.pack_into(fmt, b, off, v)
        elif op < 0.75:
            del b[rng.randrange(len(b) + 1):]
        elif op < 0.9 and b:
            b[rng.randrange(len(b))] = rng.randrange(256)
        else:
            b += bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    return bytes(b)


def check_once(path, arch):
    """Run the command's check path; returns (status, stderr)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        rc = vmconfig.main(["check", "--arch", arch, str(path)])
    return rc, err.getvalue()


def verdict_ok(rc, err, path):
    lines = err.splitlines()
    if rc == 0:
        return err == ""
    return rc == 1 and len(lines) == 1 and lines[0].startswith(f"config error: {path}: ")


def make_images(tmp, arch):
    images = {"elf": tmp / f"{arch}-guest.elf", "raw": tmp / f"{arch}-raw.bin",
              "arm64": tmp / "Image"}
    images["elf"].write_bytes(image_fixtures.make_elf(arch, paddr=RAM_BASE[arch],
                                                    payload=b"\x01" * 64))
    images["raw"].write_bytes(b"\x02" * 512)
    images["arm64"].write_bytes(image_fixtures.make_arm64_image())
    return images


def keep_failure(i, files):
    out = ROOT / "build" / "fuzz"
    out.mkdir(parents=True, exist_ok=True)
    kept = []
    for f in files:
        dest = out / f"fail-{SEED}-{i}-{f.name}"
        shutil.copyfile(f, dest)
        kept.append(str(dest.relative_to(ROOT)))
    return ", ".join(kept)


def test_fuzz_config_checker(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    rng = random.Random(SEED)
    images = {a: make_images(tmp_path, a) for a in ARCHES}
    seeds = {a: seed_configs(a, images[a]) for a in ARCHES}
    # The seeds themselves must pass, or the run tests nothing but the first error.
    for a in ARCHES:
        for n, doc in enumerate(seeds[a]):
            p = tmp_path / f"seed-{a}-{n}.toml"
            p.write_text(toml_doc(doc))
            rc, err = check_once(p, a)
            assert rc == 0, f"seed {a} {n} is refused: {err}"
    deadline = time.monotonic() + SECONDS
    outcomes = {0: 0, 1: 0}
    i = 0
    while (i < ITERATIONS) if not SECONDS else (time.monotonic() < deadline):
        arch = rng.choice(ARCHES)
        doc = rng.choice(seeds[arch])
        cfg = tmp_path / "fuzz.toml"
        files = [cfg]
        doc = copy.deepcopy(doc)
        kind = rng.random()
        if kind < 0.3:
            elf = tmp_path / "fuzz.elf"
            elf.write_bytes(mutate_elf(rng, images[arch]["elf"].read_bytes()))
            doc["vm"][0]["image"] = str(elf)
            files.append(elf)
            text = toml_doc(doc).encode()
        elif kind < 0.75:
            text = toml_doc(mutate_structure(rng, doc)).encode()
        else:
            text = mutate_text(rng, toml_doc(doc).encode())
        cfg.write_bytes(text)
        rc, err = check_once(cfg, arch)
        if not verdict_ok(rc, err, cfg):
            kept = keep_failure(i, files)
            pytest.fail(f"seed {SEED} iteration {i} ({arch}): status {rc}, stderr {err!r}; "
                        f"input kept in {kept}")
        outcomes[rc] += 1
        i += 1
    # Both verdicts must occur, or the mutations are too weak (or too strong) to test anything.
    assert outcomes[0] > 0 and outcomes[1] > 0, outcomes


def test_accepted_odd_values_compile(tmp_path, monkeypatch):
    """What the checker accepts, the C compiler must accept too: strings with quotes,
    backslashes, '?' and non-ASCII characters, the largest addresses."""
    monkeypatch.chdir(ROOT)
    images = make_images(tmp_path, "aarch64")
    doc = seed_configs("aarch64", images)[2]
    doc["vm"][0]["cmdline"] = 'a "b" \\c ??= é \u2603 */ %s'
    doc["vm"][0]["memory"].append({"base": (1 << 40) - (2 << 20), "size": "2M", "kind": "lazy"})
    cfg = tmp_path / 'odd "name" ??=.toml'
    cfg.write_text(toml_doc(doc))
    vms = vmconfig.run("generate", cfg, "aarch64", tmp_path / "gen")
    assert vms[0]["cmdline"] == doc["vm"][0]["cmdline"]
    src = tmp_path / "gen" / "vmconfig.c"
    r = subprocess.run(["gcc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter",
                        "-fsyntax-only", "-Ikernel/include", "-Idrivers/include", str(src)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "\\342\\230\\203" in src.read_text()  # the snowman as UTF-8 octal escapes
