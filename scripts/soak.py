#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Long runs of two SMP Linux VMs side by side (`make soak ARCH=<arch> [MINUTES=30]`).

The machine is tests/configs/<arch>/linux-pair.toml. In each VM the soak script starts the
guest init's load (`/init --soak SECONDS`: one CPU spinning, the other printing a numbered line
every few milliseconds, guests/linux/init/soak.c), waits for both to finish and then checks:

- every numbered line of both VMs arrived whole (its text is a function of its number), once
  and in order, up to the count each VM reports at the end;
- no failure pattern appeared on the serial line (tests/integration/machine.py);
- both shells still answer, and both VMs power off cleanly (QEMU exits with status 0).

It prints one summary line, "soak <arch>: PASS ..." or "soak <arch>: FAIL: <why>", and exits
with 0 or 1. The serial log is kept in build/soak/<arch>.log.

`--boots N` instead boots the same machine N times, each until both VMs' success markers, and
reports any boot that stalls (the early-boot stall of issue 16) with its log.
"""
import argparse
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests" / "integration"))
import machine  # noqa: E402
import qemu  # noqa: E402

VMS = ((1, "linux-a"), (2, "linux-b"))
PROMPT = "axvm# "
MARKER = "AXVM-GUEST-OK"
BOOT_TIMEOUT = 120
KEEP = 1 << 20  # bytes of recent output kept for expect()

# guests/linux/init/soak.c: "soak: line 00000042 " and 48 characters that depend on the number.
ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
PAYLOAD = 48
SOAK_LINE = re.compile(r"\[(\d+):[^\]\s]*\] soak: line (\d{8}) (.*)")
SOAK_DONE = re.compile(r"\[(\d+):[^\]\s]*\] soak: done, (\d+) lines")


def payload(n):
    return "".join(ALPHABET[(n * 31 + i * 7) % len(ALPHABET)] for i in range(PAYLOAD))


class SoakError(Exception):
    pass


class LineCheck:
    """Every numbered line of each VM: whole, once, in order."""

    def __init__(self):
        self.last = {vm: 0 for vm, _ in VMS}
        self.done = {}
        self.errors = []

    def error(self, what):
        if len(self.errors) < 10:
            self.errors.append(what)

    def line(self, text):
        m = SOAK_LINE.match(text)
        if m:
            vm, n = int(m.group(1)), int(m.group(2))
            if m.group(3) != payload(n):
                self.error(f"vm{vm} line {n} arrived broken: {text!r}")
            elif n != self.last.get(vm, 0) + 1:
                self.error(f"vm{vm} line {n} came after line {self.last.get(vm, 0)}")
            self.last[vm] = max(n, self.last.get(vm, 0))
            return
        if "soak: line" in text:
            self.error(f"a broken soak line: {text!r}")
        m = SOAK_DONE.match(text)
        if m:
            self.done[int(m.group(1))] = int(m.group(2))


class Console:
    """The machine's serial line for a long run: every line is logged and checked as it comes,
    only recent output is kept for expect()."""

    def __init__(self, cmd, log_path, check=None):
        self.check = check
        self.failure = None
        self.buf, self.base, self.pos, self.partial = "", 0, 0, ""
        self.lock = threading.Lock()
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = open(log_path, "w", errors="replace")
        self.log.write("$ " + " ".join(cmd) + "\n")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, cwd=ROOT)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while True:
            data = self.proc.stdout.read1(65536)
            if not data:
                break
            text = data.decode("utf-8", errors="replace").replace("\r", "")
            self.log.write(text)
            lines = (self.partial + text).split("\n")
            self.partial = lines.pop()
            for line in lines:
                found = machine.failure_in(line)
                if found and not self.failure:
                    self.failure = f"failure pattern {found[1]!r}: {found[0]!r}"
                if self.check:
                    self.check.line(line)
            with self.lock:
                self.buf += text
                if len(self.buf) > 2 * KEEP:
                    cut = len(self.buf) - KEEP
                    self.buf, self.base = self.buf[cut:], self.base + cut
        self.log.flush()

    def expect(self, pattern, timeout):
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            if self.failure:
                raise SoakError(self.failure)
            with self.lock:
                m = rx.search(self.buf, max(self.pos - self.base, 0))
                if m:
                    self.pos = self.base + m.end()
                    return m
            if self.proc.poll() is not None and not self.reader.is_alive():
                raise SoakError(f"QEMU exited (status {self.proc.returncode}) before {pattern!r}")
            if time.monotonic() > deadline:
                raise SoakError(f"no {pattern!r} within {timeout:.0f} s")
            time.sleep(0.1)

    def wait_until(self, cond, what, timeout):
        """Wait until cond() holds (it looks at what the line checks found)."""
        deadline = time.monotonic() + timeout
        while not cond():
            if self.failure:
                raise SoakError(self.failure)
            if self.proc.poll() is not None and not self.reader.is_alive():
                raise SoakError(f"QEMU exited (status {self.proc.returncode}) before {what}")
            if time.monotonic() > deadline:
                raise SoakError(f"no {what} within {timeout:.0f} s")
            time.sleep(0.5)

    def rewind(self):
        """Search again from the oldest output kept (VMs interleave)."""
        self.pos = self.base

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def cpu_seconds(self):
        """CPU time QEMU has used so far (user + system), from /proc."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / 100.0

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.reader.join(timeout=10)
        self.log.close()


