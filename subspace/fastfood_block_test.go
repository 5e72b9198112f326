package subspace

import (
	"math"
	"math/rand/v2"
	"testing"
)

// blockParams is one big tensor (split over the workers; its length not a
// multiple of the block) and two small ones, with random data and
// gradients.
func blockParams(r *rand.Rand) []Param {
	shapes := []TensorInfo{{"big", []int{blockParallelMin/512 + 3, 512}}, {"small", []int{300, 7}}, {"bias", []int{5}}}
	ps := make([]Param, len(shapes))
	for i, s := range shapes {
		n := numel(s.Shape)
		ps[i] = Param{Name: s.Name, Shape: s.Shape, Data: make([]float32, n), Grad: make([]float32, n)}
		for k := range n {
			ps[i].Data[k] = float32(r.NormFloat64() * 0.02)
			ps[i].Grad[k] = float32(r.NormFloat64())
		}
	}
	return ps
}

// TestBlockSplitMatchesSequential: a big FastfoodBlock tensor, whose blocks
// Apply and Grad split over the workers, gets the same bits as the
// sequential projector (Project, ProjectT) and as itself with any number
// of workers.
func TestBlockSplitMatchesSequential(t *testing.T) {
	for _, method := range []Method{DID, SAID} {
		var refData, refGrad []float32
		for _, threads := range []int{1, 2, 3, 0} {
			r := rand.New(rand.NewPCG(3, 4))
			ps := blockParams(r)
			base := append([]float32(nil), ps[0].Data...)
			d := 700
			s, err := New(Config{Method: method, Kind: FastfoodBlock, D: d, Seed: 5, Threads: threads, Include: func(n string) bool { return n == "big" }}, ps)
			if err != nil {
				t.Fatal(err)
			}
			if !s.tensors[0].big {
				t.Fatal("the big tensor is not split over the workers")
			}
			th := s.Theta()
			for j := range s.ProjDim() {
				th[j] = float32(r.NormFloat64())
			}
			lam := float32(1)
			if method == SAID {
				lam = 0.7
				th[d-1] = lam
			}
			s.Apply()
			g := make([]float32, d)
			s.Grad(g)
			// Sequential references.
			p := s.tensors[0].proj
			pv := make([]float32, p.N())
			p.Project(pv, th[:s.ProjDim()], nil)
			for i, v := range pv {
				want := base[i] + v
				if method == SAID {
					want = base[i] + float32(lam*v)
				}
				if math.Float32bits(ps[0].Data[i]) != math.Float32bits(want) {
					t.Fatalf("%v threads=%d: Data[%d] = %g, sequential %g", method, threads, i, ps[0].Data[i], want)
				}
			}
			u := make([]float32, s.ProjDim())
			p.ProjectT(u, ps[0].Grad, nil)
			for j, v := range u {
				want := v
				if method == SAID {
					want = float32(float64(lam) * float64(v))
				}
				if math.Float32bits(g[j]) != math.Float32bits(want) {
					t.Fatalf("%v threads=%d: grad[%d] = %g, sequential %g", method, threads, j, g[j], want)
				}
			}
			if refData == nil {
				refData, refGrad = ps[0].Data, g
				continue
			}
			for j := range g {
				if math.Float32bits(g[j]) != math.Float32bits(refGrad[j]) {
					t.Fatalf("%v threads=%d: grad[%d] differs from 1 thread", method, threads, j)
				}
			}
		}
	}
}

// TestBlockWholeModelDeterministic: Apply and Grad over big and small
// blocked tensors give the same bits with any number of workers.
func TestBlockWholeModelDeterministic(t *testing.T) {
	var ref []float32
	for _, threads := range []int{1, 2, 0} {
		r := rand.New(rand.NewPCG(7, 8))
		ps := blockParams(r)
		s, err := New(Config{Method: SAID, Kind: FastfoodBlock, D: 300, Seed: 1, Threads: threads, LambdaInit: LambdaSize}, ps)
		if err != nil {
			t.Fatal(err)
		}
		for j := range s.ProjDim() {
			s.Theta()[j] = float32(j%5) - 2
		}
		g := make([]float32, 300)
		s.Apply()
		s.Grad(g)
		out := append(append(append(g, ps[0].Data...), ps[1].Data...), ps[2].Data...)
		if ref == nil {
			ref = out
			continue
		}
		for j := range out {
			if math.Float32bits(out[j]) != math.Float32bits(ref[j]) {
				t.Fatalf("threads=%d: value %d = %g, with 1 thread %g", threads, j, out[j], ref[j])
			}
		}
	}
}

// TestBlockNoAlloc: Apply and Grad over big (split) and small blocked
// tensors allocate nothing in steady state, in both modes.
func TestBlockNoAlloc(t *testing.T) {
	for _, incr := range []bool{false, true} {
		r := rand.New(rand.NewPCG(1, 2))
		s, err := New(Config{Method: SAID, Kind: FastfoodBlock, D: 300, Seed: 1, Incremental: incr}, blockParams(r))
		if err != nil {
			t.Fatal(err)
		}
		g := make([]float32, 300)
		k := 0
		if n := testing.AllocsPerRun(3, func() {
			k++
			s.Theta()[0] = float32(k) // a change, so the incremental Apply works
			s.Apply()
			s.Grad(g)
		}); n != 0 {
			t.Fatalf("incremental=%v: %g allocations per Apply+Grad", incr, n)
		}
	}
}
