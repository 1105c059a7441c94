#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`make bench`: the project's performance record for one architecture.

1. The exit benchmark guest (configs/bench/<arch>.toml, guests/baremetal/bench.c) runs twice:
   once in real time and once under `-icount shift=0,sleep=off`, where QEMU's clocks follow the
   instruction count (one instruction = 1 ns), so that run gives repeatable instruction counts
   of the hypervisor's own paths however loaded the machine is. Each exit (null hypercall,
   emulated MMIO read and write) is reported as a ratio to the trap-and-return floor measured in
   the same run (AXVM_HC_TRAP_FLOOR, answered in the exception entry).
2. From the same runs: the hypervisor's start (its "started at counter" line) to the bench
   guest's first instruction (its start_cycles), on the one counter both read.
3. Where configs/bench/<arch>-linux.toml exists: Linux boot to the init's marker under axvm and
   on bare QEMU with the same kernel, initramfs and machine, interleaved, --runs rounds; and
   once each under -icount, the guest's uptime when its init reports success. The same
   machine means the same number of CPUs too: the hypervisor's QEMU gets as many as its config
   uses (linux_machine_smp), and the bench configs put the VM's two vCPUs on pCPUs 0 and 1, so
   both runs have two (QEMU with more CPUs is slower for the same guest: its broadcast TLB
   invalidations stop every CPU).
4. Where configs/bench/<arch>-timer.toml exists: a bare-metal guest's timer-interrupt latency
   (deadline -> its handler, guests/baremetal/timerbench.c) under axvm, with idle=trap, and the
   same guest on bare QEMU (guest-bare.elf), interleaved, and once each under -icount.
