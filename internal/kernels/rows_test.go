package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/internal/cpu"
)

// serialAndParallel runs f once with every kernel on one goroutine and once
// with the parallel paths forced on, and returns both results; row kernels
// must give bit-identical results either way.
func serialAndParallel(f func() []float32) (serial, parallel []float32) {
	old := ParallelMin
	defer func() { ParallelMin = old }()
	ParallelMin = math.MaxInt
	serial = f()
	ParallelMin = 1
	parallel = f()
	return
}

// sameBits reports whether a and b hold bit-identical values.
func sameBits(a, b []float32) bool {
	_, ok := firstDiff(a, b)
	return ok
}

var rowShapes = [][2]int{{0, 5}, {1, 1}, {1, 7}, {3, 1}, {5, 33}, {17, 64}, {64, 257}, {300, 3}}

func TestReduceSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, sh := range [][3]int{{1, 5, 1}, {3, 4, 1}, {2, 3, 5}, {1, 100, 300}, {4, 1, 7}, {0, 3, 2}, {7, 0, 3}, {3, 0, 100}, {2, 9, 600}, {1, 1024, 768}} {
		outer, n, inner := sh[0], sh[1], sh[2]
		src := randSlice(rng, outer*n*inner, 1)
		old := randSlice(rng, outer*inner, 1)
		for _, beta := range []float32{0, 0.5} {
			s, p := serialAndParallel(func() []float32 {
				dst, check := guarded(outer*inner, 1)
				copy(dst, old)
				if beta == 0 {
					for i := range dst {
						dst[i] = float32(math.NaN()) // beta 0 must not read dst
					}
				}
				ReduceSum(dst, src, outer, n, inner, 2, beta)
				check(t, "reduce")
				return append([]float32(nil), dst...)
			})
			if !sameBits(s, p) {
				t.Fatalf("%v: serial and parallel differ", sh)
			}
			for o := 0; o < outer; o++ {
				for i := 0; i < inner; i++ {
					var want float64
					for j := 0; j < n; j++ {
						want += float64(src[(o*n+j)*inner+i])
					}
					want = 2*want + float64(beta)*float64(old[o*inner+i])
					if !near(s[o*inner+i], want, 1e-5) {
						t.Fatalf("%v beta=%v: [%d,%d] = %v, want %v", sh, beta, o, i, s[o*inner+i], want)
					}
				}
			}
		}
	}
	x := randSlice(rng, 1001, 1)
	var w, w2 float64
	for _, v := range x {
		w += float64(v)
		w2 += float64(v) * float64(v)
	}
	if math.Abs(Sum(x)-w) > 1e-9 || math.Abs(SumSquares(x)-w2) > 1e-9 {
		t.Fatal("Sum/SumSquares")
	}
}

func softmaxRef(x []float32, scale float64, mask []float32) []float64 {
	m := math.Inf(-1)
	any := false
	for j, v := range x {
		if mask == nil || mask[j] != 0 {
			m = math.Max(m, scale*float64(v))
			any = true
		}
	}
	out := make([]float64, len(x))
	if !any {
		for j := range out {
			out[j] = 1 / float64(len(x))
		}
		return out
	}
	var s float64
	for j, v := range x {
		if mask == nil || mask[j] != 0 {
			out[j] = math.Exp(scale*float64(v) - m)
			s += out[j]
		}
	}
	for j := range out {
		out[j] /= s
	}
	return out
}

func TestSoftmaxFamily(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	for _, sh := range rowShapes {
		rows, n := sh[0], sh[1]
		x := randSlice(rng, rows*n, 4)
		if rows > 2 {
			x[n] = 80 // large values must not overflow
		}
		dy := randSlice(rng, rows*n, 1)
		y, yp := serialAndParallel(func() []float32 {
			y, check := guarded(rows*n, 3)
			Softmax(y, x, rows, n)
			check(t, "softmax")
			return append([]float32(nil), y...)
		})
		ls, lsp := serialAndParallel(func() []float32 {
			y := make([]float32, rows*n)
			LogSoftmax(y, x, rows, n)
			return y
		})
		if !sameBits(y, yp) || !sameBits(ls, lsp) {
			t.Fatalf("%v: serial and parallel differ", sh)
		}
		dx := make([]float32, rows*n)
		SoftmaxBackward(dx, y, dy, rows, n, 0.5)
		dl := make([]float32, rows*n)
		LogSoftmaxBackward(dl, ls, dy, rows, n)
		for r := 0; r < rows; r++ {
			ref := softmaxRef(x[r*n:r*n+n], 1, nil)
			var d, sdy float64
			for j := 0; j < n; j++ {
				d += ref[j] * float64(dy[r*n+j])
				sdy += float64(dy[r*n+j])
			}
			for j := 0; j < n; j++ {
				k := r*n + j
				if !near(y[k], ref[j], 1e-6) {
					t.Fatalf("softmax %v [%d,%d] = %v, want %v", sh, r, j, y[k], ref[j])
				}
				if !near(ls[k], math.Log(ref[j]), 1e-5) {
					t.Fatalf("log_softmax %v [%d,%d] = %v, want %v", sh, r, j, ls[k], math.Log(ref[j]))
				}
				if !near(dx[k], 0.5*ref[j]*(float64(dy[k])-d), 1e-5) {
					t.Fatalf("softmax backward %v [%d,%d]", sh, r, j)
				}
				if !near(dl[k], float64(dy[k])-ref[j]*sdy, 1e-5) {
					t.Fatalf("log_softmax backward %v [%d,%d]", sh, r, j)
				}
			}
		}
	}
}

