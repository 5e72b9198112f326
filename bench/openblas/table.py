#!/usr/bin/env python3
"""table.py turns the output of compare.sh into the Markdown table of
docs/bench/gemm.md: per size and thread count, the median over rounds of each
metric for OpenBLAS and idim, and their ratios (idim / OpenBLAS).

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
print("| M x N x K | threads | rounds | OpenBLAS GFLOP/s | idim GFLOP/s | ratio | OpenBLAS best | idim best | ratio | OpenBLAS GFLOP/cpu-s | idim GFLOP/cpu-s | ratio |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for threads in (1, 2):
    for size in sizes:
        row = [size, str(threads)]
        rounds = len(data[("idim", size, threads, "GFLOP/s")])
        row.append(str(rounds))
        for metric in METRICS:
            o = data[("openblas", size, threads, metric)]
            i = data[("idim", size, threads, metric)]
            if not o or not i:
                row += ["", "", ""]
                continue
            mo, mi = statistics.median(o), statistics.median(i)
            row += [f"{mo:.0f}", f"{mi:.0f}", f"{mi / mo:.2f}"]
        print("| " + " | ".join(row) + " |")
