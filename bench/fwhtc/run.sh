#!/bin/sh
# Compares fwht's best float32 transform with the naive C loop (naive.c) in
# one run, interleaved ROUNDS times so that both see the same machine load.
# Usage, from the repository root:  sh bench/fwhtc/run.sh [rounds]
set -e
ROUNDS=${1:-3}
OUT=${TMPDIR:-/tmp}/fwhtbench.$$
mkdir -p "$OUT"
gcc -O3 -march=native -o "$OUT/naive" bench/fwhtc/naive.c
go test -c -o "$OUT/fwht.test" ./fwht
i=0
while [ $i -lt "$ROUNDS" ]; do
	"$OUT/naive" 10 16 20 24 >>"$OUT/c.txt"
	"$OUT/fwht.test" -test.run '^$' -test.count 30 -test.benchtime 10ms \
		-test.bench 'BenchmarkTransform/best/float32/n=(1024|65536|1048576|16777216)$' >>"$OUT/go.txt"
	i=$((i + 1))
done
# C: the median of each round's per-size sample medians, and the minimum
# sample. Go: median and minimum over all -count runs.
awk '
function median(a, n,   i, j, t) {
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
FILENAME ~ /c.txt$/ { split($1, p, "\\^"); lg = p[2]; c[lg, ++nc[lg]] = $3; if (!(lg in cmin) || $6 < cmin[lg]) cmin[lg] = $6 }
FILENAME ~ /go.txt$/ && /^BenchmarkTransform/ {
	split($1, p, "n="); split(p[2], q, "-"); n = q[1]; lg = 0; while (2 ^ lg < n) lg++
	g[lg, ++ng[lg]] = $3 / 1000
	if (!(lg in gmin) || $3 / 1000 < gmin[lg]) gmin[lg] = $3 / 1000
}
END {
	anchor[10] = 0.228; anchor[16] = 21.1; anchor[20] = 393; anchor[24] = 11360
	printf "| n | naive C us: median (min) | fwht best us: median (min) | naive/ours: medians (mins) | FFHT anchor us | anchor/ours: median (min) | target us (1.25x FFHT) |\n"
	print "|---|---|---|---|---|---|---|"
	split("10 16 20 24", lgs, " ")
	for (k = 1; k <= 4; k++) {
		lg = lgs[k]
		delete a; for (i = 1; i <= nc[lg]; i++) a[i] = c[lg, i]; mc = median(a, nc[lg])
		delete a; for (i = 1; i <= ng[lg]; i++) a[i] = g[lg, i]; mg = median(a, ng[lg])
		printf "| 2^%d | %.4g (%.4g) | %.4g (%.4g) | %.1fx (%.1fx) | %.4g | %.2fx (%.2fx) | %.4g |\n", lg, mc, cmin[lg], mg, gmin[lg], mc / mg, cmin[lg] / gmin[lg], anchor[lg], anchor[lg] / mg, anchor[lg] / gmin[lg], anchor[lg] / 1.25
	}
}' "$OUT/c.txt" "$OUT/go.txt"
echo "raw output in $OUT"
