package autograd

import "slices"

// MatMul returns op(a) * op(b) where op transposes the last two dimensions
// when the flag is set: a is [..., M, K] ([..., K, M] with transA), b is
// [..., K, N] ([..., N, K] with transB), and the result is [..., M, N].
// Leading (batch) dimensions must be equal, or one operand is a plain
// matrix (rank 2) that is used for every batch element. No transposed copy
// is ever made: the GEMM reads either layout, forward and backward.
func MatMul(a, b *Tensor, transA, transB bool) *Tensor {
	const op = "MatMul"
	dev := sameDevice(op, a, b)
	if a.ndim < 2 || b.ndim < 2 {
		opPanic(op, "operands need rank >= 2, got %v and %v", a.Shape(), b.Shape())
	}
	m, ka := a.Dim(-2), a.Dim(-1)
	if transA {
		m, ka = ka, m
	}
	kb, n := b.Dim(-2), b.Dim(-1)
	if transB {
		kb, n = n, kb
	}
	if ka != kb {
		opPanic(op, "inner dimensions differ: %v (transA=%v) times %v (transB=%v)", a.Shape(), transA, b.Shape(), transB)
	}
	var bshape []int
	switch {
	case a.ndim == 2:
		bshape = b.shape[:b.ndim-2]
	case b.ndim == 2:
		bshape = a.shape[:a.ndim-2]
	default:
		if !slices.Equal(a.shape[:a.ndim-2], b.shape[:b.ndim-2]) {
			opPanic(op, "batch dimensions differ: %v and %v", a.Shape(), b.Shape())
		}
		bshape = a.shape[:a.ndim-2]
	}
	batch := 1
	var shape [MaxDims]int
	nd := copy(shape[:], bshape)
	for _, d := range bshape {
		batch *= d
	}
	shape[nd], shape[nd+1] = m, n
	out := result(dev, shape[:nd+2]...)
	if out.size > 0 {
		if ka == 0 {
			dev.Fill(out, 0)
		} else {
			dev.Gemm(GemmArgs{
				TransA: transA, TransB: transB, M: m, N: n, K: ka, Alpha: 1,
				A: a, LdA: a.Dim(-1), StrideA: batchStride(a),
				B: b, LdB: b.Dim(-1), StrideB: batchStride(b),
				C: out, LdC: n, StrideC: m * n, Batch: batch,
			})
		}
	}
	if needsGrad(a, b) {
		nd := record(out, matmulBackward, a, b)
		nd.flags[0], nd.flags[1] = transA, transB
		nd.ints[0], nd.ints[1], nd.ints[2], nd.ints[3] = m, n, ka, batch
	}
	return out
}

// batchStride is the element distance between the matrices of t in a
// batched product: 0 for a plain matrix (broadcast).
func batchStride(t *Tensor) int {
	if t.ndim == 2 {
		return 0
	}
	return t.Dim(-2) * t.Dim(-1)
}

func matmulBackward(nd *node, g *Tensor) {
	a, b := nd.in[0], nd.in[1]
	transA, transB := nd.flags[0], nd.flags[1]
	m, n, k, batch := nd.ints[0], nd.ints[1], nd.ints[2], nd.ints[3]
	dev := g.dev
	if k == 0 || m*n == 0 {
		// Gradients are zero: make sure they exist.
		for _, x := range [2]*Tensor{a, b} {
			if dst, beta := gradTarget(x); dst != nil && beta == 0 && dst.size > 0 {
				dev.Fill(dst, 0)
			}
		}
		return
	}
	if wants(a) {
		dst, beta := gradTarget(a)
		ga := GemmArgs{M: m, N: k, K: n, Alpha: 1, Beta: beta, C: dst, LdC: a.Dim(-1), StrideC: batchStride(a), Batch: batch}
		if !transA {
			// dA = G * op(B)^T
			ga.A, ga.LdA, ga.StrideA = g, n, m*n
			ga.B, ga.LdB, ga.StrideB, ga.TransB = b, b.Dim(-1), batchStride(b), !transB
		} else {
			// dA (K x M) = op(B) * G^T
			ga.M, ga.N, ga.K = k, m, n
			ga.A, ga.LdA, ga.StrideA, ga.TransA = b, b.Dim(-1), batchStride(b), transB
			ga.B, ga.LdB, ga.StrideB, ga.TransB = g, n, m*n, true
		}
		gemmMaybeReduce(dev, ga, a.ndim == 2 && batch > 1)
	}
	if wants(b) {
		dst, beta := gradTarget(b)
		gb := GemmArgs{M: k, N: n, K: m, Alpha: 1, Beta: beta, C: dst, LdC: b.Dim(-1), StrideC: batchStride(b), Batch: batch}
		if !transB {
			// dB = op(A)^T * G
			gb.A, gb.LdA, gb.StrideA, gb.TransA = a, a.Dim(-1), batchStride(a), !transA
			gb.B, gb.LdB, gb.StrideB = g, n, m*n
		} else {
			// dB (N x K) = G^T * op(A)
			gb.M, gb.N, gb.K = n, k, m
			gb.A, gb.LdA, gb.StrideA, gb.TransA = g, n, m*n, true
			gb.B, gb.LdB, gb.StrideB, gb.TransB = a, a.Dim(-1), batchStride(a), transA
		}
		gemmMaybeReduce(dev, gb, b.ndim == 2 && batch > 1)
	}
}

// gemmMaybeReduce runs g; when its output is a broadcast matrix (StrideC 0
// over a batch) the batch members are accumulated one after the other, so
// that no two products write C at the same time.
func gemmMaybeReduce(dev Device, g GemmArgs, reduce bool) {
	if !reduce {
		dev.Gemm(g)
		return
	}
	batch := g.Batch
	a, b := g.A, g.B
	sa, sb := g.StrideA, g.StrideB
	g.Batch, g.StrideA, g.StrideB, g.StrideC = 1, 0, 0, 0
	for i := 0; i < batch; i++ {
		av, bv := a, b
		if sa != 0 {
			av = a.view(i*sa, []int{sa})
		}
		if sb != 0 {
			bv = b.view(i*sb, []int{sb})
		}
		g.A, g.B = av, bv
		dev.Gemm(g)
		if av != a {
			av.free()
		}
		if bv != b {
			bv.free()
		}
		g.Beta = 1
	}
}
