#!/bin/sh
# compare.sh runs OpenBLAS's cblas_sgemm and idim's BenchmarkSgemm on the same
# sizes, alternating, ROUNDS times for 1 and 2 threads, and prints the raw
# output of both. Run from anywhere inside the repository:
#
#	OPENBLAS_CORETYPE=SkylakeX ROUNDS=3 bench/openblas/compare.sh | tee /tmp/gemm-compare.txt
#
# OPENBLAS_CORETYPE picks OpenBLAS's kernel on CPUs that it does not know
# (Zen 5 is detected as Haswell, AVX2 only); the anchor of issue 3 used
# SkylakeX (AVX-512). The script prints what it used.
#
# BASE=<git revision> also builds internal/gemm as it was at that revision
# (from git archive, in a temporary directory) and runs it third in each
# round, as "base": before/after in the same run. SECONDS_PER_SIZE (default
# 1) is how long each size runs.
set -eu
cd "$(dirname "$0")/../.."
gcc -O2 -o /tmp/sgemm_bench bench/openblas/sgemm_bench.c -lopenblas
go test -c -o /tmp/gemm.test ./internal/gemm
if [ -n "${BASE:-}" ]; then
	base=$(mktemp -d)
	git archive "$BASE" | tar -x -C "$base"
	(cd "$base" && go test -c -o /tmp/gemm_base.test ./internal/gemm)
	rm -rf "$base"
	echo "# base: $(git rev-parse --short "$BASE")"
fi
echo "# OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-} OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE:-} $(dpkg-query -W libopenblas0-pthread 2>/dev/null || true)"
echo "# $(grep -m1 'model name' /proc/cpuinfo) ($(nproc) cores), $(go version)"
for r in $(seq "${ROUNDS:-3}"); do
	for t in 1 2; do
		echo "# round $r threads=$t openblas"
		OPENBLAS_NUM_THREADS=$t /tmp/sgemm_bench "${SECONDS_PER_SIZE:-1}"
		echo "# round $r threads=$t idim"
		/tmp/gemm.test -test.run '^$' -test.bench "^BenchmarkSgemm\$/./threads=$t\$" -test.benchtime "${SECONDS_PER_SIZE:-1}s" | grep '^Benchmark'
		if [ -n "${BASE:-}" ]; then
			echo "# round $r threads=$t base"
			/tmp/gemm_base.test -test.run '^$' -test.bench "^BenchmarkSgemm\$/./threads=$t\$" -test.benchtime "${SECONDS_PER_SIZE:-1}s" | grep '^Benchmark'
		fi
	done
done
