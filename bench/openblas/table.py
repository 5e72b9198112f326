#!/usr/bin/env python3
"""table.py turns the output of compare.sh into the Markdown table of
docs/bench/gemm.md: per size and thread count, the median over rounds of each
metric for OpenBLAS and idim, and their ratios (idim / OpenBLAS); when the
run has a "base" (compare.sh with BASE=<revision>), also the base's medians
and their ratios to OpenBLAS.

	bench/openblas/table.py < /tmp/gemm-compare.txt
"""
import re
import statistics
import sys
from collections import defaultdict

METRICS = ("GFLOP/s", "best-GFLOP/s", "GFLOP/cpu-s")
data = defaultdict(list)  # (lib, size, threads, metric) -> values
lib = threads = None
for line in sys.stdin:
    m = re.match(r"# round \d+ threads=(\d+) (\w+)", line)
    if m:
        threads, lib = int(m.group(1)), m.group(2)
        continue
    if line.startswith("#") or lib is None:
        continue
    m = re.match(r"(?:BenchmarkSgemm/)?(\d+x\d+x\d+)", line)
    if not m:
        continue
    size = m.group(1)
    for value, metric in re.findall(r"([0-9.]+) ((?:best-)?GFLOP/(?:cpu-)?s)\b", line):
        data[(lib, size, threads, metric)].append(float(value))

sizes = []
for (_, size, _, _) in data:
    if size not in sizes:
        sizes.append(size)
libs = ["idim"] + (["base"] if any(k[0] == "base" for k in data) else [])
names = {"GFLOP/s": "GFLOP/s", "best-GFLOP/s": "best", "GFLOP/cpu-s": "GFLOP/cpu-s"}
head = ["M x N x K", "threads", "rounds"]
for metric in METRICS:
    head.append(f"OpenBLAS {names[metric]}")
    for lib in libs:
        head += [f"{lib} {names[metric]}", "ratio"]
print("| " + " | ".join(head) + " |")
print("|" + "---|" * len(head))
for threads in (1, 2):
    for size in sizes:
        row = [size, str(threads)]
        rounds = len(data[("idim", size, threads, "GFLOP/s")])
        row.append(str(rounds))
        for metric in METRICS:
            o = data[("openblas", size, threads, metric)]
            mo = statistics.median(o) if o else None
            row.append(f"{mo:.0f}" if o else "")
            for lib in libs:
                i = data[(lib, size, threads, metric)]
                if not o or not i:
                    row += ["", ""]
                    continue
                mi = statistics.median(i)
                row += [f"{mi:.0f}", f"{mi / mo:.2f}"]
        print("| " + " | ".join(row) + " |")
