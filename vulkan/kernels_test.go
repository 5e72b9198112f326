//go:build vulkan && cgo

package vulkan

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/autograd"
	"github.com/idim-go/idim/autograd/devicetest"
)

// both runs f on the CPU device and on d with the same inputs (vals, with
// their shapes) and returns the outputs f names, downloaded.
func both(d *Device, vals [][]float32, shapes [][]int, f func(dev autograd.Device, in []*autograd.Tensor) []*autograd.Tensor) (cpu, gpu [][]float32) {
	run := func(dev autograd.Device) [][]float32 {
		var sc autograd.Scope
		sc.Begin()
		defer sc.End()
		in := make([]*autograd.Tensor, len(vals))
		for i, v := range vals {
			in[i] = autograd.MustFromSlice(dev, v, shapes[i]...)
		}
		var out [][]float32
		autograd.NoGrad(func() {
			for _, t := range f(dev, in) {
				out = append(out, t.Data())
			}
		})
		return out
	}
	return run(autograd.CPU()), run(d)
}

func randn(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return v
}

func numel(s []int) int {
	n := 1
	for _, v := range s {
		n *= v
	}
	return n
}

// check compares each output by NMSE (bound 0: bit-identical).
func check(t *testing.T, what string, cpu, gpu [][]float32, bound float64) {
	t.Helper()
	for i := range cpu {
		if bound == 0 {
			for j := range cpu[i] {
				a, b := cpu[i][j], gpu[i][j]
				if a != b && !(a != a && b != b) {
					t.Errorf("%s: output %d [%d] = %v, CPU %v", what, i, j, b, a)
					break
				}
			}
			continue
		}
		if e := devicetest.NMSE(gpu[i], cpu[i]); !(e <= bound) {
			t.Errorf("%s: output %d NMSE %.3g > %.3g", what, i, e, bound)
		}
	}
}

// TestGemmShapes covers tile edges, all transposes, beta 0 (with NaN in C,
// which must not be read) and beta != 0, padded leading dimensions with guard
// values between rows that must survive, and batches with strides
// (including a broadcast operand).
// Both GEMM shaders run: the shared-memory one (GPUs) and the direct one
// (CPU software devices).
func TestGemmShapes(t *testing.T) {
	d := open(t)
	defer func(s string) { d.gemmShader = s }(d.gemmShader)
	for _, shader := range []string{"gemm", "gemm_direct"} {
		d.gemmShader = shader
		t.Run(shader, func(t *testing.T) { testGemmShapes(t, d) })
	}
}

// gemmOperands is the stored shape of A (rowsA x colsA) and B of an m x n x
// k GEMM with the given transposes.
func gemmOperands(m, n, k int, ta, tb bool) (rowsA, colsA, rowsB, colsB int) {
	rowsA, colsA = m, k
	if ta {
		rowsA, colsA = k, m
	}
	rowsB, colsB = k, n
	if tb {
		rowsB, colsB = n, k
	}
	return rowsA, colsA, rowsB, colsB
}

// gemmBoth runs g with A, B and C holding a, b and c on the CPU device and
// on d, and returns both C's.
func gemmBoth(d *Device, g autograd.GemmArgs, a, b, c []float32) (cpu, gpu [][]float32) {
	return both(d, [][]float32{a, b, c}, [][]int{{len(a)}, {len(b)}, {len(c)}}, func(dev autograd.Device, in []*autograd.Tensor) []*autograd.Tensor {
		h := g
		h.A, h.B, h.C = in[0], in[1], in[2]
		dev.Gemm(h)
		return in[2:]
	})
}

