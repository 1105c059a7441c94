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

LINE = re.compile(r"bench: (\w+) iterations=(\d+) exit_ticks=(\d+) baseline_ticks=(\d+)")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--arch", required=True)
    ap.add_argument("--image-dir", required=True)
    ap.add_argument("--timeout", type=int, default=300)
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
    dest = ROOT / "build" / "bench"
    dest.mkdir(parents=True, exist_ok=True)
    (dest / f"{args.arch}.json").write_text(json.dumps({"arch": args.arch, "exits": results},
                                                      indent=2) + "\n")
    print(f"written {dest / (args.arch + '.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