func TestMaskedSoftmax(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, sh := range [][4]int{{2, 3, 4, 5}, {3, 1, 2, 3}, {1, 2, 1, 1}, {4, 12, 16, 16}} {
		B, H, Q, K := sh[0], sh[1], sh[2], sh[3]
		x := randSlice(rng, B*H*Q*K, 3)
		mask := make([]float32, B*K)
		for b := 0; b < B; b++ {
			for j := 0; j < K; j++ {
				if j < K-b { // batch b has b padded keys; b >= K: all padded
					mask[b*K+j] = 1
				}
			}
		}
		dy := randSlice(rng, len(x), 1)
		for _, m := range [][]float32{mask, nil} {
			y, yp := serialAndParallel(func() []float32 {
				y, check := guarded(len(x), 1)
				MaskedSoftmax(y, x, m, B, H, Q, K, 0.125)
				check(t, "masked softmax")
				return append([]float32(nil), y...)
			})
			if !sameBits(y, yp) {
				t.Fatal("serial and parallel differ")
			}
			dx := make([]float32, len(x))
			MaskedSoftmaxBackward(dx, y, dy, m, B, H, Q, K, 0.125)
			for r := 0; r < B*H*Q; r++ {
				b := r / (H * Q)
				var mr []float32
				if m != nil {
					mr = m[b*K : b*K+K]
				}
				ref := softmaxRef(x[r*K:r*K+K], 0.125, mr)
				allMasked := mr != nil && K-b <= 0
				var d float64
				for j := 0; j < K; j++ {
					d += ref[j] * float64(dy[r*K+j])
				}
				for j := 0; j < K; j++ {
					if !near(y[r*K+j], ref[j], 1e-6) {
						t.Fatalf("%v row %d [%d] = %v, want %v", sh, r, j, y[r*K+j], ref[j])
					}
					want := 0.125 * ref[j] * (float64(dy[r*K+j]) - d)
					if allMasked {
						want = 0
					}
					if !near(dx[r*K+j], want, 1e-5) {
						t.Fatalf("%v backward row %d [%d] = %v, want %v", sh, r, j, dx[r*K+j], want)
					}
				}
			}
		}
	}
}

func TestLayerNorm(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for _, sh := range rowShapes {
		rows, n := sh[0], sh[1]
		x := randSlice(rng, rows*n, 2)
		for i := range x {
			x[i] += 10 // an offset the statistics must handle
		}
		g, b := randSlice(rng, n, 1), randSlice(rng, n, 1)
		dy := randSlice(rng, rows*n, 1)
		mean, rstd := make([]float32, rows), make([]float32, rows)
		y, yp := serialAndParallel(func() []float32 {
			y, check := guarded(rows*n, 2)
			LayerNorm(y, mean, rstd, x, g, b, rows, n, 1e-5)
			check(t, "layernorm")
			return append([]float32(nil), y...)
		})
		if !sameBits(y, yp) {
			t.Fatal("serial and parallel differ")
		}
		bw := func() []float32 {
			dx := make([]float32, rows*n)
			dg, db := make([]float32, n), make([]float32, n)
			LayerNormBackward(dx, dg, db, dy, x, mean, rstd, g, rows, n)
			return append(append(dx, dg...), db...)
		}
		d1, d2 := serialAndParallel(bw)
		if !sameBits(d1, d2) {
			t.Fatal("backward: serial and parallel differ")
		}
		dx, dg, db := d1[:rows*n], d1[rows*n:rows*n+n], d1[rows*n+n:]
		wdg, wdb := make([]float64, n), make([]float64, n)
		for r := 0; r < rows; r++ {
			xr := x[r*n : r*n+n]
			var mu, v float64
			for _, e := range xr {
				mu += float64(e)
			}
			mu /= float64(n)
			for _, e := range xr {
				v += (float64(e) - mu) * (float64(e) - mu)
			}
			rs := 1 / math.Sqrt(v/float64(n)+1e-5)
			var mg, mgx float64
			for j, e := range xr {
				xh := (float64(e) - mu) * rs
				gj := float64(dy[r*n+j]) * float64(g[j])
				mg += gj / float64(n)
				mgx += gj * xh / float64(n)
				wdg[j] += float64(dy[r*n+j]) * xh
				wdb[j] += float64(dy[r*n+j])
				if !near(y[r*n+j], xh*float64(g[j])+float64(b[j]), 1e-5) {
					t.Fatalf("%v y[%d,%d]", sh, r, j)
				}
			}
			for j, e := range xr {
				xh := (float64(e) - mu) * rs
				want := rs * (float64(dy[r*n+j])*float64(g[j]) - mg - xh*mgx)
				if !near(dx[r*n+j], want, 1e-4) {
					t.Fatalf("%v dx[%d,%d] = %v, want %v", sh, r, j, dx[r*n+j], want)
				}
			}
		}
		for j := 0; j < n; j++ {
			if !near(dg[j], wdg[j], 1e-4) || !near(db[j], wdb[j], 1e-5) {
				t.Fatalf("%v dgamma/dbeta[%d]", sh, j)
			}
		}
	}
}

