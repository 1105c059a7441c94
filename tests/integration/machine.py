# SPDX-License-Identifier: MIT
"""A QEMU machine under test: start it, read its serial line with deadlines, fail on trouble.

Every wait checks the whole output seen so far against the failure patterns, so a panic or a
register dump fails the test at once instead of running into the timeout.
"""
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import board  # noqa: E402
import qemu  # noqa: E402

# Output that means something went wrong. The hypervisor's patterns count only on its own lines:
# a guest's lines start "[<id>:<name>] " (the console multiplexer puts that prefix on every one,
# and guests cannot erase it), so nothing a guest prints can pass for the hypervisor failing.
HYPERVISOR_FAILURES = [
    r"\[axvm\] error:",
    r"EXCEPTION on cpu",
    r"PANIC on cpu",
    r"system halted",
    r"[Uu]nhandled (exit|trap|exception)",
]
# A guest kernel failing: on any line, a VM's or (a guest on bare QEMU) unprefixed.
GUEST_FAILURES = [
    r"Kernel panic",
    r"\bOops\b",
    r"Unable to handle kernel",
    r"rcu: INFO",
    r"BUG:",
]
FAILURE_PATTERNS = HYPERVISOR_FAILURES + GUEST_FAILURES
GUEST_LINE = re.compile(r"\[\d+:[^\]\s]*\] ")


ANY_FAILURE = re.compile("|".join(f"(?:{p})" for p in FAILURE_PATTERNS))


def failure_in(text, allowed=()):
    """The first line of 'text' showing a failure, and its pattern; None if there is none.
    Lines matching one of the compiled 'allowed' patterns do not count."""
    for m in ANY_FAILURE.finditer(text):
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        line = text[start:end if end >= 0 else len(text)]
        if any(a.search(line) for a in allowed):
            continue
        for pat in GUEST_FAILURES if GUEST_LINE.match(line) else FAILURE_PATTERNS:
            if re.search(pat, line):
                return line, pat
    return None


# Linux guests (test_linux_*.py): what must never appear, and the shell's prompt.
LINUX_FAILURES = [r"Kernel panic", r"\bOops\b", r"rcu: INFO", r"BUG:", r"Unable to handle"]
LINUX_PROMPT = r"axvm# "


# ---- SMP Linux (VM 1, "linux") beside the bare-metal "ticker" (VM 2): test_linux_*.py ------
# The configs tests/configs/<arch>/linux*.toml pin Linux's two vCPUs to pCPUs 0 and 1. Its init
# prints "AXVM-GUEST-OK" only after its checks (arithmetic, tmpfs, a child process, work on
# every CPU); the ticker prints a checked computation every 25 ms.


def expect_linux_up(m, before_vcpu1=(), after_vcpu1=(), pcpus=(0, 1), timeout=120):
    """Follow Linux from its VM's first boot to its shell, its two vCPUs on 'pcpus', with the
    test's own lines (regexes) expected in order before and after its second vCPU starts.
    Returns the offset of the AXVM-GUEST-OK marker in the output."""
    m.expect(rf"\[axvm\] vm1 \(linux\): boot #1, 2 vCPUs on pCPU {pcpus[0]}", 60)
    for pattern in before_vcpu1:
        m.expect(pattern, timeout)
    m.expect(rf"\[axvm\] vm1 \(linux\): vcpu1 started on pCPU {pcpus[1]}", timeout)
    for pattern in after_vcpu1:
        m.expect(pattern, timeout)
    m.expect(r"\[1:linux\] init: cpus online 2", timeout)
    m.expect(r"\[1:linux\] init: every cpu ok: 2 workers")
    marker = m.expect(r"\[1:linux\] AXVM-GUEST-OK").start()
    m.expect(LINUX_PROMPT, 60)
    return marker


def expect_console_focus_moves(m):
    """The console hotkeys with Linux in focus: list the VMs, move the focus away and back."""
    m.send("\x1dl")
    m.expect(r"\[axvm\] console: \* \[1:linux\]", 30)
    m.expect(r"\[axvm\] console:   \[2:ticker\]", 30)
    m.send("\x1dn")
    m.expect(r"\[axvm\] console: input goes to \[2:ticker\]", 30)
    m.send("\x1d1")
    m.expect(r"\[axvm\] console: input goes to \[1:linux\]", 30)


def poweroff_linux(m):
    """`poweroff` in Linux's shell stops its VM (and only it); returns where that was said."""
    m.send("poweroff\n")
    return m.expect(r"\[axvm\] vm1 \(linux\): stopped \(shutdown\)", 60).start()


def poweroff_linux_then_ticker(m, marker):
    """Power Linux off and see the ticker, which printed while Linux booted (before 'marker',
    from expect_linux_up), go on alone to its end; then the machine powers off cleanly."""
    stopped = poweroff_linux(m)
    ticks = [t.start() for t in re.finditer(r"\[2:ticker\] guest: compute ok", m.output)]
    assert ticks and ticks[0] < marker, "ticker printed nothing while Linux booted"
    m.expect(r"\[2:ticker\] guest: compute ok: 2262 primes below 20000 \(round \d+", 60)
    assert m.pos > stopped  # a checked computation after Linux was gone
    m.expect(r"\[2:ticker\] guest: all checks passed", 120)
    m.expect(r"\[axvm\] vm2 \(ticker\): stopped \(shutdown\)")
    m.expect(r"\[axvm\] all VMs have stopped: powering off")
    assert m.wait_exit(30) == 0


def linux_lines(m):
    """What VM 1 (Linux) printed, one line each with its prefix."""
    return "\n".join(line for line in m.output.splitlines() if line.startswith("[1:linux]"))


