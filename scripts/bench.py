#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run the exit-cost benchmark guest (configs/bench/<arch>.toml) under QEMU, print a table and
write build/bench/<arch>.json. Every figure is a ratio to a loop measured in the same run."""
import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import qemu  # noqa: E402

MARKER = b"AXVM-GUEST-OK"


def time_to_marker(cmd, timeout):
    """Seconds from starting QEMU to the guest's success marker on its serial output."""
    import os
    import select
    import time
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
                if MARKER in seen:
                    return time.monotonic() - t0
        raise RuntimeError(f"no {MARKER.decode()} within {timeout}s:\n"
                           + seen[-2000:].decode(errors="replace"))
    finally:
        p.kill()
        p.wait()


def linux_boot(arch, image_dir, runs, timeout):
    """Median time to the Linux guest's marker under axvm and on bare QEMU, interleaved."""
    import statistics
    bare, hv = [], []
    with tempfile.TemporaryDirectory() as work:
        for i in range(runs):
            bare.append(time_to_marker(qemu.guest_command(arch, append="axvm.after=poweroff",
                                                          smp=2), timeout))
            hv.append(time_to_marker(qemu.machine_command(arch, Path(image_dir),
                                                          workdir=Path(work)), timeout))
            print(f"  run {i + 1}: bare QEMU {bare[-1]:.2f} s, under axvm {hv[-1]:.2f} s")
    b, h = statistics.median(bare), statistics.median(hv)
    return {"runs": runs, "bare_qemu_s": bare, "axvm_s": hv, "bare_median_s": b,
            "axvm_median_s": h, "ratio": h / b}


LINE = re.compile(r"bench: (\w+) iterations=(\d+) exit_ticks=(\d+) baseline_ticks=(\d+)")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--arch", required=True)
    ap.add_argument("--image-dir", required=True)
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--linux-image-dir", help="also time Linux boot under axvm vs bare QEMU")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as work:
        cmd = qemu.machine_command(args.arch, Path(args.image_dir), workdir=Path(work))
        try:
            out = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                 errors="replace", timeout=args.timeout).stdout
        except subprocess.TimeoutExpired as e:
            out = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
    results = {}
    for m in LINE.finditer(out):
        name, n, exit_ticks, base_ticks = m.group(1), *map(int, m.groups()[1:])
        results[name] = {
            "iterations": n,
            "exit_ticks_per_iteration": exit_ticks / n,
            "baseline_ticks_per_iteration": base_ticks / n,
            "ratio": exit_ticks / base_ticks if base_ticks else None,
        }
    if len(results) != 3:
        print(out[-3000:], file=sys.stderr)
        print("bench: the benchmark guest did not report all three measurements", file=sys.stderr)
        return 1
    print(f"exit costs on {args.arch} (QEMU TCG), counter ticks per iteration:")
    print(f"  {'case':16} {'with exit':>12} {'no exit':>10} {'ratio':>8}")
    for name, r in results.items():
        print(f"  {name:16} {r['exit_ticks_per_iteration']:12.2f} "
              f"{r['baseline_ticks_per_iteration']:10.3f} {r['ratio']:8.1f}")
    report = {"arch": args.arch, "exits": results}
    if args.linux_image_dir:
        print(f"Linux boot to the init's marker, {args.runs} runs each, interleaved:")
        lb = linux_boot(args.arch, args.linux_image_dir, args.runs, args.timeout)
        print(f"  median: bare QEMU {lb['bare_median_s']:.2f} s, under axvm "
              f"{lb['axvm_median_s']:.2f} s, ratio {lb['ratio']:.2f}")
        report["linux_boot"] = lb
    dest = ROOT / "build" / "bench"
    dest.mkdir(parents=True, exist_ok=True)
    (dest / f"{args.arch}.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"written {dest / (args.arch + '.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