func testGemmShapes(t *testing.T, d *Device) {
	rng := rand.New(rand.NewPCG(5, 6))
	sizes := []int{1, 2, 15, 16, 17, 63, 64, 65, 130}
	if testing.Short() {
		sizes = []int{1, 17, 64, 65}
	}
	const guard = 1234.5
	for _, m := range sizes {
		for _, n := range sizes {
			for _, k := range []int{1, 16, 33, 129} {
				for tr := 0; tr < 4; tr++ {
					ta, tb := tr&1 != 0, tr&2 != 0
					for _, beta := range []float32{0, 1.5} {
						batch := 1 + (m+n+k)%3
						rowsA, colsA, rowsB, colsB := gemmOperands(m, n, k, ta, tb)
						lda, ldb, ldc := colsA+1, colsB+2, n+3
						sA, sB, sC := rowsA*lda, rowsB*ldb, m*ldc
						if batch == 2 {
							sB = 0 // one B for the batch
						}
						a := randn(rng, sA*batch+lda)
						b := randn(rng, max(sB*batch, rowsB*ldb)+ldb)
						c := make([]float32, sC*batch)
						for i := range c {
							c[i] = float32(rng.NormFloat64())
							if i%ldc >= n {
								c[i] = guard
							} else if beta == 0 {
								c[i] = float32(math.NaN())
							}
						}
						g := autograd.GemmArgs{TransA: ta, TransB: tb, M: m, N: n, K: k, Alpha: 0.75, Beta: beta,
							LdA: lda, LdB: ldb, LdC: ldc, StrideA: sA, StrideB: sB, StrideC: sC, Batch: batch}
						cpu, gpu := gemmBoth(d, g, a, b, c)
						what := fmt.Sprintf("m=%d n=%d k=%d ta=%v tb=%v beta=%v batch=%d", m, n, k, ta, tb, beta, batch)
						for i, v := range gpu[0] {
							if i%ldc >= n && v != guard {
								t.Fatalf("%s: guard at %d overwritten: %v", what, i, v)
							}
						}
						check(t, what, cpu, gpu, 1e-11)
					}
				}
			}
		}
	}
}

// TestLargeGrids covers more workgroups than one grid dimension holds:
// elementwise kernels past 65535*256 elements and row kernels past 65535
// rows.
func TestLargeGrids(t *testing.T) {
	if testing.Short() {
		t.Skip("large tensors")
	}
	d := open(t)
	rng := rand.New(rand.NewPCG(7, 8))
	n := 65535*256 + 1000
	x := randn(rng, n)
	cpu, gpu := both(d, [][]float32{x}, [][]int{{n}}, func(dev autograd.Device, in []*autograd.Tensor) []*autograd.Tensor {
		dev.Scale(-1.5, in[0], in[0])
		y := autograd.Empty(dev, n)
		dev.Dropout(y, in[0], 0.3, 0xDEADBEEF12345678)
		return []*autograd.Tensor{in[0], y}
	})
	check(t, "scale+dropout n=16.8M", cpu, gpu, 0)
	rows := 70000
	x = randn(rng, rows*3)
	cpu, gpu = both(d, [][]float32{x}, [][]int{{rows, 3}}, func(dev autograd.Device, in []*autograd.Tensor) []*autograd.Tensor {
		y := autograd.Empty(dev, rows, 3)
		dev.Softmax(y, in[0], rows, 3, false)
		s := autograd.Empty(dev, rows)
		dev.ReduceSum(s, in[0], rows, 3, 1, 1, 0)
		return []*autograd.Tensor{y, s}
	})
	check(t, "softmax/reduce rows=70000", cpu, gpu, 1e-12)
}

