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

static int cmp(const void *a, const void *b) {
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv) {
	static const int sizes[][3] = {
		{768, 768, 768}, {3072, 768, 768}, {768, 3072, 768},
		{768, 768, 3072}, {1024, 3072, 768}, {1024, 768, 3072},
	};
	int reps = argc > 1 ? atoi(argv[1]) : 9;
	if (reps < 1 || reps > 99) reps = 9;
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		int m = sizes[s][0], n = sizes[s][1], k = sizes[s][2];
		float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * n),
		      *c = malloc(sizeof(float) * m * n);
		for (long i = 0; i < (long)m * k; i++) a[i] = (float)((i * 7 % 13) - 6) / 8;
		for (long i = 0; i < (long)k * n; i++) b[i] = (float)((i * 5 % 11) - 5) / 8;
		memset(c, 0, sizeof(float) * m * n);
		double flop = 2.0 * m * n * k, g[99];
		// Warm up, then time batches of calls lasting about 0.2 s each.
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, a, k, b, n, 0, c, n);
		double t0 = now();
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, a, k, b, n, 0, c, n);
		int iters = (int)(0.2 / (now() - t0)) + 1;
		for (int r = 0; r < reps; r++) {
			t0 = now();
			for (int i = 0; i < iters; i++)
				cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, a, k, b, n, 0, c, n);
			g[r] = flop * iters / (now() - t0) / 1e9;
		}
		qsort(g, reps, sizeof g[0], cmp);
		printf("%dx%dx%d\tmedian %.1f GFLOP/s\tmin %.1f\tmax %.1f\n", m, n, k, g[reps / 2], g[0], g[reps - 1]);
		fflush(stdout);
		free(a); free(b); free(c);
	}
	return 0;
}