5. Where configs/bench/<arch>-idle.toml exists: that Linux left idle at its shell, its exits
   per second (the console's `info` before and after --idle-seconds), with its vCPUs' WFI/HLT
   left to the guest and with idle=trap, interleaved, --idle-runs rounds.

Writes build/bench/<arch>.json and build/bench/summary.md (every architecture measured so far,
one table).
"""
import argparse
import datetime
import json
import os
import platform
import re
import select
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import qemu  # noqa: E402
import bench_virtio  # noqa: E402

MARKER = b"AXVM-GUEST-OK"
ICOUNT = ["-icount", "shift=0,sleep=off"]
EXITS = ["null_hypercall", "mmio_read", "mmio_write"]
ARCHES = ["aarch64", "riscv64", "x86_64"]

HV_START = re.compile(r"\[axvm\] debug: started at counter (\d+), (\d+) Hz")
GUEST_START = re.compile(r"bench: start_cycles=(\d+) counter_hz=(\d+)")
CASE = re.compile(r"bench: case=(\w+) iterations=(\d+) round=(\d+) ticks=(\d+)")


def run_guest(arch, image_dir, extra, timeout):
    """Serial output of one run of the benchmark guest (the hypervisor at debug log level, for
    its start line)."""
    with tempfile.TemporaryDirectory() as work:
        cmd = qemu.machine_command(arch, Path(image_dir), append="loglevel=3",
                                   workdir=Path(work), extra=extra)
        try:
            return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                                  text=True, errors="replace", timeout=timeout).stdout
        except subprocess.TimeoutExpired as e:
            out = e.stdout or b""
            return out.decode(errors="replace") if isinstance(out, bytes) else out


def parse_guest(out):
    """The cases (ticks per iteration of their fastest round, and the median), the counter
    frequency and the start-to-first-instruction ticks; None where the output lacks them."""
    per_case = {}
    for m in CASE.finditer(out):
        n = int(m.group(2))
        per_case.setdefault(m.group(1), (n, []))[1].append(int(m.group(4)) / n)
    cases = {}
    for name, (n, rounds) in per_case.items():
        # Host load only ever adds time: the least disturbed round is the best estimate.
        cases[name] = {"iterations": n, "rounds_ticks_per_iteration": rounds,
                       "ticks_per_iteration": min(rounds),
                       "median_ticks_per_iteration": statistics.median(rounds)}
    hv, guest = HV_START.search(out), GUEST_START.search(out)
    hz = int(hv.group(2)) if hv else None
    start = int(guest.group(1)) - int(hv.group(1)) if hv and guest else None
    return cases, hz, start


def exit_report(cases, hz):
    """Ratios to the floor; with icount, instructions (1 ns each) from ticks."""
    floor = cases["trap_floor"]["ticks_per_iteration"]
    rep = {"trap_floor_ticks": floor, "no_exit_loop_ticks": cases["ram_read"]["ticks_per_iteration"]}
    for name in EXITS:
        t = cases[name]["ticks_per_iteration"]
        rep[name] = {"ticks": t, "ratio_to_floor": t / floor,
                     "median_ratio_to_floor": cases[name]["median_ticks_per_iteration"]
                     / cases["trap_floor"]["median_ticks_per_iteration"],
                     "rounds_ratio_to_floor": [r / f for r, f in zip(
                         cases[name]["rounds_ticks_per_iteration"],
                         cases["trap_floor"]["rounds_ticks_per_iteration"])]}
    if hz:
        rep["counter_hz"] = hz
        rep["trap_floor_us"] = floor / hz * 1e6
        for name in EXITS:
            rep[name]["us"] = rep[name]["ticks"] / hz * 1e6
    return rep


def instructions(ticks, hz):
    """Under -icount shift=0 every instruction is 1 ns of the clock the counter follows."""
    return ticks * 1e9 / hz


def run_until(cmd, marker, timeout):
    """Run 'cmd' until 'marker' is in its serial output (then stop it) or 'timeout' seconds
    pass: (seconds to the marker or None, the output)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    seen = b""
    try:
        while time.monotonic() - t0 < timeout:
            r, _, _ = select.select([p.stdout], [], [], 0.5)
            if r:
                chunk = os.read(p.stdout.fileno(), 65536)
                if not chunk:
                    break
                seen += chunk
                if marker in seen:
                    return time.monotonic() - t0, seen
        return None, seen
    finally:
        p.kill()
        p.wait()


def time_to_marker(cmd, timeout):
    """Seconds from starting QEMU to the guest's success marker on its serial output."""
    took, seen = run_until(cmd, MARKER, timeout)
    if took is None:
        raise RuntimeError(f"no {MARKER.decode()} within {timeout}s:\n"
                           + seen[-2000:].decode(errors="replace"))
    return took


def linux_machine_smp(image_dir):
    """CPUs for the QEMU that runs a Linux bench image: up to the highest pCPU its config puts
    a vCPU on (the config's path is in the build's gen/config-path)."""
    config = ROOT / (Path(image_dir) / "gen" / "config-path").read_text().strip()
    with open(config, "rb") as f:
        vms = tomllib.load(f)["vm"]
    return max(max(vm["cpu_affinity"]) for vm in vms) + 1


def linux_machine_command(arch, image_dir, workdir, extra=()):
    return qemu.machine_command(arch, Path(image_dir), workdir=Path(workdir),
                                smp=linux_machine_smp(image_dir), extra=extra)


def linux_boot(arch, image_dirs, runs, timeout):
    """Time to the Linux guest's marker on bare QEMU and under axvm (one or more builds, e.g.
    before and after a change), interleaved round by round. Returns per-build medians and the
    median of the per-round ratios to bare QEMU."""
    bare, hv = [], {name: [] for name in image_dirs}
    with tempfile.TemporaryDirectory() as work:
        for i in range(runs):
            bare.append(time_to_marker(qemu.guest_command(arch, append="axvm.after=poweroff",
                                                          smp=2), timeout))
            line = f"  round {i + 1}: bare QEMU {bare[-1]:.2f} s"
            for name, d in image_dirs.items():
                hv[name].append(time_to_marker(linux_machine_command(arch, d, work), timeout))
                line += f", {name} {hv[name][-1]:.2f} s"
            print(line, flush=True)
    res = {"runs": runs, "bare_qemu_s": bare, "bare_median_s": statistics.median(bare)}
    for name, times in hv.items():
        ratios = [h / b for h, b in zip(times, bare)]
        res[name] = {"s": times, "median_s": statistics.median(times),
                     "ratio_of_medians": statistics.median(times) / statistics.median(bare),
                     "median_round_ratio": statistics.median(ratios), "round_ratios": ratios}
    return res


UPTIME = re.compile(r"init: all checks passed at ([\d.]+) s uptime")


def linux_uptime_icount(arch, image_dir, timeout):
    """The Linux guest's own uptime when its init has passed its checks, on bare QEMU and under
    axvm, with -icount: the guest's clock then counts instructions, its own and (under axvm) the
    hypervisor's on its behalf, so the ratio shows what the exits add however loaded the host
    is. It starts with the kernel: the hypervisor's time before it is the start-to-first-
    instruction figure."""
    res = {}
    with tempfile.TemporaryDirectory() as work:
        for name, cmd in (("bare", qemu.guest_command(arch, append="axvm.after=poweroff", smp=2,
                                                      extra=ICOUNT)),
                          ("axvm", linux_machine_command(arch, image_dir, work, ICOUNT))):
            out = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                 errors="replace", timeout=timeout).stdout
            m = UPTIME.search(out)
            if not m:
                errors = [ln for ln in out.splitlines() if "error:" in ln]
                raise RuntimeError(f"{name}: no uptime line under icount:\n{out[-2000:]}\n"
                                   + (errors[0] if errors else "no error line"))
            res[f"{name}_uptime_s"] = float(m.group(1))
    res["ratio"] = res["axvm_uptime_s"] / res["bare_uptime_s"]
    return res