// TestRowKernels covers row lengths around and above the workgroup size.
func TestRowKernels(t *testing.T) {
	d := open(t)
	rng := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{1, 3, 255, 256, 257, 768, 3000} {
		rows := 5
		x, gm, bt, dy := randn(rng, rows*n), randn(rng, n), randn(rng, n), randn(rng, rows*n)
		for i := range x {
			x[i] = 3 + 2*x[i] // a mean away from 0
		}
		cpu, gpu := both(d, [][]float32{x, gm, bt, dy}, [][]int{{rows, n}, {n}, {n}, {rows, n}},
			func(dev autograd.Device, in []*autograd.Tensor) []*autograd.Tensor {
				y := autograd.Empty(dev, rows, n)
				mean, rstd := autograd.Empty(dev, rows), autograd.Empty(dev, rows)
				dev.LayerNorm(y, mean, rstd, in[0], in[1], in[2], rows, n, 1e-5)
				dx, dg, db := autograd.Empty(dev, rows, n), autograd.Empty(dev, n), autograd.Empty(dev, n)
				dev.LayerNormBackward(dx, dg, db, in[3], in[0], mean, rstd, in[1], rows, n)
				sm, ls := autograd.Empty(dev, rows, n), autograd.Empty(dev, rows, n)
				dev.Softmax(sm, in[0], rows, n, false)
				dev.Softmax(ls, in[0], rows, n, true)
				dsm, dls := autograd.Empty(dev, rows, n), autograd.Empty(dev, rows, n)
				dev.SoftmaxBackward(dsm, sm, in[3], rows, n, false, 0.5)
				dev.SoftmaxBackward(dls, ls, in[3], rows, n, true, 2)
				loss, lse := autograd.Empty(dev, 1), autograd.Empty(dev, rows)
				labels := []int32{0, int32(n - 1), -100, int32(n / 2), 0}
				dev.CrossEntropy(loss, lse, in[0], labels, -100, 0.2)
				dl := autograd.Empty(dev, rows, n)
				dev.CrossEntropyBackward(dl, in[0], lse, loss, labels, -100, 0.2)
				ss := autograd.Empty(dev, 1)
				dev.SumSquares(ss, in[0], false)
				return []*autograd.Tensor{y, mean, rstd, dx, dg, db, sm, ls, dsm, dls, loss, lse, dl, ss}
			})
		check(t, fmt.Sprintf("row kernels n=%d", n), cpu, gpu, 1e-10)
	}
}

// TestBinaryManyDims covers broadcasts that stay more than 6 dimensions
// after merging (split into several dispatches) and scalars.
func TestBinaryManyDims(t *testing.T) {
	d := open(t)
	rng := rand.New(rand.NewPCG(11, 12))
	cases := [][2][]int{
		{{2, 1, 3, 1, 2, 1, 2, 1}, {1, 2, 1, 3, 1, 2, 1, 2}},
		{{3, 1, 2, 1, 2, 1, 2}, {2, 1, 2, 1, 2, 1}},
		{{}, {4, 5}},
		{{4, 5}, {1}},
		{{7, 1}, {1, 9}},
	}
	for _, c := range cases {
		as, bs := c[0], c[1]
		ds := make([]int, max(len(as), len(bs)))
		for i := range ds {
			da, db := 1, 1
			if j := i - (len(ds) - len(as)); j >= 0 {
				da = as[j]
			}
			if j := i - (len(ds) - len(bs)); j >= 0 {
				db = bs[j]
			}
			ds[i] = max(da, db)
		}
		a, b := randn(rng, numel(as)), randn(rng, numel(bs))
		for op := autograd.OpAdd; op <= autograd.OpDiv; op++ {
			cpu, gpu := both(d, [][]float32{a, b}, [][]int{as, bs}, func(dev autograd.Device, in []*autograd.Tensor) []*autograd.Tensor {
				y := autograd.Empty(dev, ds...)
				dev.Binary(op, y, in[0], in[1])
				return []*autograd.Tensor{y}
			})
			check(t, fmt.Sprintf("%v %v %v", op, as, bs), cpu, gpu, 1e-14)
		}
	}
}

