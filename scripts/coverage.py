#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Line coverage of C sources by a gcov build of the unit tests (make coverage).

    coverage.py --objdir build/host/obj-cov kernel/*.c

For each source: the lines gcc counted as executable and how many of them ran, from gcov's JSON
output; then the total. A source without coverage data (not in the unit build, such as
kernel/main.c) is listed and left out of the total.
"""
import argparse
import json
import os
import subprocess
import sys


def source_lines(objdir, src):
    """(executed, executable) for 'src', or None when its object was not built."""
    gcno = os.path.join(objdir, os.path.splitext(src)[0] + ".gcno")
    if not os.path.exists(gcno):
        return None
    out = subprocess.run(
        ["gcov", "--json-format", "--stdout", "-o", os.path.dirname(gcno), src],
        check=True,
        capture_output=True,
    ).stdout
    counts = {}
    for doc in out.decode().splitlines():
        if not doc.strip():
            continue
        for f in json.loads(doc)["files"]:
            if os.path.normpath(f["file"]) != os.path.normpath(src):
                continue  # a header's inline functions
            for line in f["lines"]:
                n = line["line_number"]
                counts[n] = counts.get(n, 0) + line["count"]
    return sum(1 for c in counts.values() if c > 0), len(counts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--objdir", required=True, help="where the --coverage objects are")
    ap.add_argument("sources", nargs="+")
    args = ap.parse_args()

    total_run = total_lines = 0
    width = max(len(s) for s in args.sources)
    print(f"{'file':<{width}}  lines   run  cover")
    for src in sorted(args.sources):
        r = source_lines(args.objdir, src)
        if r is None:
            print(f"{src:<{width}}      -     -  (not in the unit build)")
            continue
        run, lines = r
        total_run += run
        total_lines += lines
        pct = 100.0 * run / lines if lines else 100.0
        print(f"{src:<{width}}  {lines:5d} {run:5d} {pct:5.1f}%")
    if not total_lines:
        print("coverage: no data (did the unit tests run?)", file=sys.stderr)
        return 1
    print(f"coverage: {total_run} of {total_lines} lines ({100.0 * total_run / total_lines:.1f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