# ---- timer-interrupt latency seen by a bare-metal guest ----------------------------------------

TIMER = re.compile(r"timerbench: samples=(\d+) counter_hz=(\d+) median_ticks=(\d+) "
                   r"min_ticks=(\d+) p90_ticks=(\d+)")
TIMER_DONE = b"timerbench: done"
# Where the bare AArch64 guest finds its device tree (QEMU enters an ELF with x0 = 0):
# BARE_DTB in guests/baremetal/arch/aarch64/start.S.
BARE_DTB_ADDR = 0x48000000


def bare_timer_command(arch, elf, workdir):
    """QEMU booting the bare-metal guest itself (guest-bare.elf, "timerbench bare"), with the
    machine options of qemu/<arch>.toml but one CPU and no virtualization; None where the guest
    cannot boot on bare QEMU (x86_64: it has no multiboot entry)."""
    cfg = dict(qemu.machine_config(arch), smp=1, memory="256M")
    if arch == "aarch64":
        # EL1 (virtualization off); the device tree QEMU would drop is loaded where the guest
        # looks for it.
        cfg["machine"] = "virt,gic-version=3"
        dtb = Path(workdir) / "bare.dtb"
        base = qemu.base_command(cfg) + ["-kernel", str(elf), "-append", "timerbench bare"]
        dump = [a if a != cfg["machine"] else f"{a},dumpdtb={dtb}" for a in base]
        subprocess.run(dump, stdin=subprocess.DEVNULL, capture_output=True, check=True)
        return base + ["-device", f"loader,file={dtb},addr={BARE_DTB_ADDR:#x},force-raw=on"]
    if arch == "riscv64":
        # OpenSBI (the machine's -bios) hands over in S-mode at 0x80200000 with the device tree.
        return qemu.base_command(cfg) + ["-kernel", str(elf), "-append", "timerbench bare"]
    return None


def output_until(cmd, marker, timeout):
    """Serial output of 'cmd' up to 'marker' (the machine is stopped there)."""
    return run_until(cmd, marker, timeout)[1].decode(errors="replace")


def parse_timer(out):
    """(median, min, p90 ticks, counter Hz) from the guest's timerbench line, or None."""
    m = TIMER.search(out)
    if not m:
        return None
    return {"samples": int(m.group(1)), "counter_hz": int(m.group(2)),
            "median_ticks": int(m.group(3)), "min_ticks": int(m.group(4)),
            "p90_ticks": int(m.group(5))}


