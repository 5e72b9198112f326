package subspace

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/autograd"
)

// TestBlockGradRowsMatchesDense: the row-sparse transpose of a big blocked
// tensor has the same bits as blockGradBig on the dense gradient (zeros
// plus a scatter-add of the rows in order), for rows shorter and longer
// than a block, repeated ids, -0 and 0 values, ids only in some chunks,
// and no ids at all.
func TestBlockGradRowsMatchesDense(t *testing.T) {
	type tc struct {
		rows, dim, d int
		pick         func(r *rand.Rand, rows int) int32
	}
	any := func(r *rand.Rand, rows int) int32 { return int32(r.IntN(rows)) }
	few := func(r *rand.Rand, rows int) int32 { return int32(r.IntN(5)) * 7 }
	tail := func(r *rand.Rand, rows int) int32 { return int32(rows - 1 - r.IntN(min(rows, 40))) }
	cases := []tc{
		{700, 200, 100, any}, {3000, 48, 100, any}, {3000, 48, 100, tail}, {150, 1000, 100, any},
		{1100, 130, 300, few}, {2000, 66, 1000, any},
	}
	r := rand.New(rand.NewPCG(3, 4))
	for _, c := range cases {
		n := c.rows * c.dim
		if n < blockParallelMin {
			t.Fatalf("case %dx%d is not big", c.rows, c.dim)
		}
		s, err := New(Config{Method: DID, Kind: FastfoodBlock, D: c.d, Seed: 5}, []Param{{Name: "table", Shape: []int{c.rows, c.dim}, Data: make([]float32, n)}})
		if err != nil {
			t.Fatal(err)
		}
		if !s.rowGradOK(0) {
			t.Fatalf("%dx%d: rowGradOK false", c.rows, c.dim)
		}
		for _, k := range []int{0, 1, 37, 300} {
			ids := make([]int32, k)
			rows := make([]float32, k*c.dim)
			for i := range ids {
				ids[i] = c.pick(r, c.rows)
			}
			for j := range rows {
				switch r.IntN(10) {
				case 0:
					rows[j] = float32(math.Copysign(0, -1))
				case 1:
					rows[j] = 0
				default:
					rows[j] = float32(r.NormFloat64())
				}
			}
			dense := make([]float32, n)
			for i, id := range ids {
				for j, v := range rows[i*c.dim : (i+1)*c.dim] {
					dense[int(id)*c.dim+j] += v
				}
			}
			want, got := make([]float32, c.d), make([]float32, c.d)
			p := s.tensors[0].proj.(*FastfoodBlockProjector)
			s.blockGradBig(p, want, dense)
			for j := range got {
				got[j] = float32(math.NaN())
			}
			s.blockGradRows(0, got, ids, rows)
			if a := testing.AllocsPerRun(2, func() { s.blockGradRows(0, got, ids, rows) }); a != 0 {
				t.Fatalf("%dx%d, %d ids: %g allocations per call in steady state", c.rows, c.dim, k, a)
			}
			for j := range want {
				if math.Float32bits(got[j]) != math.Float32bits(want[j]) {
					t.Fatalf("%dx%d d=%d, %d ids: u[%d] = %g row-sparse, %g dense", c.rows, c.dim, c.d, k, j, got[j], want[j])
				}
			}
		}
	}
}

// TestWrappedRowGrad: through Wrap, an embedding table whose only use is
// one Embedding gets its gradient row-sparse (Grad stays nil) and the
// theta gradient has the same bits as with the dense gradient (hooks
// removed by Close); a table used twice (Embedding and a product) keeps
// the dense path, with the same bits too.
func TestWrappedRowGrad(t *testing.T) {
	dev := autograd.CPU()
	const rows, dim, d = 1100, 130, 300
	for _, twice := range []bool{false, true} {
		for _, method := range []Method{DID, SAID} {
			run := func(hooks bool) []float32 {
				r := rand.New(rand.NewPCG(11, 12))
				table := autograd.NewParameter(dev, "table", rows, dim)
				other := autograd.NewParameter(dev, "other", dim, 3)
				tv, ov := make([]float32, rows*dim), make([]float32, dim*3)
				for j := range tv {
					tv[j] = float32(0.05 * r.NormFloat64())
				}
				for j := range ov {
					ov[j] = float32(0.2 * r.NormFloat64())
				}
				_ = table.SetData(tv)
				_ = other.SetData(ov)
				w, err := Wrap(Config{Method: method, Kind: FastfoodBlock, D: d, Seed: 9}, []*autograd.Tensor{table, other})
				if err != nil {
					t.Fatal(err)
				}
				defer w.Close()
				if !hooks {
					w.Close()
				}
				theta := make([]float32, d)
				for j := range theta {
					theta[j] = float32(0.1 * r.NormFloat64())
				}
				_ = w.Param().SetData(theta)
				w.Apply()
				ids := make([]int32, 64)
				for i := range ids {
					ids[i] = int32(r.IntN(rows / 3)) // repeats
				}
				var sc autograd.Scope
				sc.Begin()
				h := autograd.Tanh(autograd.MatMul(autograd.Embedding(table, ids), other, false, false))
				loss := autograd.SumAll(autograd.Mul(h, h))
				if twice {
					x := autograd.Embedding(table, ids[:3])
					loss = autograd.Add(loss, autograd.SumAll(autograd.MatMul(x, table, false, true)))
				}
				loss.Backward()
				if hooks && table.Grad() != nil {
					t.Fatalf("twice=%v %v: table keeps a gradient with the hooks", twice, method)
				}
				if used := len(w.s.rows.keys) > 0; hooks && used == twice {
					t.Fatalf("twice=%v %v: row-sparse path taken: %v", twice, method, used)
				}
				w.Backward()
				sc.End()
				return w.Param().Grad().Data()
			}
			a, b := run(true), run(false)
			for j := range a {
				if math.Float32bits(a[j]) != math.Float32bits(b[j]) {
					t.Fatalf("twice=%v %v: theta grad[%d] = %g with hooks, %g dense", twice, method, j, a[j], b[j])
				}
			}
		}
	}
}