func TestDropout(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	n := 200000
	x := randSlice(rng, n, 1)
	y, yp := serialAndParallel(func() []float32 {
		y := make([]float32, n)
		Dropout(y, x, 0.25, 42, 0)
		return y
	})
	if !sameBits(y, yp) {
		t.Fatal("mask depends on the number of threads")
	}
	zeros := 0
	for i, v := range y {
		keep := DropoutKeep(42, uint64(i), 0.25)
		if (v == 0) != !keep && x[i] != 0 {
			t.Fatalf("element %d does not follow DropoutKeep", i)
		}
		if keep && v != x[i]*(1/(1-float32(0.25))) {
			t.Fatalf("element %d not scaled", i)
		}
		if !keep {
			zeros++
		}
	}
	if rate := float64(zeros) / float64(n); math.Abs(rate-0.25) > 0.005 {
		t.Fatalf("drop rate %.4f, want 0.25", rate)
	}
	// The offset shifts the mask: the second half of a call equals a call
	// on the second half with the offset.
	h := make([]float32, n/2)
	Dropout(h, x[n/2:], 0.25, 42, uint64(n/2))
	if !sameBits(h, y[n/2:]) {
		t.Fatal("offset does not shift the mask")
	}
	// Another seed gives another mask.
	z := make([]float32, n)
	Dropout(z, x, 0.25, 43, 0)
	if sameBits(z, y) {
		t.Fatal("seed ignored")
	}
}

func TestCrossEntropy(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	for _, sh := range rowShapes {
		rows, n := sh[0], sh[1]
		if n == 0 {
			continue
		}
		x := randSlice(rng, rows*n, 3)
		labels := make([]int32, rows)
		for i := range labels {
			labels[i] = int32(rng.IntN(n))
			if i%4 == 3 {
				labels[i] = -100
			}
		}
		loss, lse := []float32{0}, make([]float32, rows)
		CrossEntropy(loss, lse, x, labels, rows, n, -100, 0.5)
		var want float64
		for r := 0; r < rows; r++ {
			m := math.Inf(-1)
			for _, v := range x[r*n : r*n+n] {
				m = math.Max(m, float64(v))
			}
			var s float64
			for _, v := range x[r*n : r*n+n] {
				s += math.Exp(float64(v) - m)
			}
			l := m + math.Log(s)
			if !near(lse[r], l, 1e-6) {
				t.Fatalf("lse[%d]", r)
			}
			if labels[r] != -100 {
				want += l - float64(x[r*n+int(labels[r])])
			}
		}
		if !near(loss[0], 0.5*want, 1e-5) {
			t.Fatalf("%v loss %v, want %v", sh, loss[0], 0.5*want)
		}
		d := make([]float32, rows*n)
		CrossEntropyBackward(d, x, lse, labels, []float32{2}, rows, n, -100, 0.5)
		for r := 0; r < rows; r++ {
			for j := 0; j < n; j++ {
				var w float64
				if labels[r] != -100 {
					w = math.Exp(float64(x[r*n+j]) - float64(lse[r]))
					if int32(j) == labels[r] {
						w--
					}
				}
				if !near(d[r*n+j], w, 1e-6) {
					t.Fatalf("%v dlogits[%d,%d] = %v, want %v", sh, r, j, d[r*n+j], w)
				}
			}
		}
	}
}