def wait_markers(con, timeout=BOOT_TIMEOUT):
    for vm, name in VMS:
        con.rewind()
        con.expect(rf"\[{vm}:{name}\] {MARKER}\n", timeout)


def focus(con, vm, name):
    con.send(f"\x1d{vm}")
    con.expect(rf"\[axvm\] console: input goes to \[{vm}:{name}\]", 30)
    con.expect(rf"\[{vm}:{name}\] {PROMPT}", 60)


def shell_answers(con, vm, name, word):
    focus(con, vm, name)
    con.send(f"echo {word[:3]}''{word[3:]}\n")
    con.expect(rf"\n\[{vm}:{name}\] {word}\n", 60)


def soak(args, log):
    check = LineCheck()
    cmd = qemu.machine_command(args.arch, args.image_dir, workdir=log.parent)
    con = Console(cmd, log, check)
    seconds = args.minutes * 60
    start = time.monotonic()
    try:
        wait_markers(con)
        for vm, name in VMS:
            focus(con, vm, name)
            con.send(f"/init --soak {seconds:.0f} {args.interval_ms}\n")
            con.expect(rf"\[{vm}:{name}\] soak: started", 60)
        con.wait_until(lambda: len(check.done) == len(VMS), "\"soak: done\" from both VMs",
                       seconds + 300)
        if check.errors:
            raise SoakError("; ".join(check.errors))
        for vm, name in VMS:
            if check.done.get(vm) != check.last[vm] or not check.last[vm]:
                raise SoakError(f"vm{vm} reported {check.done.get(vm)} lines, "
                                f"{check.last[vm]} arrived")
        for vm, name in VMS:
            shell_answers(con, vm, name, f"alive-after-soak-{vm}")  # the soak has returned
        for vm, name in reversed(VMS):
            focus(con, vm, name)
            con.send("poweroff\n")
            con.expect(rf"\[axvm\] vm{vm} \({name}\): stopped \(shutdown\)", 120)
        con.expect(r"\[axvm\] all VMs have stopped: powering off", 60)
        rc = con.proc.wait(60)
        con.reader.join(timeout=10)
        if con.failure:
            raise SoakError(con.failure)
        if rc != 0:
            raise SoakError(f"QEMU exited with status {rc}")
    except (SoakError, subprocess.TimeoutExpired) as e:
        print(f"soak {args.arch}: FAIL after {(time.monotonic() - start) / 60:.1f} min: {e} "
              f"(log: {log})")
        return 1
    finally:
        con.close()
    lines = ", ".join(f"vm{vm} {check.last[vm]} lines" for vm, _ in VMS)
    print(f"soak {args.arch}: PASS {(time.monotonic() - start) / 60:.1f} min, two 2-vCPU Linux "
          f"VMs each spinning one CPU and printing on the other: {lines}, every one whole, once "
          f"and in order; both shells answered; both powered off cleanly (log: {log})")
    return 0


def boots(args, log_dir):
    """Boot the machine args.boots times; each must reach both markers."""
    times, stalls = [], []
    for n in range(1, args.boots + 1):
        log = log_dir / f"{args.arch}-boot{n}.log"
        con = Console(qemu.machine_command(args.arch, args.image_dir, workdir=log_dir), log)
        start = time.monotonic()
        try:
            wait_markers(con, args.boot_timeout)
            times.append(time.monotonic() - start)
            log.unlink()
        except SoakError as e:
            used = con.cpu_seconds() if con.proc.poll() is None else None
            if used is not None:
                time.sleep(5)
                busy = (con.cpu_seconds() - used) / 5
                e = f"{e}; QEMU used {busy:.2f} CPUs over the next 5 s"
            stalls.append(f"boot {n}: {e} (log: {log})")
            print(f"boots {args.arch}: boot {n} stalled: {e}", flush=True)
        finally:
            con.close()
    summary = f"boots {args.arch}: {args.boots} boots, {len(stalls)} stalled"
    if times:
        summary += (f"; both markers after {statistics.median(times):.1f} s median, "
                    f"{max(times):.1f} s at most")
    print(summary)
    for s in stalls:
        print("  " + s)
    return 1 if stalls else 0


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--arch", default="aarch64")
    p.add_argument("--image-dir", type=Path, help="default build/<arch>/cfg-linux-pair")
    p.add_argument("--minutes", type=float, default=30)
    p.add_argument("--interval-ms", type=int, default=5, help="between numbered lines")
    p.add_argument("--boots", type=int, help="boot this many times instead of a long run")
    p.add_argument("--boot-timeout", type=float, default=BOOT_TIMEOUT)
    args = p.parse_args(argv)
    args.image_dir = args.image_dir or ROOT / "build" / args.arch / "cfg-linux-pair"
    log_dir = ROOT / "build" / "soak"
    log_dir.mkdir(parents=True, exist_ok=True)
    if args.boots:
        return boots(args, log_dir)
    return soak(args, log_dir / f"{args.arch}.log")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
