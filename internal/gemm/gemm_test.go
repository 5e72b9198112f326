package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"sync"
	"testing"

	"github.com/idim-go/idim/internal/cpu"
)

// guard fills the parts of a slice that Sgemm must not write.
const guard = float32(-12345.5)

// gemmCase is one call to check.
type gemmCase struct {
	transA, transB bool
	m, n, k        int
	padA, padB     int // lda - row length (and so on)
	padC           int
	alpha, beta    float32
	threads        int
}

func (tc gemmCase) String() string {
	return fmt.Sprintf("tA=%v tB=%v m=%d n=%d k=%d pad=%d,%d,%d alpha=%g beta=%g threads=%d",
		tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.padA, tc.padB, tc.padC, tc.alpha, tc.beta, tc.threads)
}

// matrix returns rows x cols values with row stride ld, surrounded and
// padded by guard values, and the offset of element (0, 0).
func matrix(r *rand.Rand, rows, cols, ld int) ([]float32, int) {
	const pre = 7
	s := make([]float32, pre+rows*ld+5)
	for i := range s {
		s[i] = guard
	}
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			s[pre+i*ld+j] = float32(r.IntN(2001)-1000) / 512
		}
	}
	return s, pre
}

// line is matrix for one row of n values.
func line(r *rand.Rand, n int) ([]float32, int) { return matrix(r, 1, n, n) }

// refGemm returns op(A)*op(B) in float64 and, per element, the sum of the
// absolute values of the products (for the error bound).
func refGemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int) (prod, mag []float64) {
	prod, mag = make([]float64, m*n), make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s, g float64
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
				s += float64(av) * float64(bv)
				g += math.Abs(float64(av) * float64(bv))
			}
			prod[i*n+j], mag[i*n+j] = s, g
		}
	}
	return prod, mag
}

// check runs tc through SgemmThreads and compares every element of C with
// a float64 reference within a k-scaled float32 error bound, and checks
// that no guard value changed.
func check(t *testing.T, r *rand.Rand, tc gemmCase) {
	t.Helper()
	ar, ac := tc.m, tc.k
	if tc.transA {
		ar, ac = tc.k, tc.m
	}
	br, bc := tc.k, tc.n
	if tc.transB {
		br, bc = tc.n, tc.k
	}
	lda, ldb, ldc := max(ac, 1)+tc.padA, max(bc, 1)+tc.padB, max(tc.n, 1)+tc.padC
	a, ao := matrix(r, ar, ac, lda)
	b, bo := matrix(r, br, bc, ldb)
	c, co := matrix(r, tc.m, tc.n, ldc)
	if tc.beta == 0 {
		for i := 0; i < tc.m; i++ {
			for j := 0; j < tc.n; j++ {
				c[co+i*ldc+j] = float32(math.NaN()) // must be ignored
			}
		}
	}
	c0 := append([]float32(nil), c...)
	a0, b0 := append([]float32(nil), a...), append([]float32(nil), b...)
	SgemmThreads(tc.threads, tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a[ao:], lda, b[bo:], ldb, tc.beta, c[co:], ldc)
	prod, mag := refGemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, a[ao:], lda, b[bo:], ldb)
	compare(t, tc.String(), tc.m, tc.n, tc.k, tc.alpha, tc.beta, prod, mag, c0, c, co, ldc)
	for i := range a {
		if a[i] != a0[i] {
			t.Fatalf("%v: Sgemm wrote to A", tc)
		}
	}
	for i := range b {
		if b[i] != b0[i] {
			t.Fatalf("%v: Sgemm wrote to B", tc)
		}
	}
}