// TestDropoutMask checks that the device's mask is the CPU's, bit for bit,
// for seeds that use both halves of the 64-bit counter arithmetic.
func TestDropoutMask(t *testing.T) {
	d := open(t)
	rng := rand.New(rand.NewPCG(13, 14))
	x := randn(rng, 100003)
	for _, p := range []float32{0, 0.1, 0.5, 0.9, 1.0 / 3} {
		for _, seed := range []uint64{0, 1, 0xFFFFFFFF, 1 << 32, 0xFEDCBA9876543210} {
			cpu, gpu := both(d, [][]float32{x}, [][]int{{len(x)}}, func(dev autograd.Device, in []*autograd.Tensor) []*autograd.Tensor {
				y := autograd.Empty(dev, len(x))
				dev.Dropout(y, in[0], p, seed)
				return []*autograd.Tensor{y}
			})
			check(t, fmt.Sprintf("dropout p=%v seed=%#x", p, seed), cpu, gpu, 0)
		}
	}
}

// TestIndexKernels covers gather and scatter-add with many repeated
// indices, and permutations of up to 8 axes.
func TestIndexKernels(t *testing.T) {
	d := open(t)
	rng := rand.New(rand.NewPCG(15, 16))
	const rows, n = 50, 37
	table, src := randn(rng, rows*n), randn(rng, 400*n)
	idx := make([]int32, 400)
	for i := range idx {
		idx[i] = int32(rng.IntN(rows))
		if i%3 == 0 {
			idx[i] = 7
		}
	}
	cpu, gpu := both(d, [][]float32{table, src}, [][]int{{rows, n}, {400, n}}, func(dev autograd.Device, in []*autograd.Tensor) []*autograd.Tensor {
		g := autograd.Empty(dev, 400, n)
		dev.Gather(g, in[0], idx)
		dev.ScatterAdd(in[0], in[1], idx)
		return []*autograd.Tensor{g, in[0]}
	})
	check(t, "gather/scatter", cpu, gpu, 0)
	shape := []int{2, 3, 1, 2, 4, 2, 3, 2}
	x := randn(rng, numel(shape))
	perms := [][]int{{7, 6, 5, 4, 3, 2, 1, 0}, {1, 0, 2, 3, 4, 5, 7, 6}, {3, 5, 0, 7, 1, 2, 6, 4}}
	for _, pm := range perms {
		var perm [autograd.MaxDims]int
		copy(perm[:], pm)
		ds := make([]int, len(pm))
		for i, p := range pm {
			ds[i] = shape[p]
		}
		cpu, gpu := both(d, [][]float32{x}, [][]int{shape}, func(dev autograd.Device, in []*autograd.Tensor) []*autograd.Tensor {
			y := autograd.Empty(dev, ds...)
			dev.Permute(y, in[0], perm)
			return []*autograd.Tensor{y}
		})
		check(t, fmt.Sprintf("permute %v", pm), cpu, gpu, 0)
	}
}

// TestUnaryValues compares every activation and its derivative on a range
// that includes large magnitudes, zeros and special values.
func TestUnaryValues(t *testing.T) {
	d := open(t)
	var x []float32
	for v := -40.0; v <= 40; v += 0.0137 {
		x = append(x, float32(v))
	}
	x = append(x, 0, float32(math.Inf(1)), float32(math.Inf(-1)), 1e-30, -1e-30)
	n := len(x)
	dy := make([]float32, n)
	for i := range dy {
		dy[i] = 1 + float32(i%7)*0.1
	}
	for op := autograd.OpGELU; op <= autograd.OpNeg; op++ {
		in := x
		if op == autograd.OpLog || op == autograd.OpSqrt {
			in = make([]float32, n)
			for i, v := range x {
				in[i] = float32(math.Abs(float64(v))) + 1e-3
			}
		}
		cpu, gpu := both(d, [][]float32{in, dy}, [][]int{{n}, {n}}, func(dev autograd.Device, t []*autograd.Tensor) []*autograd.Tensor {
			y := autograd.Empty(dev, n)
			dev.Unary(op, y, t[0])
			dx := autograd.Empty(dev, n)
			dev.UnaryBackward(op, dx, t[0], y, t[1])
			return []*autograd.Tensor{y, dx}
		})
		// Exclude values the functions leave undefined (Inf*0 in the
		// derivatives at +-Inf).
		for i := range cpu {
			for j := range cpu[i] {
				if math.IsNaN(float64(cpu[i][j])) || math.IsInf(float64(cpu[i][j]), 0) {
					cpu[i][j], gpu[i][j] = 0, 0
				}
			}
		}
		check(t, fmt.Sprintf("unary %v", op), cpu, gpu, 1e-11)
	}
}