def timer_latency(arch, image_dir, bare_elf, runs, timeout):
    """The guest's timer deadline -> handler latency under axvm (its WFI/HLT left to it, and
    with idle=trap) and on bare QEMU, interleaved round by round, each round's figure the median
    of the guest's samples; then once each under -icount, where the latency is in instructions
    (1 ns each) and repeats."""
    with tempfile.TemporaryDirectory() as work:
        def commands(extra):
            cmds = {"axvm": qemu.machine_command(arch, Path(image_dir), workdir=Path(work),
                                                 extra=extra),
                    "axvm_idle_trap": qemu.machine_command(arch, Path(image_dir),
                                                           append="idle=trap",
                                                           workdir=Path(work), extra=extra)}
            bare = bare_timer_command(arch, bare_elf, work) if bare_elf else None
            if bare:
                cmds["bare"] = bare + list(extra)
            return cmds

        rounds = {}
        for i in range(runs):
            line = f"  round {i + 1}:"
            for name, cmd in commands([]).items():
                r = parse_timer(output_until(cmd, TIMER_DONE, timeout))
                if not r:
                    raise RuntimeError(f"{name}: no timerbench line")
                rounds.setdefault(name, []).append(r)
                line += f" {name} {r['median_ticks'] / r['counter_hz'] * 1e6:.1f} µs"
            print(line, flush=True)
        res = {"runs": runs}
        for name, rs in rounds.items():
            hz = rs[0]["counter_hz"]
            med = statistics.median(r["median_ticks"] for r in rs)
            res[name] = {"counter_hz": hz, "round_median_ticks": [r["median_ticks"] for r in rs],
                         "median_ticks": med, "median_us": med / hz * 1e6}
        for name, cmd in commands(ICOUNT).items():
            r = parse_timer(output_until(cmd, TIMER_DONE, timeout))
            if r:
                res[name]["icount_median_ns"] = r["median_ticks"] / r["counter_hz"] * 1e9
    if "bare" in res:
        for name in ("axvm", "axvm_idle_trap"):
            res[name]["ratio_to_bare"] = res[name]["median_ticks"] / res["bare"]["median_ticks"]
    return res


def timer_rows(r):
    t = r.get("timer_latency")
    if not t:
        return []
    rows = []
    for name, label in (("bare", "bare QEMU"), ("axvm", "axvm"),
                        ("axvm_idle_trap", "axvm, idle=trap")):
        if name not in t:
            rows.append((f"timer deadline → guest handler, {label} (wall µs; icount ns)",
                         "not measured"))
            continue
        x = t[name]
        rows.append((f"timer deadline → guest handler, {label} (wall µs; icount ns)",
                     f"{x['median_us']:.1f}; {fmt(x.get('icount_median_ns'), '.0f')}"))
    return rows


# ---- an idle Linux VM's exits per second ---------------------------------------------------

INFO_VCPU = re.compile(r"\[axvm\] console:   vcpu(\d+) on pCPU \d+: (\d+) exits \(([^)]*)\)")
INFO_END = re.compile(r"\[axvm\] console:   memory ")
IDLE_PROMPT = b"axvm# "


