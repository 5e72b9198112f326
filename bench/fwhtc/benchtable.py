#!/usr/bin/env python3
"""Reads `go test -bench` output on stdin and prints a markdown table of the
median and minimum ns/op (shown in us) of every benchmark over its -count runs,
one row per size and one column per implementation (or per operation)."""
import re
import statistics
import sys
from collections import OrderedDict

runs = OrderedDict()
for line in sys.stdin:
    m = re.match(r"^(Benchmark\S+?)(-\d+)?\s+\d+\s+([\d.]+) ns/op", line)
    if m:
        runs.setdefault(m.group(1), []).append(float(m.group(3)) / 1000)

rows, cols, cell = OrderedDict(), OrderedDict(), {}
for name, v in runs.items():
    parts = name.split("/")
    size = parts[-1]
    col = "/".join(p for p in parts[1:-1] if p != "float32")
    rows[size] = None
    cols[col] = None
    cell[size, col] = "%.4g (%.4g)" % (statistics.median(v), min(v))

print("| size | " + " | ".join(cols) + " |")
print("|---|" + "---|" * len(cols))
for r in rows:
    print("| %s | " % r + " | ".join(cell.get((r, c), "") for c in cols) + " |")