// TestLongLoops runs every kernel loop that can exceed 65535 iterations
// past that count (llvmpipe stops a single shader loop there; the shaders
// nest such loops): long reductions, a column sum over 70000 rows, 70000
// repeats of one scatter index, layernorm parameter gradients over 70000
// rows, a GEMM with K = 70000.
func TestLongLoops(t *testing.T) {
	d := open(t)
	rng := rand.New(rand.NewPCG(17, 18))
	const long = 70000
	x := randn(rng, long*2)
	idx := make([]int32, long)
	for i := range idx {
		idx[i] = int32(i % 2)
		if i%5 == 0 {
			idx[i] = 2
		}
	}
	cpu, gpu := both(d, [][]float32{x}, [][]int{{long, 2}}, func(dev autograd.Device, in []*autograd.Tensor) []*autograd.Tensor {
		cs := autograd.Empty(dev, 2)
		dev.ReduceSum(cs, in[0], 1, long, 2, 1, 0)
		sc := autograd.Zeros(dev, 3, 2)
		dev.ScatterAdd(sc, in[0], idx)
		mean, rstd := autograd.Empty(dev, long), autograd.Empty(dev, long)
		y := autograd.Empty(dev, long, 2)
		dev.LayerNorm(y, mean, rstd, in[0], nil, nil, long, 2, 1e-5)
		dg, db := autograd.Empty(dev, 2), autograd.Empty(dev, 2)
		dev.LayerNormBackward(nil, dg, db, in[0], in[0], mean, rstd, nil, long, 2)
		c := autograd.Empty(dev, 2, 2)
		dev.Gemm(autograd.GemmArgs{TransA: true, M: 2, N: 2, K: long, Alpha: 1, A: in[0], B: in[0], C: c, LdA: 2, LdB: 2, LdC: 2, Batch: 1})
		return []*autograd.Tensor{cs, sc, dg, db, c}
	})
	check(t, "long sequential loops", cpu, gpu, 1e-9)
	// Two-stage sums of a few rows longer than one chunk.
	v := randn(rng, 3*200001)
	cpu, gpu = both(d, [][]float32{v}, [][]int{{3, 200001}}, func(dev autograd.Device, in []*autograd.Tensor) []*autograd.Tensor {
		s, r := autograd.Full(dev, 2, 1), autograd.Full(dev, 1, 3)
		dev.SumSquares(s, in[0], true)
		dev.ReduceSum(r, in[0], 3, 200001, 1, 0.5, -2)
		return []*autograd.Tensor{s, r}
	})
	check(t, "two-stage sums", cpu, gpu, 1e-10)
	if testing.Short() {
		return
	}
	n := 1<<24 + 4096 // 65537 values per thread of a 256-thread workgroup
	v = make([]float32, n)
	for i := range v {
		v[i] = float32(i%7) * 0.5
	}
	cpu, gpu = both(d, [][]float32{v}, [][]int{{n}}, func(dev autograd.Device, in []*autograd.Tensor) []*autograd.Tensor {
		s, r := autograd.Empty(dev, 1), autograd.Empty(dev, 1)
		dev.SumSquares(s, in[0], false)
		dev.ReduceSum(r, in[0], 1, n, 1, 1, 0)
		return []*autograd.Tensor{s, r}
	})
	check(t, "reductions over 2^24+4096 values", cpu, gpu, 1e-10)
}