// compare checks c (element (0,0) at co, stride ldc) against
// alpha*prod + beta*c0 and the guards of c against c0.
func compare(t *testing.T, name string, m, n, k int, alpha, beta float32, prod, mag []float64, c0, c []float32, co, ldc int) {
	t.Helper()
	const eps = 1.0 / (1 << 24)
	inside := func(i int) bool {
		i -= co
		return i >= 0 && i/ldc < m && i%ldc < n
	}
	bad := 0
	for idx := range c {
		if !inside(idx) {
			if math.Float32bits(c[idx]) != math.Float32bits(c0[idx]) {
				t.Fatalf("%s: guard at %d changed: %v -> %v", name, idx-co, c0[idx], c[idx])
			}
			continue
		}
		i, j := (idx-co)/ldc, (idx-co)%ldc
		want := float64(alpha) * prod[i*n+j]
		bound := 2 * float64(k+3) * eps * math.Abs(float64(alpha)) * mag[i*n+j]
		if beta != 0 {
			want += float64(beta) * float64(c0[idx])
			bound += 4 * eps * math.Abs(float64(beta)*float64(c0[idx]))
		}
		bound += 2 * eps * math.Abs(want)
		got := float64(c[idx])
		if math.IsNaN(want) != math.IsNaN(got) || math.Abs(got-want) > bound {
			if bad++; bad <= 5 {
				t.Errorf("%s: c[%d][%d] = %v, want %v (bound %.3g)", name, i, j, got, want, bound)
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%s: %d wrong elements", name, bad)
	}
}

func short() bool { return testing.Short() || os.Getenv("IDIM_TEST_QEMU") != "" }

// TestEverySize covers every m, n and k in 0..64 (the other two dimensions
// random, up to 70) in all four transpose combinations, with padded strides,
// for every implementation.
func TestEverySize(t *testing.T) {
	cpu.ForEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		alphas := []float32{1, -0.75, 2}
		betas := []float32{0, 1, 0.5}
		for v := 0; v <= 64; v++ {
			for dim := 0; dim < 3; dim++ {
				d := [3]int{1 + r.IntN(70), 1 + r.IntN(70), 1 + r.IntN(70)}
				d[dim] = v
				tc := gemmCase{
					transA: (v+dim)&1 == 1, transB: (v+dim)&2 == 2,
					m: d[0], n: d[1], k: d[2],
					padA: r.IntN(3), padB: r.IntN(3), padC: r.IntN(3),
					alpha: alphas[(v+dim)%3], beta: betas[(v/3+dim)%3], threads: 1 + v%2,
				}
				check(t, r, tc)
			}
		}
	})
}

// TestEdgeTiles runs every m and n of 1..2 tiles of the widest kernel at a
// depth that is not a multiple of the unrolling.
func TestEdgeTiles(t *testing.T) {
	cpu.ForEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		kern := pickKernel()
		step := 1
		if short() {
			step = 3
		}
		for m := 1; m <= 2*kern.mr+1; m += step {
			for n := 1; n <= 2*kern.nr+1; n += step {
				check(t, r, gemmCase{m: m, n: n, k: 7 + (m+n)%5, alpha: 1, beta: float32((m+n)%2) / 2, threads: 1,
					transA: m&1 == 0, transB: n&1 == 0, padC: 1})
			}
		}
	})
}

// TestLarge spans several k, m and column blocks, in all transpose
// combinations, on one and two workers. The float64 reference of each
// shape is computed once and shared by the implementations.
func TestLarge(t *testing.T) {
	old := bBudget
	defer func() { bBudget = old }()
	bBudget = 64 << 10 // several column panels
	sizes := [][3]int{{300, 517, 1100}, {97, 75, 300}}
	if short() {
		sizes = [][3]int{{150, 133, 530}}
	}
	r := rand.New(rand.NewPCG(5, 6))
	for _, s := range sizes {
		for tr := 0; tr < 4; tr++ {
			transA, transB := tr&1 == 1, tr&2 == 2
			m, n, k := s[0], s[1], s[2]
			lda, ldb, ldc := k+3, n+1, n+2
			ar, br := m, k
			if transA {
				ar, lda = k, m+3
			}
			if transB {
				br, ldb = n, k+1
			}
			a, ao := matrix(r, ar, lda-3, lda)
			b, bo := matrix(r, br, ldb-1, ldb)
			c0, co := matrix(r, m, n, ldc)
			alpha, beta := float32(-1.5), float32(tr)/2
			prod, mag := refGemm(transA, transB, m, n, k, a[ao:], lda, b[bo:], ldb)
			cpu.ForEachImpl(t, func(t *testing.T) {
				for _, threads := range []int{1, 2} {
					c := append([]float32(nil), c0...)
					SgemmThreads(threads, transA, transB, m, n, k, alpha, a[ao:], lda, b[bo:], ldb, beta, c[co:], ldc)
					compare(t, fmt.Sprintf("%dx%dx%d tA=%v tB=%v threads=%d", m, n, k, transA, transB, threads),
						m, n, k, alpha, beta, prod, mag, c0, c, co, ldc)
				}
			})
		}
	}
}

