# SPDX-License-Identifier: MIT
"""scripts/debfetch.py: the lock check refuses what the lock does not pin. No network: the
cache ($AXVM_CACHE) and the lock file are temporary, and downloads are faked."""
import hashlib
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import debfetch  # noqa: E402

NAME, ARCH, VERSION = "busybox-static", "arm64", "1:1.35.0-4+deb12u1+b1"
CONTENT = b"!<arch>\nnot really a deb, but bytes with a known checksum\n"


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A temporary cache and lock pinning NAME:ARCH to CONTENT; downloads write CONTENT
    (tests change 'served' to fake a corrupted mirror) and are counted."""
    monkeypatch.setenv("AXVM_CACHE", str(tmp_path / "cache"))
    lock = tmp_path / "debs.lock"
    monkeypatch.setattr(debfetch, "LOCK", lock)
    debfetch.write_lock({(NAME, ARCH): (VERSION, hashlib.sha256(CONTENT).hexdigest())})
    state = {"served": CONTENT, "downloads": 0}

    def fake_download(name, arch, version, dest):
        state["downloads"] += 1
        (dest / debfetch.deb_filename(name, arch, version)).write_bytes(state["served"])

    monkeypatch.setattr(debfetch, "download", fake_download)
    state["lock"] = lock
    return state


def cached_deb():
    return debfetch.cache_dir() / debfetch.deb_filename(NAME, ARCH, VERSION)


def test_lock_round_trip(env):
    assert debfetch.read_lock() == {(NAME, ARCH): (VERSION, hashlib.sha256(CONTENT).hexdigest())}
    assert "refresh" in env["lock"].read_text()  # the lock says how to refresh it


def test_fetch_downloads_once_and_verifies(env):
    path = debfetch.fetch(f"{NAME}:{ARCH}")
    assert path == cached_deb() and path.read_bytes() == CONTENT
    assert debfetch.fetch(f"{NAME}:{ARCH}") == path
    assert env["downloads"] == 1


def test_tampered_cached_file_is_refused(env):
    debfetch.fetch(f"{NAME}:{ARCH}")
    cached_deb().write_bytes(CONTENT + b"tampered")
    with pytest.raises(debfetch.LockError, match="does not match the lock") as e:
        debfetch.fetch(f"{NAME}:{ARCH}")
    assert f"{NAME}:{ARCH}" in str(e.value) and "refresh" in str(e.value)


def test_corrupted_download_is_refused(env):
    env["served"] = b"something else"
    with pytest.raises(debfetch.LockError, match="does not match the lock"):
        debfetch.fetch(f"{NAME}:{ARCH}")


def test_tampered_lock_checksum_is_refused(env):
    debfetch.fetch(f"{NAME}:{ARCH}")
    text = env["lock"].read_text()
    good = hashlib.sha256(CONTENT).hexdigest()
    env["lock"].write_text(text.replace(good, good[:-1] + ("0" if good[-1] != "0" else "1")))
    with pytest.raises(debfetch.LockError, match="does not match the lock"):
        debfetch.fetch(f"{NAME}:{ARCH}")


def test_missing_entry_is_named(env):
    with pytest.raises(debfetch.LockError, match="busybox-static:amd64 is not pinned") as e:
        debfetch.fetch("busybox-static:amd64")
    assert "debfetch.py refresh busybox-static:amd64" in str(e.value)
    assert env["downloads"] == 0


def test_malformed_lock_lines_are_refused(env):
    env["lock"].write_text("linux-source-6.12 all 6.12.117-1\n")
    with pytest.raises(debfetch.LockError, match=r"debs.lock:1: expected"):
        debfetch.read_lock()
    env["lock"].write_text("linux-source-6.12 all 6.12.117-1 not-a-checksum\n")
    with pytest.raises(debfetch.LockError, match="is not a SHA-256"):
        debfetch.read_lock()


def test_cli_reports_mismatch_and_fails(env, capsys):
    debfetch.fetch(f"{NAME}:{ARCH}")
    cached_deb().write_bytes(b"tampered")
    assert debfetch.main(["debfetch.py", "fetch", f"{NAME}:{ARCH}"]) == 1
    assert "does not match the lock" in capsys.readouterr().err
    assert debfetch.main(["debfetch.py", "check"]) == 1


def test_the_real_lock_pins_what_the_guests_need():
    lock = debfetch.read_lock(Path(debfetch.__file__).with_name("debs.lock"))
    for spec in ("linux-source-6.12:all", "busybox-static:amd64", "busybox-static:arm64"):
        assert debfetch.split_name(spec) in lock, spec
