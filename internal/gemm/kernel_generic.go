package gemm

// kernGeneric is the pure-Go 4x4 micro-kernel, used where no assembly is.
var kernGeneric = kernel{name: "generic", mr: 4, nr: 4, kc: 256, mc: 128, fn: kernelGeneric}

// kernelGeneric is
//
//	for i := 0; i < 4; i++ {
//		for j := 0; j < 4; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += a[p*4+i] * b[p*4+j]
//			}
//			c[i*ldc+j] = alpha*s + beta*c[i*ldc+j] // alpha*s when beta == 0
//		}
//	}
func kernelGeneric(k int, a, b, c []float32, ldc int, alpha, beta float32) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	var c20, c21, c22, c23, c30, c31, c32, c33 float32
	a, b = a[:4*k], b[:4*k]
	for p := 0; p+4 <= len(a); p += 4 {
		av, bv := a[p:p+4], b[p:p+4]
		a0, a1, a2, a3 := av[0], av[1], av[2], av[3]
		b0, b1, b2, b3 := bv[0], bv[1], bv[2], bv[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	storeRow4(c[0:4], c00, c01, c02, c03, alpha, beta)
	storeRow4(c[ldc:ldc+4], c10, c11, c12, c13, alpha, beta)
	storeRow4(c[2*ldc:2*ldc+4], c20, c21, c22, c23, alpha, beta)
	storeRow4(c[3*ldc:3*ldc+4], c30, c31, c32, c33, alpha, beta)
}

func storeRow4(c []float32, s0, s1, s2, s3, alpha, beta float32) {
	c = c[:4]
	if beta == 0 {
		c[0], c[1], c[2], c[3] = alpha*s0, alpha*s1, alpha*s2, alpha*s3
		return
	}
	c[0] = alpha*s0 + beta*c[0]
	c[1] = alpha*s1 + beta*c[1]
	c[2] = alpha*s2 + beta*c[2]
	c[3] = alpha*s3 + beta*c[3]
}