// TestAlignment starts A, B and C at every float offset within a 64-byte
// line, so that the packing and the kernels see every misalignment.
func TestAlignment(t *testing.T) {
	cpu.ForEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(15, 16))
		const m, n, k = 29, 45, 37
		for off := 0; off < 16; off++ {
			for tr := 0; tr < 4; tr++ {
				transA, transB := tr&1 == 1, tr&2 == 2
				lda, ldb, ldc := k+1, n+3, n+2
				ar, br := m, k
				if transA {
					ar, lda = k, m+1
				}
				if transB {
					br, ldb = n, k+3
				}
				a, ao := matrix(r, ar, lda-1, lda)
				b, bo := matrix(r, br, ldb-3, ldb)
				c, co := matrix(r, m, n, ldc)
				// Shift each matrix by off floats (and the others by other amounts).
				a, b = append(make([]float32, off), a...), append(make([]float32, (off+5)%16), b...)
				ao, bo = ao+off, bo+(off+5)%16
				c0 := append(make([]float32, (off+11)%16), c...)
				for i := 0; i < (off+11)%16; i++ {
					c0[i] = guard
				}
				co += (off + 11) % 16
				c = append([]float32(nil), c0...)
				SgemmThreads(1, transA, transB, m, n, k, 0.75, a[ao:], lda, b[bo:], ldb, 0.5, c[co:], ldc)
				prod, mag := refGemm(transA, transB, m, n, k, a[ao:], lda, b[bo:], ldb)
				compare(t, fmt.Sprintf("off=%d tA=%v tB=%v", off, transA, transB), m, n, k, 0.75, 0.5, prod, mag, c0, c, co, ldc)
			}
		}
	})
}

// TestShapesForParallel runs the shapes that take each parallel split:
// tall, wide (few row slivers), and tiny ones kept on one worker.
func TestShapesForParallel(t *testing.T) {
	shapes := [][3]int{{400, 64, 200}, {8, 900, 300}, {30, 700, 129}, {2, 3, 200000}, {1000, 1, 100}}
	if short() {
		shapes = shapes[1:3]
	}
	cpu.ForEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(7, 8))
		for i, s := range shapes {
			check(t, r, gemmCase{m: s[0], n: s[1], k: s[2], alpha: 1, beta: 0, threads: 0,
				transA: i&1 == 1, transB: i&2 == 2})
		}
	})
}

// TestDeterministic repeats products on one and two workers: the result
// must be bit for bit the same every time for a given thread count,
// however the workers happened to share the tiles and the packing. The
// shapes take row blocks of unequal tiles, column chunks, many depth
// blocks and several column panels.
func TestDeterministic(t *testing.T) {
	old := bBudget
	defer func() { bBudget = old }()
	bBudget = 32 << 10
	shapes := [][3]int{{1000, 130, 600}, {20, 700, 300}, {299, 301, 257}, {130, 200, 1500}, {40, 300, 2000}}
	reps := 6
	if short() {
		shapes, reps = shapes[1:4], 3
	}
	r := rand.New(rand.NewPCG(9, 10))
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		a, _ := matrix(r, m, k, k)
		b, _ := matrix(r, k, n, n)
		c0, _ := matrix(r, m, n, n)
		for _, threads := range []int{1, 2} {
			var first []float32
			count := reps
			if m*n*k < 30e6 && !short() {
				count *= 10 // cheap: more chances for the workers to meet
			}
			for rep := 0; rep < count; rep++ {
				c := append([]float32(nil), c0...)
				SgemmThreads(threads, false, false, m, n, k, 0.5, a, k, b, n, 0.25, c, n)
				if first == nil {
					first = c
					continue
				}
				for i := range c {
					if math.Float32bits(c[i]) != math.Float32bits(first[i]) {
						t.Fatalf("%dx%dx%d threads=%d: repeat %d differs at %d: %v, first %v", m, n, k, threads, rep, i, c[i], first[i])
					}
				}
			}
		}
	}
}

// TestAlphaZeroAndKZero checks that C = beta*C without reading A or B.
func TestAlphaZeroAndKZero(t *testing.T) {
	nan := float32(math.NaN())
	for _, tc := range []struct {
		k     int
		alpha float32
	}{{0, 1}, {5, 0}} {
		for _, beta := range []float32{0, 1, -2} {
			c := []float32{1, 2, guard, 3, 4, guard}
			a := []float32{nan, nan, nan, nan, nan, nan, nan, nan, nan, nan}
			Sgemm(false, false, 2, 2, tc.k, tc.alpha, a, max(tc.k, 1), a, 2, beta, c, 3)
			want := []float32{beta * 1, beta * 2, guard, beta * 3, beta * 4, guard}
			for i := range c {
				if c[i] != want[i] {
					t.Fatalf("k=%d alpha=%v beta=%v: c = %v, want %v", tc.k, tc.alpha, beta, c, want)
				}
			}
		}
	}
}