def assert_none_of(patterns, text):
    for pattern in patterns:
        assert not re.search(pattern, text), pattern


def expect_linux_reboots(m, boots):
    """Linux that reboots itself after its checks (config linux-reboot): 'boots' boots, each
    one's stop returning every frame the boot took (the same free count after each), while
    the ticker, never restarted, keeps counting."""
    frees = []
    for n in range(1, boots + 1):
        m.expect(rf"\[axvm\] vm1 \(linux\): boot #{n}, 2 vCPUs", 120)
        m.expect(r"\[1:linux\] init: cpus online 2", 120)
        m.expect(r"\[1:linux\] AXVM-GUEST-OK", 120)
        stop = m.expect(r"\[axvm\] vm1 \(linux\): stopped \(reboot\) after \d+ exits, "
                        r"\d+ lazy pages; (\d+) frames free", 60)
        frees.append(int(stop.group(1)))
    assert len(set(frees)) == 1, f"free frames after each stop differ: {frees}"
    # The other VM was never restarted: one boot line, and it is still counting.
    assert len(re.findall(r"\[axvm\] vm2 \(ticker\): boot #", m.output)) == 1
    assert "vm2 (ticker): stopped" not in m.output
    m.expect(r"\[2:ticker\] guest: compute ok", 60)


class MachineError(AssertionError):
    pass


class Machine:
    def __init__(self, cmd, log_path, allow=()):
        self.cmd = cmd
        self.log_path = Path(log_path)
        self.output = ""
        self.pos = 0  # expect() searches from here on
        self._checked = 0  # output before this has been checked for failures
        self.allowed = [re.compile(a) for a in allow]
        self._lock = threading.Lock()
        self._log = open(self.log_path, "w", errors="replace")
        self._log.write("$ " + " ".join(cmd) + "\n")
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        while True:
            data = self.proc.stdout.read1(4096) if hasattr(self.proc.stdout, "read1") else \
                os.read(self.proc.stdout.fileno(), 4096)
            if not data:
                break
            text = data.decode("utf-8", errors="replace").replace("\r", "")
            with self._lock:
                self.output += text
            self._log.write(text)
            self._log.flush()

    def allow(self, pattern):
        """Stop treating output matching 'pattern' as a failure (for tests that expect it)."""
        self.allowed.append(re.compile(pattern))

    def _check_failures(self, text):
        # Only what was not checked yet: a long run's output is megabytes.
        found = failure_in(text[self._checked:], self.allowed)
        self._checked = max(self._checked, text.rfind("\n") + 1)
        if found:
            line, pat = found
            raise MachineError(f"failure pattern {pat!r} in serial output: {line!r}\n"
                               f"{self.tail()}")

    def tail(self, lines=40):
        with self._lock:
            out = self.output
        return "---- last serial lines ----\n" + "\n".join(out.splitlines()[-lines:])

    def expect(self, pattern, timeout=30):
        """Wait for 'pattern' (a regex) after the previous match; return the match."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                out = self.output
            # Judge whole lines only: an allowed diagnostic seen half-way would look like a
            # failure (its allow pattern does not match yet).
            self._check_failures(out[:out.rfind("\n") + 1])
            m = rx.search(out, self.pos)
            if m:
                self.pos = m.end()
                return m
            if self.proc.poll() is not None and not self._reader.is_alive():
                raise MachineError(f"QEMU exited (status {self.proc.returncode}) before "
                                   f"{pattern!r} appeared\n{self.tail()}")
            if time.monotonic() > deadline:
                raise MachineError(f"timed out after {timeout}s waiting for {pattern!r}\n"
                                   f"{self.tail()}")
            time.sleep(0.05)

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def wait_exit(self, timeout=30):
        """Wait for QEMU to exit by itself; return its exit status."""
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise MachineError(f"QEMU did not exit within {timeout}s\n{self.tail()}")
        self._reader.join(timeout=5)
        with self._lock:
            out = self.output
        self._check_failures(out)
        return rc

    def interrupt_count(self, row, prompt=LINUX_PROMPT):
        """Send `cat /proc/interrupts` to the Linux shell of VM 1 and return the counts of the
        row whose text after the per-CPU counts matches 'row' (a regex), summed over CPUs."""
        self.send("cat /proc/interrupts\n")
        line = self.expect(r"\[1:linux\]\s+\w+:\s+([\d\s]+?)\s+" + row, 30)
        self.expect(prompt, 30)
        return sum(int(n) for n in line.group(1).split())

    def thread_cpu_seconds(self, name):
        """CPU time (user + system) QEMU's thread 'name' has used so far; QEMU names its
        threads only when started with -name ...,debug-threads=on."""
        task = Path(f"/proc/{self.proc.pid}/task")
        for t in task.iterdir():
            try:
                if (t / "comm").read_text().strip() != name:
                    continue
                fields = (t / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        raise MachineError(f"QEMU has no thread named {name!r}")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(timeout=5)
        self._log.close()


def image_dir(arch, config=None):
    """Where `make integration` put the image built with tests/configs/<arch>/<config>.toml
    (the default config's image when config is None), for the board the tests run 'arch' on
    (scripts/board.py selected: $AXVM_BOARD, `make integration-board`)."""
    d = ROOT / "build" / board.build_name(board.selected(arch))
    return d / f"cfg-{config}" if config else d


def boot(arch, tmp_path, append="", smp=None, allow=(), extra=(), config=None):
    cmd = qemu.machine_command(arch, image_dir(arch, config), append=append, smp=smp,
                               workdir=tmp_path, extra=extra)
    return Machine(cmd, tmp_path / "serial.log", allow=allow)
