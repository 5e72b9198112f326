// Package gemm is idim's single-precision matrix multiply for the CPU device.
//
// All matrices are row-major. Sgemm computes
//
//	C = alpha * op(A) * op(B) + beta * C
//
// where op(A) is m x k (A is m x k, or k x m when transA), op(B) is k x n
// (B is k x n, or n x k when transB) and C is m x n; lda, ldb and ldc are the
// row strides. beta == 0 means C is overwritten (its old contents, even NaN,
// are ignored), as in BLAS; alpha == 0 or k == 0 means A and B are not read.
//
// The implementation is a packed GEMM in the style of GotoBLAS and BLIS: op(B)
// is packed into kc x nr column slivers and op(A) into mr x kc row slivers
// (the packing absorbs both transposes), and an assembly micro-kernel
// (AVX-512 12x32, AVX2 6x16, NEON 8x12, or a Go 4x4 fallback) multiplies one
// sliver pair into an mr x nr tile of C, applying alpha and beta as it writes
// the tile back. Work is split over the internal/cpu worker pool.
package gemm

import "fmt"

// Sgemm computes C = alpha*op(A)*op(B) + beta*C using all workers of the
// internal/cpu pool, that is
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += opA(i, p) * opB(p, j)
//			}
//			c[i*ldc+j] = alpha*s + beta*c[i*ldc+j] // just alpha*s when beta == 0
//		}
//	}
//
// with opA(i, p) = a[i*lda+p] (a[p*lda+i] when transA) and opB(p, j) =
// b[p*ldb+j] (b[j*ldb+p] when transB). The sums are not evaluated in that
// order. It panics if a dimension is negative, a row stride is shorter than
// its row or a slice is too short for its shape: those are programming errors
// in the caller.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	SgemmThreads(0, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// SgemmThreads is Sgemm on at most threads workers (threads <= 0: all).
// Small products run on the calling goroutine alone.
func SgemmThreads(threads int, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkArgs(transA, transB, m, n, k, a, lda, 0, b, ldb, 0, c, ldc, 0, 1)
	run(threads, &problem{transA: transA, transB: transB, m: m, n: n, k: k,
		alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc})
}

// SgemmBatched computes batch independent products, for i in [0, batch):
//
//	C_i = alpha * op(A_i) * op(B_i) + beta * C_i
//
// where A_i starts at a[i*strideA:], B_i at b[i*strideB:] and C_i at
// c[i*strideC:], each laid out as in Sgemm. A stride of 0 uses the same
// matrix for every item (broadcast). strideC == 0 with batch > 1 runs the
// items one after another in order, each reading the C the previous one
// wrote, so beta == 1 sums the batch of products into one C (the gradient of
// a broadcast operand). Items are spread over at most threads workers
// (threads <= 0: all). It panics on the same programming errors as Sgemm, and
// if a stride is negative.
func SgemmBatched(threads int, transA, transB bool, m, n, k int, alpha float32, a []float32, lda, strideA int, b []float32, ldb, strideB int, beta float32, c []float32, ldc, strideC int, batch int) {
	if batch < 0 {
		panic(fmt.Sprintf("gemm: negative batch %d", batch))
	}
	if batch == 0 {
		return
	}
	checkArgs(transA, transB, m, n, k, a, lda, strideA, b, ldb, strideB, c, ldc, strideC, batch)
	runBatched(threads, &problem{transA: transA, transB: transB, m: m, n: n, k: k,
		alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc},
		strideA, strideB, strideC, batch)
}

// checkArgs panics unless every matrix of every item fits in its slice.
func checkArgs(transA, transB bool, m, n, k int, a []float32, lda, strideA int, b []float32, ldb, strideB int, c []float32, ldc, strideC int, batch int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: negative dimension m=%d n=%d k=%d", m, n, k))
	}
	if strideA < 0 || strideB < 0 || strideC < 0 {
		panic(fmt.Sprintf("gemm: negative stride strideA=%d strideB=%d strideC=%d", strideA, strideB, strideC))
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	checkMatrix("C", m, n, c, ldc, strideC, batch)
	if m == 0 || n == 0 {
		return
	}
	checkMatrix("A", ar, ac, a, lda, strideA, batch)
	checkMatrix("B", br, bc, b, ldb, strideB, batch)
}

func checkMatrix(name string, rows, cols int, s []float32, ld, stride, batch int) {
	if ld < max(cols, 1) {
		panic(fmt.Sprintf("gemm: ld%s=%d is less than the %d columns of %s", name, ld, cols, name))
	}
	if rows == 0 || cols == 0 {
		return
	}
	need := (batch-1)*stride + (rows-1)*ld + cols
	if len(s) < need {
		panic(fmt.Sprintf("gemm: %s has %d elements, %d x %d with ld=%d (batch %d, stride %d) needs %d",
			name, len(s), rows, cols, ld, batch, stride, need))
	}
}