// TestNaNPropagates checks that NaN in C with beta != 0, and NaN or Inf in
// A, reach the output as IEEE arithmetic says.
func TestNaNPropagates(t *testing.T) {
	cpu.ForEachImpl(t, func(t *testing.T) {
		const m, n, k = 40, 70, 9
		a := make([]float32, m*k)
		b := make([]float32, k*n)
		c := make([]float32, m*n)
		for i := range a {
			a[i] = 1
		}
		for i := range b {
			b[i] = 1
		}
		c[5*n+3] = float32(math.NaN())
		a[17*k+2] = float32(math.Inf(1))
		Sgemm(false, false, m, n, k, 1, a, k, b, n, 1, c, n)
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				v := c[i*n+j]
				switch {
				case i == 5 && j == 3:
					if !math.IsNaN(float64(v)) {
						t.Fatalf("c[5][3] = %v, want NaN", v)
					}
				case i == 17:
					if !math.IsInf(float64(v), 1) {
						t.Fatalf("c[17][%d] = %v, want +Inf", j, v)
					}
				case v != k:
					t.Fatalf("c[%d][%d] = %v, want %d", i, j, v, k)
				}
			}
		}
	})
}

// TestBatched checks SgemmBatched against the reference item by item, with
// broadcast operands, both batch strategies, and an accumulating C.
func TestBatched(t *testing.T) {
	type bc struct {
		m, n, k, batch int
		bcastA, bcastB bool
		threads        int
	}
	cases := []bc{
		{5, 7, 3, 1, false, false, 0},
		{33, 20, 17, 6, false, true, 0},
		{64, 64, 64, 9, true, false, 2},
		{200, 150, 130, 3, false, false, 2}, // big items: one after another
		{12, 40, 8, 5, false, false, 1},
	}
	cpu.ForEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(9, 10))
		for ci, tc := range cases {
			transA, transB := ci&1 == 1, ci&2 == 2
			ar, ac, br, bcols := tc.m, tc.k, tc.k, tc.n
			if transA {
				ar, ac = ac, ar
			}
			if transB {
				br, bcols = bcols, br
			}
			lda, ldb, ldc := ac+1, bcols+2, tc.n+1
			sA, sB, sC := ar*lda+3, br*ldb+1, tc.m*ldc+2
			if tc.bcastA {
				sA = 0
			}
			if tc.bcastB {
				sB = 0
			}
			a, ao := line(r, sA*tc.batch+ar*lda)
			b, bo := line(r, sB*tc.batch+br*ldb)
			c, co := line(r, sC*tc.batch)
			c0 := append([]float32(nil), c...)
			alpha, beta := float32(0.5), float32(ci%2)
			SgemmBatched(tc.threads, transA, transB, tc.m, tc.n, tc.k, alpha, a[ao:], lda, sA, b[bo:], ldb, sB, beta, c[co:], ldc, sC, tc.batch)
			for i := 0; i < tc.batch; i++ {
				prod, mag := refGemm(transA, transB, tc.m, tc.n, tc.k, a[ao+i*sA:], lda, b[bo+i*sB:], ldb)
				lo, hi := co+i*sC, co+(i+1)*sC
				compare(t, fmt.Sprintf("case %d item %d", ci, i), tc.m, tc.n, tc.k, alpha, beta, prod, mag,
					c0[lo:hi], c[lo:hi], 0, ldc)
			}
		}
	})
}

// TestBatchedAccumulate checks that strideC == 0 and beta == 1 sum the
// products of the batch into one C.
func TestBatchedAccumulate(t *testing.T) {
	const m, n, k, batch = 20, 30, 40, 5
	r := rand.New(rand.NewPCG(11, 12))
	a, _ := line(r, batch*m*k)
	b, _ := line(r, batch*k*n)
	a, b = a[7:7+batch*m*k], b[7:7+batch*k*n]
	c := make([]float32, m*n)
	SgemmBatched(0, true, false, m, n, k, 1, a, m, m*k, b, n, k*n, 1, c, n, 0, batch)
	prod := make([]float64, m*n)
	mag := make([]float64, m*n)
	for i := 0; i < batch; i++ {
		p, g := refGemm(true, false, m, n, k, a[i*m*k:], m, b[i*k*n:], n)
		for j := range p {
			prod[j] += p[j]
			mag[j] += g[j]
		}
	}
	compare(t, "accumulate", m, n, batch*k, 1, 0, prod, mag, make([]float32, m*n), c, 0, n)
}

