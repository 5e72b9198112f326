// sgemm_bench measures cblas_sgemm (row-major, no transposes) in GFLOP/s for
// the sizes of idim's BenchmarkSgemm, so the two can be compared side by side.
// Build and run: see README.md in this directory.
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double cputime(void) {
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
	static const int sizes[][3] = {
		{768, 768, 768}, {3072, 768, 768}, {768, 3072, 768},
		{768, 768, 3072}, {1024, 3072, 768}, {1024, 768, 3072},
	};
	double seconds = argc > 1 ? atof(argv[1]) : 1.0;
	if (!(seconds > 0)) seconds = 1.0;
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		int m = sizes[s][0], n = sizes[s][1], k = sizes[s][2];
		float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * n),
		      *c = malloc(sizeof(float) * m * n);
		for (long i = 0; i < (long)m * k; i++) a[i] = (float)(i % 13 - 6) / 8;
		for (long i = 0; i < (long)k * n; i++) b[i] = (float)(i % 11 - 5) / 8;
		memset(c, 0, sizeof(float) * m * n);
		double flop = 2.0 * m * n * k;
		// One warm-up call, then calls for about `seconds`, each timed.
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, a, k, b, n, 0, c, n);
		double best = 1e30, start = now(), cpu0 = cputime(), t;
		long calls = 0;
		do {
			double t0 = now();
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, a, k, b, n, 0, c, n);
			t = now();
			if (t - t0 < best) best = t - t0;
			calls++;
		} while (t - start < seconds);
		double cpu = cputime() - cpu0;
		// The same three figures as idim's BenchmarkSgemm: mean over all
		// calls, the fastest call, and work per CPU-second (all threads).
		printf("%dx%dx%d\tcalls %ld\t%.1f GFLOP/s\t%.1f best-GFLOP/s\t%.1f GFLOP/cpu-s\n", m, n, k, calls,
		       flop * calls / (t - start) / 1e9, flop / best / 1e9, flop * calls / cpu / 1e9);
		fflush(stdout);
		free(a); free(b); free(c);
	}
	return 0;
}
