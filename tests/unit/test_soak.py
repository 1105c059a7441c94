# SPDX-License-Identifier: MIT
"""scripts/soak.py's line check without a machine: it must notice a lost, repeated, reordered
or broken numbered line, and accept the guest's own format (guests/linux/init/soak.c)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import soak  # noqa: E402


def line(vm, n, text=None):
    return f"[{vm}:linux-{'ab'[vm - 1]}] soak: line {n:08d} {text or soak.payload(n)}"


def checked(lines):
    c = soak.LineCheck()
    for text in lines:
        c.line(text)
    return c


def test_whole_lines_in_order_pass():
    c = checked([line(1, 1), line(2, 1), line(1, 2), "[2:linux-b] soak: done, 1 lines",
                 line(1, 3), "[1:linux-a] soak: done, 3 lines"])
    assert c.errors == []
    assert c.last == {1: 3, 2: 1}
    assert c.done == {1: 3, 2: 1}


def test_lost_repeated_reordered_and_broken_lines_fail():
    assert checked([line(1, 1), line(1, 3)]).errors == ["vm1 line 3 came after line 1"]
    assert checked([line(1, 1), line(1, 1)]).errors == ["vm1 line 1 came after line 1"]
    assert checked([line(1, 2), line(1, 1)]).errors[0] == "vm1 line 2 came after line 0"
    broken = line(1, 1, soak.payload(1)[:-1] + "!")
    assert checked([broken]).errors == [f"vm1 line 1 arrived broken: {broken!r}"]
    assert checked(["[1:linux-a] axvm# soak: line 00000001 x"]).errors[0].startswith(
        "a broken soak line")


def test_payload_matches_the_guest(tmp_path):
    """The guest's soak_line() and payload() agree: compile it on the host and compare."""
    src = ROOT / "guests" / "linux" / "init" / "soak.c"
    text = src.read_text()
    body = text[text.index("static const char alphabet"):text.index("static void pin")]
    prog = ("#include <stdio.h>\n#include <string.h>\n#define PAYLOAD 48\n" + body +
            "int main(void) { char b[128]; for (unsigned long n = 1; n < 2000; n += 97) "
            "fwrite(b, 1, soak_line(n, b, sizeof(b)), stdout); return 0; }\n")
    exe = tmp_path / "soak_line"
    subprocess.run(["gcc", "-x", "c", "-o", str(exe), "-"], input=prog, text=True, check=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout
    want = "".join(f"soak: line {n:08d} {soak.payload(n)}\n" for n in range(1, 2000, 97))
    assert out == want