// TestConcurrentCalls runs products from several goroutines at once; each
// must get its own packing buffers.
func TestConcurrentCalls(t *testing.T) {
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 13))
			for i := 0; i < 3; i++ {
				check(t, r, gemmCase{m: 100 + g, n: 90 + i, k: 120, alpha: 1, beta: 0, transB: g&1 == 1})
			}
		}()
	}
	wg.Wait()
}

func TestNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	const n = 200
	a, b, c := make([]float32, n*n), make([]float32, n*n), make([]float32, n*n)
	for _, threads := range []int{1, 2} {
		SgemmThreads(threads, false, true, n, n, n, 1, a, n, b, n, 0, c, n)
		allocs := testing.AllocsPerRun(20, func() {
			SgemmThreads(threads, false, true, n, n, n, 1, a, n, b, n, 0, c, n)
		})
		if allocs > 0.5 {
			t.Errorf("threads=%d: %.1f allocations per call", threads, allocs)
		}
	}
	allocs := testing.AllocsPerRun(20, func() {
		SgemmBatched(2, false, false, 32, 32, 32, 1, a, 32, 1024, b, 32, 0, 0, c, 32, 1024, 8)
	})
	if allocs > 0.5 {
		t.Errorf("batched: %.1f allocations per call", allocs)
	}
}

func TestBadArgsPanic(t *testing.T) {
	a := make([]float32, 12)
	for _, f := range []func(){
		func() { Sgemm(false, false, 3, 4, 4, 1, a, 4, a, 4, 0, a[:11], 4) }, // C short
		func() { Sgemm(false, false, 3, 4, 4, 1, a, 3, a, 4, 0, a, 4) },      // lda < k
		func() { Sgemm(true, false, 4, 3, 3, 1, a[:11], 4, a, 3, 0, a, 3) },  // A short
		func() { Sgemm(false, false, -1, 4, 4, 1, a, 4, a, 4, 0, a, 4) },
		func() { SgemmBatched(0, false, false, 2, 2, 2, 1, a, 2, 4, a, 2, 4, 0, a, 2, 4, 4) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("bad arguments did not panic")
				}
			}()
			f()
		}()
	}
}

// FuzzSgemm compares every assembly implementation with the generic one.
func FuzzSgemm(f *testing.F) {
	f.Add(uint8(13), uint8(33), uint8(17), uint8(3), int64(1))
	f.Add(uint8(1), uint8(1), uint8(1), uint8(0), int64(2))
	f.Add(uint8(25), uint8(65), uint8(255), uint8(2), int64(3))
	f.Fuzz(func(t *testing.T, m8, n8, k8, flags uint8, seed int64) {
		m, n, k := int(m8)%100, int(n8)%100, int(k8)
		transA, transB := flags&1 != 0, flags&2 != 0
		beta := float32(flags>>2&3) / 2
		r := rand.New(rand.NewPCG(uint64(seed), 14))
		ar, ac := m, k
		if transA {
			ar, ac = k, m
		}
		br, bc := k, n
		if transB {
			br, bc = n, k
		}
		a, ao := matrix(r, ar, ac, max(ac, 1))
		b, bo := matrix(r, br, bc, max(bc, 1))
		c, co := matrix(r, m, n, max(n, 1))
		ldA, ldB, ldC := max(ac, 1), max(bc, 1), max(n, 1)
		want := append([]float32(nil), c...)
		func() {
			defer cpu.DisableAll()()
			Sgemm(transA, transB, m, n, k, 1.25, a[ao:], ldA, b[bo:], ldB, beta, want[co:], ldC)
		}()
		const eps = 1.0 / (1 << 24)
		_, mag := refGemm(transA, transB, m, n, k, a[ao:], ldA, b[bo:], ldB)
		for _, im := range cpu.Impls() {
			if im.Name == "generic" {
				continue
			}
			got := append([]float32(nil), c...)
			restore := im.Select()
			Sgemm(transA, transB, m, n, k, 1.25, a[ao:], ldA, b[bo:], ldB, beta, got[co:], ldC)
			restore()
			for i := range got {
				if i < co || i >= co+m*ldC || (i-co)%ldC >= n {
					if got[i] != want[i] {
						t.Fatalf("%s: guard %d changed", im.Name, i)
					}
					continue
				}
				x, y := float64(got[i]), float64(want[i])
				bound := 4*float64(k+3)*eps*1.25*mag[(i-co)/ldC*n+(i-co)%ldC] + 8*eps*math.Abs(y) + 1e-30
				if math.Abs(x-y) > bound {
					t.Fatalf("%s: m=%d n=%d k=%d: c[%d][%d] = %v, generic %v", im.Name, m, n, k, (i-co)/ldC, (i-co)%ldC, x, y)
				}
			}
		}
	})
}
