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
# sample. Go: median and minimum over all -count runs. The first table is
# wall time, the second the thread's CPU time (cpu-ns/op in Go; what time
# slices given to other processes on a loaded machine do not inflate). The
# target is 1.25x FFHT, i.e. naive/ours >= 1.25 x FFHT's naive/FFHT ratio.
awk '
function median(a, n,   i, j, t) {
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function table(w,   k, lg, i, mc, mg, a) {
	printf "| n | naive C us: median (min) | fwht best us: median (min) | naive/ours: medians (mins) | needed naive/ours (1.25x FFHT) | FFHT anchor us | anchor/ours: median (min) |\n"
	print "|---|---|---|---|---|---|---|"
	for (k = 1; k <= 4; k++) {
		lg = lgs[k]
		delete a; for (i = 1; i <= nc[w, lg]; i++) a[i] = c[w, lg, i]; mc = median(a, nc[w, lg])
		delete a; for (i = 1; i <= ng[w, lg]; i++) a[i] = g[w, lg, i]; mg = median(a, ng[w, lg])
		printf "| 2^%d | %.4g (%.4g) | %.4g (%.4g) | %.1fx (%.1fx) | %.1fx | %.4g | %.2fx (%.2fx) |\n", lg, mc, cmin[w, lg], mg, gmin[w, lg], mc / mg, cmin[w, lg] / gmin[w, lg], 1.25 * ratio[lg], anchor[lg], anchor[lg] / mg, anchor[lg] / gmin[w, lg]
	}
}
function addc(w, lg, med, mn) { c[w, lg, ++nc[w, lg]] = med; if (!((w, lg) in cmin) || mn < cmin[w, lg]) cmin[w, lg] = mn }
function addg(w, lg, v) { g[w, lg, ++ng[w, lg]] = v; if (!((w, lg) in gmin) || v < gmin[w, lg]) gmin[w, lg] = v }
FILENAME ~ /c.txt$/ { split($1, p, "\\^"); lg = p[2]; addc("wall", lg, $3, $6); if ($12 != "") addc("cpu", lg, $12, $16) }
FILENAME ~ /go.txt$/ && /^BenchmarkTransform/ {
	split($1, p, "n="); split(p[2], q, "-"); n = q[1]; lg = 0; while (2 ^ lg < n) lg++
	addg("wall", lg, $3 / 1000)
	for (i = 4; i <= NF; i++) if ($i == "cpu-ns/op") addg("cpu", lg, $(i - 1) / 1000)
}
END {
	anchor[10] = 0.228; anchor[16] = 21.1; anchor[20] = 393; anchor[24] = 11360
	ratio[10] = 4.9; ratio[16] = 4.0; ratio[20] = 4.3; ratio[24] = 5.9
	split("10 16 20 24", lgs, " ")
	print "Wall time:"; print ""; table("wall")
	if (("cpu", 10) in nc) { print ""; print "Thread CPU time:"; print ""; table("cpu") }
}' "$OUT/c.txt" "$OUT/go.txt"
echo "raw output in $OUT"
