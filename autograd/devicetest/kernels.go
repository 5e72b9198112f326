package devicetest

import (
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/autograd"
)

// kernelCase calls Device kernels directly, for what the op cases do not
// reach: in-place calls that the Device interface allows, strided GEMM
// operands as the fused attention uses them, offsets, accumulation, and the
// optimizer kernels. run gets the device and the inputs (made on it from the
// shared seed) and returns the tensors to compare with the CPU device.
type kernelCase struct {
	name   string
	shapes [][]int
	bound  float64
	run    func(dev autograd.Device, in []*autograd.Tensor) []*autograd.Tensor
}

var kernelCases = []kernelCase{
	{"adam", [][]int{{1000}, {1000}, {1000}, {1000}}, 1e-10, func(dev autograd.Device, in []*autograd.Tensor) []*autograd.Tensor {
		m, v := in[2], in[3]
		dev.Unary(autograd.OpSquare, v, v) // second moments are >= 0
		for step := 1; step <= 3; step++ {
			dev.Adam(in[0], in[1], m, v, autograd.AdamParams{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8,
				WeightDecay: 0.01, Decoupled: step != 2, Step: step, GradScale: 0.7})
		}
		return []*autograd.Tensor{in[0], m, v}
	}},
	{"sum_squares", [][]int{{777}, {5}, {1}}, 1e-10, func(dev autograd.Device, in []*autograd.Tensor) []*autograd.Tensor {
		dev.SumSquares(in[2], in[0], false)
		dev.SumSquares(in[2], in[1], true)
		return []*autograd.Tensor{in[2]}
	}},
	{"inplace", [][]int{{4, 2, 3, 5}, {4, 5}, {4, 2, 3, 5}}, 1e-10, func(dev autograd.Device, in []*autograd.Tensor) []*autograd.Tensor {
		x, mask, dy := in[0], in[1], in[2]
		dev.Binary(autograd.OpMul, mask, mask, mask) // any values; 0 where the draw was 0
		y := autograd.Empty(dev, x.Shape()...)
		dev.MaskedSoftmax(y, x, mask, 4, 2, 3, 5, 0.3)
		dev.MaskedSoftmaxBackward(dy, y, dy, mask, 4, 2, 3, 5, 0.3) // dx aliases dy
		dev.Dropout(x, x, 0.2, 99)                                  // dst aliases x
		dev.Unary(autograd.OpGELU, y, y)
		dev.UnaryBackward(autograd.OpTanh, x, nil, y, x)
		dev.Binary(autograd.OpAdd, x, x, dy)
		dev.Scale(3, x, x)
		dev.Softmax(y, y, 24, 5, false)
		dev.SoftmaxBackward(dy, y, dy, 24, 5, false, 2)
		return []*autograd.Tensor{x, y, dy}
	}},
	{"gemm_heads", [][]int{{2 * 6, 3 * 4}, {2 * 6, 3 * 4}, {2 * 3 * 6, 6}, {2 * 6, 3 * 4}}, 1e-9, func(dev autograd.Device, in []*autograd.Tensor) []*autograd.Tensor {
		// q, k, v: [B*T, nh*dh] with B=2, T=6, nh=3, dh=4; scores [B*nh*T, T].
		q, k, s, ctx := in[0], in[1], in[2], in[3]
		const B, T, nh, dh = 2, 6, 3, 4
		for b := 0; b < B; b++ {
			qs := autograd.Slice(q, 0, b*T, (b+1)*T)
			ks := autograd.Slice(k, 0, b*T, (b+1)*T)
			ss := autograd.Slice(s, 0, b*nh*T, (b+1)*nh*T)
			cs := autograd.Slice(ctx, 0, b*T, (b+1)*T)
			dev.Gemm(autograd.GemmArgs{TransB: true, M: T, N: T, K: dh, Alpha: 0.5, Beta: 1,
				A: qs, LdA: nh * dh, StrideA: dh, B: ks, LdB: nh * dh, StrideB: dh,
				C: ss, LdC: T, StrideC: T * T, Batch: nh})
			dev.Gemm(autograd.GemmArgs{TransA: true, M: T, N: dh, K: T, Alpha: 1, Beta: 0,
				A: ss, LdA: T, StrideA: T * T, B: ks, LdB: nh * dh, StrideB: dh,
				C: cs, LdC: nh * dh, StrideC: dh, Batch: nh})
		}
		return []*autograd.Tensor{s, ctx}
	}},
	{"rows_and_reductions", [][]int{{5, 8}, {3, 8}, {8}, {4, 5, 6}}, 1e-10, func(dev autograd.Device, in []*autograd.Tensor) []*autograd.Tensor {
		a, b, c, d := in[0], in[1], in[2], in[3]
		dev.CopyRows(a, 2, 8, b, 1, 8, 3, 5, true)  // accumulate into an inner block
		dev.CopyRows(a, 0, 8, b, 0, 8, 1, 3, false) // overwrite
		dev.Axpy(-2, c, autograd.Slice(a, 0, 1, 2)) // into a view at an offset
		dev.ReduceSum(c, a, 1, 5, 8, 0.5, 1)
		r := autograd.Empty(dev, 4, 6)
		dev.ReduceSum(r, d, 4, 5, 6, 1, 0)
		e := autograd.Empty(dev, 5, 4)
		var perm [autograd.MaxDims]int
		perm[0], perm[1] = 1, 0
		dev.Permute(e, autograd.Reshape(r, 4, 6), perm)
		dev.ScatterAdd(a, b, []int32{4, 0, 4})
		g := autograd.Empty(dev, 4, 8)
		dev.Gather(g, a, []int32{3, 3, 0, 1})
		return []*autograd.Tensor{a, c, r, g}
	}},
}

// RunKernels runs the direct kernel checks on dev against the CPU device.
func RunKernels(t *testing.T, dev autograd.Device) {
	t.Helper()
	for _, kc := range kernelCases {
		t.Run("kernel_"+kc.name, func(t *testing.T) {
			want := runKernel(kc, autograd.CPU())
			got := runKernel(kc, dev)
			for i := range want {
				if e := NMSE(got[i], want[i]); !(e <= kc.bound) {
					t.Errorf("%s on %s: output %d NMSE %.3g > %.3g", kc.name, dev.Name(), i, e, kc.bound)
				}
			}
		})
	}
}

func runKernel(kc kernelCase, dev autograd.Device) [][]float32 {
	var sc autograd.Scope
	sc.Begin()
	defer sc.End()
	rng := rand.New(rand.NewPCG(42, 43))
	in := make([]*autograd.Tensor, len(kc.shapes))
	for i, s := range kc.shapes {
		v := make([]float32, numel(s))
		for j := range v {
			v[j] = float32(rng.NormFloat64())
			if rng.IntN(5) == 0 {
				v[j] = 0
			}
		}
		in[i] = autograd.MustFromSlice(dev, v, s...)
	}
	var out [][]float32
	autograd.NoGrad(func() {
		for _, t := range kc.run(dev, in) {
			out = append(out, t.Data())
		}
	})
	return out
}
