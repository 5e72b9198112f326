package autograd_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/autograd"
	"github.com/idim-go/idim/internal/kernels"
)

// unfusedDev is the CPU device without its FusedDevice methods: the fused
// ops run as their chain of Device kernels on it, as on a device that has no
// fused kernels.
type unfusedDev struct{ autograd.Device }

func geluRef64(v float64) float64 { return 0.5 * v * (1 + math.Erf(v/math.Sqrt2)) }

// linearGELURef is GELU(x W^T + b) in float64; in holds x [rows, k], W
// [out, k] and, when present, b [out].
func linearGELURef(rows, k, out int) func(in [][]float64) []float64 {
	return func(in [][]float64) []float64 {
		y := make([]float64, rows*out)
		for r := 0; r < rows; r++ {
			for o := 0; o < out; o++ {
				var s float64
				for j := 0; j < k; j++ {
					s += in[0][r*k+j] * in[1][o*k+j]
				}
				if len(in) > 2 {
					s += in[2][o]
				}
				y[r*out+o] = geluRef64(s)
			}
		}
		return y
	}
}

func TestGradLinearGELU(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, sh := range [][3]int{{3, 5, 4}, {1, 1, 1}, {7, 16, 33}, {2, 0, 3}} {
		rows, k, out := sh[0], sh[1], sh[2]
		for _, withBias := range []bool{true, false} {
			t.Run(fmt.Sprintf("%dx%dx%d/bias=%v", rows, k, out, withBias), func(t *testing.T) {
				var sc autograd.Scope
				sc.Begin()
				defer sc.End()
				x := randT(rng, rows, k).SetRequiresGrad(true)
				w := randT(rng, out, k).SetRequiresGrad(true)
				ins := []*autograd.Tensor{x, w}
				if withBias {
					ins = append(ins, randT(rng, out).SetRequiresGrad(true))
				}
				f := func(in []*autograd.Tensor) *autograd.Tensor {
					var b *autograd.Tensor
					if len(in) > 2 {
						b = in[2]
					}
					return autograd.LinearGELU(in[0], in[1], b)
				}
				if err := autograd.CheckGrad(f, linearGELURef(rows, k, out), ins, autograd.GradCheckOptions{}); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// residualRef is LayerNorm(Dropout(x + bias) + res) in float64; in holds x
// and res [rows, n], then bias, gamma and beta [n] as present.
func residualRef(rows, n int, bias, affine bool, p float32, seed uint64) func(in [][]float64) []float64 {
	return func(in [][]float64) []float64 {
		x, res := in[0], in[1]
		k := 2
		var b, g, be []float64
		if bias {
			b, k = in[k], k+1
		}
		if affine {
			g, be = in[k], in[k+1]
		}
		y := make([]float64, rows*n)
		s := make([]float64, n)
		for r := 0; r < rows; r++ {
			var mu, v float64
			for j := 0; j < n; j++ {
				e := x[r*n+j]
				if b != nil {
					e += b[j]
				}
				if p > 0 {
					if kernels.DropoutKeep(seed, uint64(r*n+j), p) {
						e *= float64(float32(1 / (1 - p)))
					} else {
						e = 0
					}
				}
				s[j] = e + res[r*n+j]
				mu += s[j]
			}
			mu /= float64(n)
			for j := 0; j < n; j++ {
				v += (s[j] - mu) * (s[j] - mu)
			}
			rs := 1 / math.Sqrt(v/float64(n)+float64(float32(1e-5)))
			for j := 0; j < n; j++ {
				e := (s[j] - mu) * rs
				if g != nil {
					e = e*g[j] + be[j]
				}
				y[r*n+j] = e
			}
		}
		return y
	}
}

// residualCall applies ResidualLayerNorm to in laid out as residualRef reads it.
func residualCall(bias, affine bool, p float32, seed uint64) func(in []*autograd.Tensor) *autograd.Tensor {
	return func(in []*autograd.Tensor) *autograd.Tensor {
		k := 2
		var b, g, be *autograd.Tensor
		if bias {
			b, k = in[k], k+1
		}
		if affine {
			g, be = in[k], in[k+1]
		}
		return autograd.ResidualLayerNorm(in[0], b, in[1], g, be, p, seed, 1e-5)
	}
}

func TestGradResidualLayerNorm(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, sh := range [][2]int{{3, 8}, {1, 3}, {4, 16}, {5, 33}} {
		rows, n := sh[0], sh[1]
		for v := 0; v < 8; v++ {
			bias, affine := v&1 == 0, v&2 == 0
			p := float32(0)
			if v&4 == 0 {
				p = 0.3
			}
			seed := uint64(100 + v)
			t.Run(fmt.Sprintf("%dx%d/bias=%v/affine=%v/p=%v", rows, n, bias, affine, p), func(t *testing.T) {
				var sc autograd.Scope
				sc.Begin()
				defer sc.End()
				ins := []*autograd.Tensor{randT(rng, rows, n).SetRequiresGrad(true), randT(rng, rows, n).SetRequiresGrad(true)}
				if bias {
					ins = append(ins, randT(rng, n).SetRequiresGrad(true))
				}
				if affine {
					ins = append(ins, randT(rng, n).SetRequiresGrad(true), randT(rng, n).SetRequiresGrad(true))
				}
				opt := autograd.GradCheckOptions{GradTol: 1e-3, ValueTol: 1e-4, SelfStep: 3e-3}
				if err := autograd.CheckGrad(residualCall(bias, affine, p, seed), residualRef(rows, n, bias, affine, p, seed), ins, opt); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// TestResidualLayerNormGradSharing covers the hand-out of the gradient when
// only some inputs want one, and x and res being the same tensor.
func TestResidualLayerNormGradSharing(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, p := range []float32{0, 0.25} {
		for mask := 1; mask < 8; mask++ { // which of x, res, bias want a gradient
			var sc autograd.Scope
			sc.Begin()
			x, res, b := randT(rng, 4, 8), randT(rng, 4, 8), randT(rng, 8)
			x.SetRequiresGrad(mask&1 != 0)
			res.SetRequiresGrad(mask&2 != 0)
			b.SetRequiresGrad(mask&4 != 0)
			w := randT(rng, 4, 8)
			fused := autograd.SumAll(autograd.Mul(autograd.ResidualLayerNorm(x, b, res, nil, nil, p, 9, 1e-5), w))
			fused.Backward()
			var got [3][]float32
			for i, tt := range []*autograd.Tensor{x, res, b} {
				if tt.Grad() != nil {
					got[i] = tt.Grad().Data()
				}
				tt.ZeroGrad()
			}
			chain := autograd.LayerNorm(autograd.Add(autograd.Dropout(autograd.Add(x, b), p, 9), res), nil, nil, 1e-5)
			autograd.SumAll(autograd.Mul(chain, w)).Backward()
			for i, tt := range []*autograd.Tensor{x, res, b} {
				if (tt.Grad() == nil) != (got[i] == nil) {
					t.Fatalf("p=%v mask=%d input %d: gradient present %v, chain %v", p, mask, i, got[i] != nil, tt.Grad() != nil)
				}
				if got[i] != nil && !close32(got[i], tt.Grad().Data(), 1e-5) {
					t.Fatalf("p=%v mask=%d input %d: gradient %v, chain %v", p, mask, i, got[i], tt.Grad().Data())
				}
				tt.ZeroGrad()
			}
			sc.End()
		}
		// x and res the same tensor: both contributions add up.
		var sc autograd.Scope
		sc.Begin()
		x := randT(rng, 3, 8).SetRequiresGrad(true)
		w := randT(rng, 3, 8)
		autograd.SumAll(autograd.Mul(autograd.ResidualLayerNorm(x, nil, x, nil, nil, p, 4, 1e-5), w)).Backward()
		got := x.Grad().Data()
		x.ZeroGrad()
		autograd.SumAll(autograd.Mul(autograd.LayerNorm(autograd.Add(autograd.Dropout(x, p, 4), x), nil, nil, 1e-5), w)).Backward()
		if !close32(got, x.Grad().Data(), 1e-5) {
			t.Fatalf("p=%v: x as both inputs: gradient %v, chain %v", p, got, x.Grad().Data())
		}
		x.ZeroGrad()
		sc.End()
	}
}

// TestFusedOpsUnfusedDevice runs both fused ops on a device without fused
// kernels (the Device-kernel chain) and on the CPU device, forward and
// backward: they agree within rounding.
func TestFusedOpsUnfusedDevice(t *testing.T) {
	if _, ok := autograd.Device(autograd.CPU()).(autograd.FusedDevice); !ok {
		t.Fatal("the CPU device does not implement FusedDevice")
	}
	plain := unfusedDev{autograd.CPU()}
	if _, ok := autograd.Device(plain).(autograd.FusedDevice); ok {
		t.Fatal("unfusedDev implements FusedDevice")
	}
	rng := rand.New(rand.NewPCG(9, 10))
	const rows, k, n = 6, 24, 40
	vals := make([][]float32, 7)
	shapes := [][]int{{rows, k}, {n, k}, {n}, {rows, n}, {n}, {n}, {n}}
	for i, s := range shapes {
		vals[i] = randT(rng, s...).Data()
	}
	run := func(dev autograd.Device, grad bool) (out []float32, grads [][]float32) {
		var sc autograd.Scope
		sc.Begin()
		defer sc.End()
		ts := make([]*autograd.Tensor, len(vals))
		for i := range vals {
			ts[i] = autograd.MustFromSlice(dev, vals[i], shapes[i]...).SetRequiresGrad(grad)
		}
		h := autograd.LinearGELU(ts[0], ts[1], ts[2])
		y := autograd.ResidualLayerNorm(h, ts[4], ts[3], ts[5], ts[6], 0.2, 77, 1e-5)
		out = y.Data()
		if grad {
			autograd.SumAll(autograd.Mul(y, autograd.MustFromSlice(dev, vals[3], rows, n))).Backward()
			for _, tt := range ts {
				grads = append(grads, tt.Grad().Data())
				tt.ZeroGrad()
			}
		}
		return
	}
	for _, grad := range []bool{false, true} {
		fo, fg := run(autograd.CPU(), grad)
		po, pg := run(plain, grad)
		// (The GELU of a row's last n%16 elements runs in the generic code
		// in the fused kernel and may differ in the last bit.)
		if !close32(fo, po, 1e-6) {
			t.Fatalf("grad=%v: output: fused %v, unfused device %v", grad, fo, po)
		}
		for i := range fg {
			if !close32(fg[i], pg[i], 1e-5) {
				t.Fatalf("gradient of input %d: fused %v, unfused device %v", i, fg[i], pg[i])
			}
		}
	}
}

func TestFusedOpErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	x, w := randT(rng, 2, 3), randT(rng, 4, 5)
	mustOpError(t, "LinearGELU shape", func() { autograd.LinearGELU(x, w, nil) })
	mustOpError(t, "LinearGELU bias", func() { autograd.LinearGELU(x, randT(rng, 4, 3), randT(rng, 3)) })
	mustOpError(t, "ResidualLayerNorm shapes", func() { autograd.ResidualLayerNorm(x, nil, randT(rng, 3, 2), nil, nil, 0, 0, 1e-5) })
	mustOpError(t, "ResidualLayerNorm bias", func() { autograd.ResidualLayerNorm(x, randT(rng, 2), x, nil, nil, 0, 0, 1e-5) })
	mustOpError(t, "ResidualLayerNorm p", func() { autograd.ResidualLayerNorm(x, nil, x, nil, nil, 1, 0, 1e-5) })
}