func TestAdam(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	for _, decoupled := range []bool{false, true} {
		n := 50001
		p0, g := randSlice(rng, n, 1), randSlice(rng, n, 1)
		m0, v0 := randSlice(rng, n, 0.1), randSlice(rng, n, 0.1)
		for i := range v0 {
			v0[i] *= v0[i]
		}
		prm := AdamParams{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1, Decoupled: decoupled, Step: 3, GradScale: 0.5}
		p, m, v := append([]float32(nil), p0...), append([]float32(nil), m0...), append([]float32(nil), v0...)
		Adam(p, g, m, v, prm)
		bc1, bc2 := 1-math.Pow(0.9, 3), 1-math.Pow(0.999, 3)
		for i := range p {
			w := float64(p0[i])
			gi := 0.5 * float64(g[i])
			if !decoupled {
				gi += 0.1 * w
			}
			mi := 0.9*float64(m0[i]) + 0.1*gi
			vi := 0.999*float64(v0[i]) + 0.001*gi*gi
			if decoupled {
				w -= 1e-2 * 0.1 * w
			}
			w -= 1e-2 * (mi / bc1) / (math.Sqrt(vi/bc2) + 1e-8)
			if !near(p[i], w, 1e-5) || !near(m[i], mi, 1e-6) || !near(v[i], vi, 1e-6) {
				t.Fatalf("decoupled=%v [%d]: p %v want %v", decoupled, i, p[i], w)
			}
		}
	}
}

func TestGatherScatterCopyPermute(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	for _, n := range []int{1, 3, 300, 700} {
		table := randSlice(rng, 10*n, 1)
		idx := []int32{3, 0, 3, 9, 3}
		out, check := guarded(len(idx)*n, 1)
		GatherRows(out, table, idx, n)
		check(t, "gather")
		for i, r := range idx {
			if !sameBits(out[i*n:i*n+n], table[int(r)*n:int(r)*n+n]) {
				t.Fatal("gather row", i)
			}
		}
		acc := make([]float32, 10*n)
		s1, s2 := serialAndParallel(func() []float32 {
			a := make([]float32, 10*n)
			ScatterAddRows(a, out, idx, n)
			return a
		})
		if !sameBits(s1, s2) {
			t.Fatal("scatter: serial and parallel differ")
		}
		copy(acc, s1)
		for j := 0; j < n; j++ {
			want := float64(out[0*n+j]) + float64(out[2*n+j]) + float64(out[4*n+j])
			if !near(acc[3*n+j], want, 1e-6) || acc[n+j] != 0 {
				t.Fatal("scatter-add")
			}
		}
	}
	// CopyRows: a 3x4 block between row strides 7 and 5, then accumulate.
	src := randSlice(rng, 3*5, 1)
	dst, check := guarded(3*7, 2)
	Fill(dst, 0)
	CopyRows(dst[1:], 7, src, 5, 3, 4, false)
	CopyRows(dst[1:], 7, src, 5, 3, 4, true)
	check(t, "copyrows")
	for r := 0; r < 3; r++ {
		for c := 0; c < 7; c++ {
			want := float32(0)
			if c >= 1 && c < 5 {
				want = 2 * src[r*5+c-1]
			}
			if dst[r*7+c] != want {
				t.Fatalf("copyrows [%d,%d]", r, c)
			}
		}
	}
	// Permute against index arithmetic for a few permutations.
	shape := []int{2, 3, 4, 5}
	x := randSlice(rng, 120, 1)
	for _, perm := range [][]int{{0, 2, 1, 3}, {3, 2, 1, 0}, {1, 0, 3, 2}, {0, 1, 2, 3}} {
		y, check := guarded(120, 1)
		Permute(y, x, shape, perm)
		check(t, "permute")
		st := []int{60, 20, 5, 1}
		os := []int{shape[perm[0]], shape[perm[1]], shape[perm[2]], shape[perm[3]]}
		for i := 0; i < 120; i++ {
			r := i
			var idx [4]int
			for d := 3; d >= 0; d-- {
				idx[d] = r % os[d]
				r /= os[d]
			}
			k := 0
			for d := 0; d < 4; d++ {
				k += idx[d] * st[perm[d]]
			}
			if y[i] != x[k] {
				t.Fatalf("permute %v [%d]", perm, i)
			}
		}
	}
}

// TestSoftmaxNaN: a NaN anywhere in a row makes the whole row NaN (and the
// log-sum-exp NaN), in every implementation and lane.
func TestSoftmaxNaN(t *testing.T) {
	cpu.ForEachImpl(t, func(t *testing.T) {
		for _, n := range []int{5, 16, 37} {
			for at := 0; at < n; at++ {
				x := make([]float32, n)
				for i := range x {
					x[i] = float32(i % 3)
				}
				x[at] = float32(math.NaN())
				y := make([]float32, n)
				Softmax(y, x, 1, n)
				for i, v := range y {
					if v == v {
						t.Fatalf("n=%d NaN at %d: y[%d] = %v", n, at, i, v)
					}
				}
				if l := logSumExp(x); l == l {
					t.Fatalf("n=%d NaN at %d: logSumExp = %v", n, at, l)
				}
			}
		}
	})
}
