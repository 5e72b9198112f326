// Naive Walsh-Hadamard transform in C: the baseline of docs/bench/fwht.md.
//
//	gcc -O3 -march=native -o /tmp/fwht_naive naive.c && /tmp/fwht_naive [log2 sizes...]
//
// For each size (default 2^10, 2^16, 2^20, 2^24) it prints the median and
// the minimum, over timed samples, of microseconds per in-place float32
// transform, in wall time and in the thread's CPU time (which, unlike wall
// time, does not grow while other processes hold the core; the Go benchmark
// reports the same as cpu-ns/op). As in the Go benchmark (fwht/bench_test.go), a sample is 2k
// transforms with n^k <= 2^60, after which x is scaled back by n^-k off the
// clock (H H = n I), so values neither overflow nor turn subnormal.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void fwht(float *x, long n) {
	for (long h = 1; h < n; h *= 2)
		for (long i = 0; i < n; i += 2 * h)
			for (long j = i; j < i + h; j++) {
				float a = x[j], b = x[j + h];
				x[j] = a + b;
				x[j + h] = a - b;
			}
}

static double clk(clockid_t id) {
	struct timespec t;
	clock_gettime(id, &t);
	return t.tv_sec + 1e-9 * t.tv_nsec;
}

static double now(void) { return clk(CLOCK_MONOTONIC); }
static double cpunow(void) { return clk(CLOCK_THREAD_CPUTIME_ID); }

static int cmp(const void *a, const void *b) {
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv) {
	int lgs[32] = {10, 16, 20, 24}, nl = 4;
	if (argc > 1) {
		nl = 0;
		for (int i = 1; i < argc && nl < 32; i++) lgs[nl++] = atoi(argv[i]);
	}
	for (int q = 0; q < nl; q++) {
		int lg = lgs[q];
		long n = 1L << lg;
		int k = lg > 0 ? 60 / lg : 30;
		if (k < 1) k = 1;
		float s = 1;
		for (int i = 0; i < k; i++) s /= (float)n;
		float *x = aligned_alloc(64, n * sizeof(float));
		for (long i = 0; i < n; i++) x[i] = (float)(i % 7) - 3;
		// Samples until 1.5 s have passed (at least 5), each at least
		// 2k transforms and about 2 ms when n is small.
		long groups = 1;
		for (;;) {
			double t0 = now();
			for (long g = 0; g < groups; g++)
				for (int r = 0; r < 2 * k; r++) fwht(x, n);
			if (now() - t0 > 2e-3) break;
			groups *= 2;
		}
		static double t[4096], tc[4096];
		int ns = 0;
		double start = now();
		while (ns < 4096 && (ns < 5 || now() - start < 1.5)) {
			// CPU time: as in the Go benchmark, the rescaling is
			// excluded from n = 2^16 on and included below (where
			// reading the CPU clock per group would cost more).
			double el = 0, elc = 0, cs = cpunow();
			for (long g = 0; g < groups; g++) {
				double t0 = now(), c0 = n >= 65536 ? cpunow() : 0;
				for (int r = 0; r < 2 * k; r++) fwht(x, n);
				if (n >= 65536) elc += cpunow() - c0;
				el += now() - t0;
				for (long i = 0; i < n; i++) x[i] *= s;
			}
			if (n < 65536) elc = cpunow() - cs;
			t[ns] = el / (groups * 2 * k);
			tc[ns++] = elc / (groups * 2 * k);
		}
		qsort(t, ns, sizeof t[0], cmp);
		qsort(tc, ns, sizeof tc[0], cmp);
		printf("n=2^%d\tmedian %.4f us\tmin %.4f us\t(%d samples)\tcpu median %.4f us\tcpu min %.4f us\n", lg,
		       t[ns / 2] * 1e6, t[0] * 1e6, ns, tc[ns / 2] * 1e6, tc[0] * 1e6);
		free(x);
	}
	return 0;
}
