# SPDX-License-Identifier: MIT
"""scripts/guests*.py without building anything: the fragment check, the cpio writer and the
cache (keys, reuse, rebuild when an input changes)."""
import gzip
import stat
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import guests  # noqa: E402
import guests_initramfs  # noqa: E402
import guests_kernel  # noqa: E402

FINAL = """\
CONFIG_SMP=y
CONFIG_NR_CPUS=8
# CONFIG_MODULES is not set
CONFIG_CMDLINE=""
"""


def test_fragment_lines_that_survived_pass():
    frag = "# comment\nCONFIG_SMP=y\nCONFIG_NR_CPUS=8\n# CONFIG_MODULES is not set\n" \
           "# CONFIG_ABSENT is not set\nCONFIG_CMDLINE=\"\"\n"
    assert guests_kernel.check_fragment(FINAL, frag) == []


def test_fragment_lines_that_did_not_survive_are_named():
    frag = "CONFIG_SMP=y\nCONFIG_RISCV_ISA_FALLBACK=y\nCONFIG_NR_CPUS=4\nCONFIG_MODULES=y\n"
    assert guests_kernel.check_fragment(FINAL, frag) == [
        ("CONFIG_RISCV_ISA_FALLBACK", "y", None),
        ("CONFIG_NR_CPUS", "4", "8"),
        ("CONFIG_MODULES", "y", "n"),
    ]
    assert guests_kernel.check_fragment("CONFIG_X=y\n", "# CONFIG_X is not set\n") == \
        [("CONFIG_X", "n", "y")]


def test_every_fragment_parses():
    for arch in guests_kernel.ARCHES:
        for frag in guests_kernel.fragments(arch):
            values = guests_kernel.parse_config(frag.read_text())
            assert values, f"{frag} sets nothing"
            for line in frag.read_text().splitlines():
                assert not line.strip() or line.startswith("#") or \
                    line.split("=")[0] in values, f"{frag}: unparsed line {line!r}"


def parse_newc(data):
    """[(name, mode, data, rdev)] from a newc cpio archive, checking its framing."""
    out, pos = [], 0
    while True:
        assert data[pos:pos + 6] == b"070701"
        f = [int(data[pos + 6 + 8 * i:pos + 14 + 8 * i], 16) for i in range(13)]
        mode, size, rdev, namesize = f[1], f[6], (f[9], f[10]), f[11]
        name_start = pos + 110
        name = data[name_start:name_start + namesize - 1].decode()
        assert data[name_start + namesize - 1] == 0
        body = (name_start + namesize + 3) & ~3
        content = data[body:body + size]
        pos = (body + size + 3) & ~3
        if name == "TRAILER!!!":
            assert pos == len(data)
            return out
        out.append((name, mode, content, rdev))


def test_cpio_newc_round_trip():
    entries = [
        ("dev", stat.S_IFDIR | 0o755, b"", (0, 0)),
        ("dev/console", stat.S_IFCHR | 0o600, b"", (5, 1)),
        ("init", stat.S_IFREG | 0o755, b"\x7fELF" + bytes(range(7)), (0, 0)),
        ("bin/sh", stat.S_IFLNK | 0o777, b"busybox", (0, 0)),
    ]
    data = guests_initramfs.cpio_newc(entries)
    assert len(data) % 4 == 0
    assert parse_newc(data) == entries
    # Deterministic, down to the gzip header (no name, no time).
    assert guests_initramfs.cpio_newc(entries) == data
    gz = guests_initramfs.gzip_bytes(data)
    assert gz == guests_initramfs.gzip_bytes(data) and gzip.decompress(gz) == data


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("AXVM_CACHE", str(tmp_path))
    return tmp_path


def test_cache_reuses_and_rebuilds_on_any_input_change(cache):
    builds = []

    def build(tmp):
        tmp.mkdir(parents=True)
        (tmp / "Image").write_text(f"build {len(builds)}")
        builds.append(tmp)

    inputs = [("source", b"linux-source-6.12 6.12.117"), ("fragment", b"CONFIG_SMP=y\n")]
    entry, key, built = guests.cached("kernel", "riscv64", inputs, build)
    assert built and (entry / "Image").read_text() == "build 0"
    assert entry.parent == cache / "guests" and key in entry.name
    assert (entry / "key.txt").read_text() == \
        "source: linux-source-6.12 6.12.117\nfragment: CONFIG_SMP=y\n"

    again, key2, built = guests.cached("kernel", "riscv64", inputs, build)
    assert (again, key2, built) == (entry, key, False) and len(builds) == 1

    changed = [inputs[0], ("fragment", b"CONFIG_SMP=y\nCONFIG_NR_CPUS=8\n")]
    other, key3, built = guests.cached("kernel", "riscv64", changed, build)
    assert built and key3 != key and other != entry and len(builds) == 2


def test_failed_build_leaves_no_entry(cache):
    def build(tmp):
        tmp.mkdir(parents=True)
        raise guests_kernel.BuildError("compiler exploded")

    inputs = [("source", b"x")]
    with pytest.raises(guests_kernel.BuildError):
        guests.cached("kernel", "x86_64", inputs, build)
    key = guests.cache_key(inputs)
    assert not (cache / "guests" / f"x86_64-kernel-{key}").exists()