class Serial:
    """A running machine's serial output, read as it comes, and its input."""

    def __init__(self, cmd):
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
        self.out = b""

    def wait(self, what, start, timeout):
        """Position just after 'what' (bytes or a compiled bytes regex) found at or after
        'start'."""
        t0 = time.monotonic()
        while True:
            m = (what.search(self.out, start) if hasattr(what, "search")
                 else (lambda i: i if i >= 0 else None)(self.out.find(what, start)))
            if m is not None:
                return m.end() if hasattr(m, "end") else m + len(what)
            left = timeout - (time.monotonic() - t0)
            if left <= 0:
                raise RuntimeError(f"no {what!r} within {timeout}s:\n"
                                   + self.out[-2000:].decode(errors="replace"))
            r, _, _ = select.select([self.p.stdout], [], [], min(left, 0.5))
            if r:
                chunk = os.read(self.p.stdout.fileno(), 65536)
                if not chunk:
                    raise RuntimeError("the machine exited:\n"
                                       + self.out[-2000:].decode(errors="replace"))
                self.out += chunk

    def send(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def close(self):
        self.p.kill()
        self.p.wait()


def vm_exit_counts(ser, timeout):
    """The console's `info 1`: (time it was asked, {vcpu: (exits, {kind: count})})."""
    start = len(ser.out)
    t = time.monotonic()
    ser.send(b"\x1d:info 1\r")
    end = ser.wait(re.compile(INFO_END.pattern.encode()), start, timeout)
    text = ser.out[start:end].decode(errors="replace")
    counts = parse_info(text)
    if not counts:
        raise RuntimeError(f"no vCPU lines in the info output:\n{text}")
    return t, counts


def parse_info(text):
    """{vcpu: (exits, {kind: count})} from the console's `info` lines."""
    counts = {}
    for m in INFO_VCPU.finditer(text):
        kinds = {k: int(n) for k, n in (kv.rsplit(" ", 1) for kv in m.group(3).split(", ") if kv)}
        counts[int(m.group(1))] = (int(m.group(2)), kinds)
    return counts


def idle_exit_rate(arch, image_dir, append, seconds, settle, timeout):
    """Exits per second of the idle Linux VM (all its vCPUs), and halt exits per second, over
    'seconds' of wall time once it has sat at its shell for 'settle' seconds."""
    with tempfile.TemporaryDirectory() as work:
        ser = Serial(qemu.machine_command(arch, Path(image_dir), append=append,
                                          workdir=Path(work)))
        try:
            pos = ser.wait(MARKER, 0, timeout)
            ser.wait(IDLE_PROMPT, pos, timeout)
            time.sleep(settle)
            t0, a = vm_exit_counts(ser, 60)
            time.sleep(seconds)
            t1, b = vm_exit_counts(ser, 60)
        finally:
            ser.close()
    dt = t1 - t0
    exits = sum(b[v][0] - a[v][0] for v in b)
    halts = sum(b[v][1].get("halt", 0) - a[v][1].get("halt", 0) for v in b)
    return {"exits_per_s": exits / dt, "halts_per_s": halts / dt,
            "per_vcpu_exits_per_s": {v: (b[v][0] - a[v][0]) / dt for v in b}}


def idle_linux(arch, image_dir, runs, seconds, settle, timeout):
    """The idle Linux VM's exits per second with the guests' idle instruction left to them (the
    default for a vCPU alone on its pCPU) and trapped (idle=trap), interleaved round by round;
    medians."""
    modes = {"idle_in_guest": "", "idle_trap": "idle=trap"}
    res = {name: [] for name in modes}
    for i in range(runs):
        line = f"  round {i + 1}:"
        for name, append in modes.items():
            r = idle_exit_rate(arch, image_dir, append, seconds, settle, timeout)
            res[name].append(r)
            line += f" {name} {r['exits_per_s']:.1f} exits/s ({r['halts_per_s']:.1f} halts/s)"
        print(line, flush=True)
    out = {"runs": runs, "seconds": seconds}
    for name, rounds in res.items():
        out[name] = {"exits_per_s": [r["exits_per_s"] for r in rounds],
                     "halts_per_s": [r["halts_per_s"] for r in rounds],
                     "median_exits_per_s": statistics.median(r["exits_per_s"] for r in rounds),
                     "median_halts_per_s": statistics.median(r["halts_per_s"] for r in rounds)}
    return out


def fmt(v, spec, suffix=""):
    return "–" if v is None else f"{v:{spec}}{suffix}"


def summary_rows(r):
    """(label, value) rows of one architecture's report for summary.md."""
    w, ic = r.get("wall", {}), r.get("icount", {})
    rows = [("trap floor (wall, µs)", fmt(w.get("trap_floor_us"), ".2f")),
            ("trap floor (icount, instructions)", fmt(ic.get("trap_floor_instructions"), ".0f"))]
    for name in EXITS:
        label = name.replace("_", " ")
        rows.append((f"{label} / floor (wall)", fmt(w.get(name, {}).get("ratio_to_floor"),
                                                     ".2f", "×")))
        rows.append((f"{label} / floor (icount)", fmt(ic.get(name, {}).get("ratio_to_floor"),
                                                       ".2f", "×")))
        rows.append((f"{label} (icount, instructions)",
                     fmt(ic.get(name, {}).get("instructions"), ".0f")))
    s = r.get("start_to_first_instruction", {})
    rows.append((f"start → first guest instruction, {r.get('bench_vm_memory', '?')} VM (wall, ms)",
                 fmt(s.get("wall_ms"), ".1f")))
    rows.append(("start → first guest instruction (icount, virtual ms)",
                 fmt(s.get("icount_virtual_ms"), ".1f")))
    lb = r.get("linux_boot")
    if lb:
        rows.append((f"Linux boot, bare QEMU (median of {lb['runs']}, s)",
                     fmt(lb["bare_median_s"], ".2f")))
        rows.append(("Linux boot, under axvm (median, s)", fmt(lb["axvm"]["median_s"], ".2f")))
        rows.append(("Linux boot ratio (median of per-round ratios)",
                     fmt(lb["axvm"]["median_round_ratio"], ".2f", "×")))
        li = r.get("linux_uptime_icount", {})
        rows.append(("Linux uptime at init's marker, axvm / bare (icount)",
                     fmt(li.get("ratio"), ".2f", "×")))
    rows += timer_rows(r)
    rows += idle_rows(r)
    return rows + bench_virtio.summary_rows(r)


def idle_rows(r):
    il = r.get("idle_linux")
    if not il:
        return []
    g, t = il["idle_in_guest"], il["idle_trap"]
    return [("idle Linux, exits/s (WFI/HLT in the guest; idle=trap)",
             f"{g['median_exits_per_s']:.1f}; {t['median_exits_per_s']:.1f}")]


def write_summary(dest):
    reports = {}
    for arch in ARCHES:
        p = dest / f"{arch}.json"
        if p.exists():
            reports[arch] = json.loads(p.read_text())
    rows = {arch: dict(summary_rows(r)) for arch, r in reports.items()}
    labels = []
    for r in rows.values():
        labels += [label for label in r if label not in labels]
    lines = ["# axvm performance (`make bench`)", "",
             "QEMU 7.2 TCG. Wall figures move with the host's load; icount figures are QEMU's "
             "instruction counts (`-icount shift=0,sleep=off`) and repeat exactly. Ratios are to "
             "the trap-and-return floor (`AXVM_HC_TRAP_FLOOR`) measured in the same run, each "
             "case timed in its least disturbed of the interleaved rounds.", "",
             "| | " + " | ".join(reports) + " |", "| --- |" + " --- |" * len(reports)]
    for label in labels:
        lines.append(f"| {label} | " + " | ".join(rows[a].get(label, "not measured")
                                                  for a in reports) + " |")
    lines.append("")
    for arch, r in reports.items():
        lines.append(f"{arch}: measured {r['date']} on {r['host']}.")
    (dest / "summary.md").write_text("\n".join(lines) + "\n")


def bench_vm_memory(arch):
    text = (ROOT / "configs" / "bench" / f"{arch}.toml").read_text()
    m = re.search(r'size\s*=\s*"([^"]+)"', text)
    return m.group(1) if m else "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", required=True)
    ap.add_argument("--image-dir", required=True)
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--linux-image-dir", help="also time Linux boot under axvm vs bare QEMU")
    ap.add_argument("--linux-virtio", nargs=2, metavar=("CONFIG", "IMAGE_DIR"),
                    help="also time Linux on the virtio-console (scripts/bench_virtio.py)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--timer-image-dir", help="also a bare-metal guest's timer latency")
    ap.add_argument("--timer-bare-elf", help="that guest built for bare QEMU")
    ap.add_argument("--idle-image-dir", help="also an idle Linux VM's exits per second")
    ap.add_argument("--idle-runs", type=int, default=3)
    ap.add_argument("--idle-seconds", type=float, default=10)
    args = ap.parse_args()

    report = {"arch": args.arch, "date": datetime.date.today().isoformat(),
              "host": f"{platform.node()}, {os.cpu_count()} CPUs",
              "bench_vm_memory": bench_vm_memory(args.arch)}
    start = {}
    for mode, extra in (("wall", []), ("icount", ICOUNT)):
        out = run_guest(args.arch, args.image_dir, extra, args.timeout)
        cases, hz, start_ticks = parse_guest(out)
        if "trap_floor" not in cases or not all(n in cases for n in EXITS) or not hz:
            print(out[-3000:], file=sys.stderr)
            print(f"bench: the {mode} run did not report every case and the hypervisor's start",
                  file=sys.stderr)
            return 1
        rep = exit_report(cases, hz)
        if mode == "icount":
            rep["trap_floor_instructions"] = instructions(rep["trap_floor_ticks"], hz)
            for name in EXITS:
                rep[name]["instructions"] = instructions(rep[name]["ticks"], hz)
            # Virtual time: every CPU's instructions at 1 ns each, waits on timers included.
            # QEMU runs the CPUs in turn in this mode, so a CPU that spins waiting for another
            # can use up whole time slices: a start that timed out says so instead.
            if start_ticks is not None and "did not come online" not in out:
                start["icount_virtual_ms"] = start_ticks / hz * 1e3
            elif start_ticks is not None:
                start["icount_note"] = "a CPU timed out coming online under icount"
                start["icount_virtual_ms_with_timeout"] = start_ticks / hz * 1e3
        elif start_ticks is not None:
            start["wall_ms"] = start_ticks / hz * 1e3
        report[mode] = rep
    report["start_to_first_instruction"] = start

    w, ic = report["wall"], report["icount"]
    print(f"exits on {args.arch} (QEMU TCG), per iteration; ratios to the trap floor:")
    print(f"  {'case':16} {'wall µs':>9} {'ratio':>7} {'icount insns':>13} {'ratio':>7}")
    print(f"  {'trap_floor':16} {w['trap_floor_us']:9.2f} {1:7.2f} "
          f"{ic['trap_floor_instructions']:13.0f} {1:7.2f}")
    for name in EXITS:
        print(f"  {name:16} {w[name]['us']:9.2f} {w[name]['ratio_to_floor']:7.2f} "
              f"{ic[name]['instructions']:13.0f} {ic[name]['ratio_to_floor']:7.2f}")
    print(f"hypervisor start -> first guest instruction ({report['bench_vm_memory']} VM): "
          f"{fmt(start.get('wall_ms'), '.1f')} ms wall, "
          f"{fmt(start.get('icount_virtual_ms'), '.1f')} ms under icount"
          + (f" ({start['icount_note']})" if "icount_note" in start else ""))

    if args.linux_image_dir:
        print(f"Linux boot to the init's marker, {args.runs} rounds, interleaved:")
        lb = linux_boot(args.arch, {"axvm": args.linux_image_dir}, args.runs, args.timeout)
        print(f"  median: bare QEMU {lb['bare_median_s']:.2f} s, under axvm "
              f"{lb['axvm']['median_s']:.2f} s; median of per-round ratios "
              f"{lb['axvm']['median_round_ratio']:.2f}")
        report["linux_boot"] = lb
        try:
            li = linux_uptime_icount(args.arch, args.linux_image_dir, args.timeout)
            print(f"  under icount, guest uptime at the marker: bare {li['bare_uptime_s']:.3f} "
                  f"s, under axvm {li['axvm_uptime_s']:.3f} s, ratio {li['ratio']:.2f}")
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            # RISC-V under a fixed -icount shift: QEMU never runs the second hart far enough
            # to come online, so the VM is not started. Recorded, and the other steps go on.
            li = {"error": str(e).strip().splitlines()[-1][:300]}
            print(f"  under icount: not measured ({li['error']})")
        report["linux_uptime_icount"] = li

    if args.linux_virtio:
        print(f"Linux boot on a virtio console, {args.runs} rounds, interleaved:")
        lv = bench_virtio.linux_boot_virtio(args.arch, *args.linux_virtio, args.runs,
                                            args.timeout, time_to_marker, linux_machine_command)
        print(f"  median: bare QEMU {lv['bare_median_s']:.2f} s, under axvm "
              f"{lv['axvm_median_s']:.2f} s; median of per-round ratios "
              f"{lv['median_round_ratio']:.2f}")
        report["linux_boot_virtio"] = lv

    if args.timer_image_dir:
        print(f"timer deadline -> guest handler, median of the guest's samples, {args.runs} "
              "rounds, interleaved:")
        tl = timer_latency(args.arch, args.timer_image_dir, args.timer_bare_elf, args.runs,
                           args.timeout)
        for name in ("bare", "axvm", "axvm_idle_trap"):
            if name in tl:
                print(f"  {name}: {tl[name]['median_us']:.1f} µs "
                      f"({fmt(tl[name].get('icount_median_ns'), '.0f')} ns under icount)")
        report["timer_latency"] = tl

    if args.idle_image_dir:
        print(f"idle Linux VM, exits per second over {args.idle_seconds:.0f} s, "
              f"{args.idle_runs} rounds, interleaved:")
        il = idle_linux(args.arch, args.idle_image_dir, args.idle_runs, args.idle_seconds, 3,
                        args.timeout)
        print(f"  median: {il['idle_in_guest']['median_exits_per_s']:.1f} exits/s with WFI/HLT "
              f"in the guest, {il['idle_trap']['median_exits_per_s']:.1f} with idle=trap")
        report["idle_linux"] = il

    dest = ROOT / "build" / "bench"
    dest.mkdir(parents=True, exist_ok=True)
    (dest / f"{args.arch}.json").write_text(json.dumps(report, indent=2) + "\n")
    write_summary(dest)
    print(f"written {dest / (args.arch + '.json')} and {dest / 'summary.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
