package devicetest

import (
	"math"
	"math/rand/v2"

	"github.com/idim-go/idim/autograd"
)

func reduceRef(axis int, mean bool) func(in [][]float64, shapes [][]int) []float64 {
	return func(in [][]float64, shapes [][]int) []float64 {
		s := shapes[0]
		ax := axis
		if ax < 0 {
			ax += len(s)
		}
		outer, inner := numel(s[:ax]), numel(s[ax+1:])
		n := s[ax]
		out := make([]float64, outer*inner)
		for o := 0; o < outer; o++ {
			for i := 0; i < inner; i++ {
				var t float64
				for j := 0; j < n; j++ {
					t += in[0][(o*n+j)*inner+i]
				}
				if mean && n > 0 {
					t /= float64(n)
				}
				out[o*inner+i] = t
			}
		}
		return out
	}
}

var reduceShapes = append([][]Spec{{sp(2, 3, 4)}, {sp(3, 1, 2)}, {sp(1, 5, 1)}, {sp(4, 70, 300)}}, randomShapes(10, 4, 2, 4, 5)...)

var sumCase = Case{
	Name:     "sum",
	Variants: reduceShapes,
	F:        func(in []*autograd.Tensor) *autograd.Tensor { return autograd.Sum(in[0], 1, false) },
	Ref:      reduceRef(1, false),
	NMSE:     1e-9,
}

var meanCase = Case{
	Name:     "mean_keepdim",
	Variants: [][]Spec{{sp(2, 3, 4)}, {sp(5, 1)}},
	F:        func(in []*autograd.Tensor) *autograd.Tensor { return autograd.Mean(in[0], -1, true) },
	Ref:      reduceRef(-1, true),
	NMSE:     1e-9,
}

var sumAllCase = Case{
	Name:     "sum_all",
	Variants: [][]Spec{{sp(3, 4)}, {sp(0, 2)}, {sp(1)}},
	F:        func(in []*autograd.Tensor) *autograd.Tensor { return autograd.SumAll(in[0]) },
	Ref: func(in [][]float64, _ [][]int) []float64 {
		var s float64
		for _, v := range in[0] {
			s += v
		}
		return []float64{s}
	},
	NMSE: 1e-9,
}

var meanAllCase = Case{
	Name:     "mean_all",
	Variants: [][]Spec{{sp(3, 4)}, {sp(7)}},
	F:        func(in []*autograd.Tensor) *autograd.Tensor { return autograd.MeanAll(in[0]) },
	Ref: func(in [][]float64, _ [][]int) []float64 {
		var s float64
		for _, v := range in[0] {
			s += v
		}
		return []float64{s / float64(len(in[0]))}
	},
	NMSE: 1e-9,
}

func softmaxRef(log bool) func(in [][]float64, shapes [][]int) []float64 {
	return func(in [][]float64, shapes [][]int) []float64 {
		rows, n := rowsOf(shapes[0])
		out := make([]float64, len(in[0]))
		for r := 0; r < rows; r++ {
			x := in[0][r*n : r*n+n]
			m := math.Inf(-1)
			for _, v := range x {
				m = math.Max(m, v)
			}
			var s float64
			for _, v := range x {
				s += math.Exp(v - m)
			}
			for j, v := range x {
				if log {
					out[r*n+j] = v - m - math.Log(s)
				} else {
					out[r*n+j] = math.Exp(v-m) / s
				}
			}
		}
		return out
	}
}

// big adds 50 to every value: softmax must subtract the maximum.
func big(_ int, r *rand.Rand) float32 { return float32(50 + 2*r.NormFloat64()) }

var softmaxVariants = append([][]Spec{{sp(3, 5)}, {sp(2, 2, 7)}, {sp(4, 1)}, {withGen(sp(2, 6), big)}, {sp(0, 3)}}, randomShapes(11, 3, 1, 3, 9)...)

var softmaxCase = Case{
	Name:     "softmax",
	Variants: softmaxVariants,
	F:        func(in []*autograd.Tensor) *autograd.Tensor { return autograd.Softmax(in[0]) },
	Ref:      softmaxRef(false),
	NMSE:     1e-9, GradNMSE: 1e-8,
	Check: autograd.GradCheckOptions{SelfStep: 3e-3},
}

var logSoftmaxCase = Case{
	Name:     "log_softmax",
	Variants: softmaxVariants,
	F:        func(in []*autograd.Tensor) *autograd.Tensor { return autograd.LogSoftmax(in[0]) },
	Ref:      softmaxRef(true),
	NMSE:     1e-9, GradNMSE: 1e-8,
	Check: autograd.GradCheckOptions{SelfStep: 3e-3},
}

// maskGen makes batch b keep its first k-b%(k+1) keys: some rows are padded,
// and with batch > k one is fully masked.
func maskGen(k int) func(i int, r *rand.Rand) float32 {
	return func(i int, _ *rand.Rand) float32 {
		b, j := i/k, i%k
		if j < k-b%(k+1) {
			return 1
		}
		return 0
	}
}

const attnScale = 0.35

func maskedSoftmaxRef(in [][]float64, shapes [][]int) []float64 {
	s := shapes[0]
	B, H, Q, K := s[0], s[1], s[2], s[3]
	out := make([]float64, len(in[0]))
	for b := 0; b < B; b++ {
		for r := 0; r < H*Q; r++ {
			off := (b*H*Q + r) * K
			m := math.Inf(-1)
			any := false
			for j := 0; j < K; j++ {
				if len(in) < 2 || in[1][b*K+j] != 0 {
					m = math.Max(m, attnScale*in[0][off+j])
					any = true
				}
			}
			if !any {
				for j := 0; j < K; j++ {
					out[off+j] = 1 / float64(K)
				}
				continue
			}
			var t float64
			for j := 0; j < K; j++ {
				if len(in) < 2 || in[1][b*K+j] != 0 {
					t += math.Exp(attnScale*in[0][off+j] - m)
				}
			}
			for j := 0; j < K; j++ {
				if len(in) < 2 || in[1][b*K+j] != 0 {
					out[off+j] = math.Exp(attnScale*in[0][off+j]-m) / t
				}
			}
		}
	}
	return out
}

func maskSpec(b, k int) Spec { return withGen(cst(b, k), maskGen(k)) }

var maskedSoftmaxCase = Case{
	Name: "masked_softmax",
	Variants: [][]Spec{
		{sp(2, 3, 4, 4), maskSpec(2, 4)},
		{sp(5, 2, 3, 4), maskSpec(5, 4)}, // batch 4 is fully masked
		{sp(1, 1, 1, 1), maskSpec(1, 1)},
		{sp(2, 2, 3, 5), maskSpec(2, 5)},
	},
	F: func(in []*autograd.Tensor) *autograd.Tensor {
		return autograd.MaskedSoftmax(in[0], in[1], attnScale)
	},
	Ref:  maskedSoftmaxRef,
	NMSE: 1e-9, GradNMSE: 1e-8,
}

var maskedSoftmaxNoMaskCase = Case{
	Name:     "masked_softmax_nomask",
	Variants: [][]Spec{{sp(2, 3, 4, 5)}},
	F: func(in []*autograd.Tensor) *autograd.Tensor {
		return autograd.MaskedSoftmax(in[0], nil, attnScale)
	},
	Ref:  maskedSoftmaxRef,
	NMSE: 1e-9, GradNMSE: 1e-8,
}

const lnEps = 1e-5

func layerNormRef(in [][]float64, shapes [][]int) []float64 {
	rows, n := rowsOf(shapes[0])
	out := make([]float64, len(in[0]))
	for r := 0; r < rows; r++ {
		x := in[0][r*n : r*n+n]
		var mu, v float64
		for _, e := range x {
			mu += e
		}
		mu /= float64(n)
		for _, e := range x {
			v += (e - mu) * (e - mu)
		}
		v /= float64(n)
		rs := 1 / math.Sqrt(v+float64(float32(lnEps)))
		for j, e := range x {
			y := (e - mu) * rs
			if len(in) > 1 {
				y = y*in[1][j] + in[2][j]
			}
			out[r*n+j] = y
		}
	}
	return out
}

var layerNormCase = Case{
	Name: "layernorm",
	Variants: [][]Spec{
		{sp(3, 8), sp(8), sp(8)},
		{sp(2, 3, 5), sp(5), sp(5)},
		{sp(1, 3), sp(3), sp(3)},
		{withGen(sp(4, 16), big), sp(16), sp(16)},
		{sp(0, 4), sp(4), sp(4)},
	},
	F: func(in []*autograd.Tensor) *autograd.Tensor {
		return autograd.LayerNorm(in[0], in[1], in[2], lnEps)
	},
	Ref:  layerNormRef,
	NMSE: 1e-9, GradNMSE: 1e-8,
	// LayerNorm's gradient cancels: its float32 error is larger.
	Check: autograd.GradCheckOptions{GradTol: 1e-3, ValueTol: 1e-4, SelfStep: 3e-3},
}

var layerNormPlainCase = Case{
	Name:     "layernorm_noaffine",
	Variants: [][]Spec{{sp(3, 8)}},
	F: func(in []*autograd.Tensor) *autograd.Tensor {
		return autograd.LayerNorm(in[0], nil, nil, lnEps)
	},
	Ref:  layerNormRef,
	NMSE: 1e-9, GradNMSE: 1e-8,
	Check: autograd.GradCheckOptions{GradTol: 1e-3, ValueTol: 1e-4, SelfStep: 3e-3},
}

// ceLabels makes labels for rows x c with every third row ignored.
func ceLabels(rows, c int) []int32 {
	l := make([]int32, rows)
	for i := range l {
		if i%3 == 2 {
			l[i] = autograd.IgnoreIndex
		} else {
			l[i] = int32((i*7 + 1) % c)
		}
	}
	return l
}

func ceRef(sum bool) func(in [][]float64, shapes [][]int) []float64 {
	return func(in [][]float64, shapes [][]int) []float64 {
		rows, c := shapes[0][0], shapes[0][1]
		labels := ceLabels(rows, c)
		var s float64
		count := 0
		for r := 0; r < rows; r++ {
			if labels[r] == autograd.IgnoreIndex {
				continue
			}
			x := in[0][r*c : r*c+c]
			m := math.Inf(-1)
			for _, v := range x {
				m = math.Max(m, v)
			}
			var e float64
			for _, v := range x {
				e += math.Exp(v - m)
			}
			s += m + math.Log(e) - x[labels[r]]
			count++
		}
		if !sum {
			if count == 0 {
				return []float64{0}
			}
			s /= float64(count)
		}
		return []float64{s}
	}
}

var crossEntropyCase = Case{
	Name:     "cross_entropy",
	Variants: [][]Spec{{sp(5, 4)}, {sp(1, 3)}, {sp(7, 1)}, {sp(3, 50)}, {withGen(sp(4, 6), big)}},
	F: func(in []*autograd.Tensor) *autograd.Tensor {
		return autograd.CrossEntropy(in[0], ceLabels(in[0].Dim(0), in[0].Dim(1)))
	},
	Ref:  ceRef(false),
	NMSE: 1e-9, GradNMSE: 1e-8,
	// The float32 loss of logits near 50 carries absolute rounding ~1e-5.
	Check: autograd.GradCheckOptions{SelfStep: 3e-3, ValueTol: 1e-4},
}

var crossEntropySumCase = Case{
	Name:     "cross_entropy_sum",
	Variants: [][]Spec{{sp(5, 4)}, {sp(0, 3)}},
	F: func(in []*autograd.Tensor) *autograd.Tensor {
		return autograd.CrossEntropyWith(in[0], ceLabels(in[0].Dim(0), in[0].Dim(1)), autograd.ReduceSum, autograd.IgnoreIndex)
	},
	Ref:  ceRef(true),
	NMSE: 1e-9, GradNMSE: 1e-8,
}

// attentionCase is one masked self-attention head block built from the
// ops, as the transformer uses them: scores = Q K^T, masked softmax, times V.
var attentionCase = Case{
	Name: "attention",
	Variants: [][]Spec{
		{sp(2, 2, 3, 4), sp(2, 2, 3, 4), sp(2, 2, 3, 4), maskSpec(2, 3)},
	},
	F: func(in []*autograd.Tensor) *autograd.Tensor {
		s := autograd.MatMul(in[0], in[1], false, true)
		p := autograd.MaskedSoftmax(s, in[3], attnScale)
		return autograd.MatMul(p, in[2], false, false)
	},
	Ref: func(in [][]float64, shapes [][]int) []float64 {
		s := shapes[0]
		B, H, S, D := s[0], s[1], s[2], s[3]
		scores := make([]float64, B*H*S*S)
		for bh := 0; bh < B*H; bh++ {
			for i := 0; i < S; i++ {
				for j := 0; j < S; j++ {
					var t float64
					for d := 0; d < D; d++ {
						t += in[0][(bh*S+i)*D+d] * in[1][(bh*S+j)*D+d]
					}
					scores[(bh*S+i)*S+j] = t
				}
			}
		}
		p := maskedSoftmaxRef([][]float64{scores, in[3]}, [][]int{{B, H, S, S}})
		out := make([]float64, B*H*S*D)
		for bh := 0; bh < B*H; bh++ {
			for i := 0; i < S; i++ {
				for d := 0; d < D; d++ {
					var t float64
					for j := 0; j < S; j++ {
						t += p[(bh*S+i)*S+j] * in[2][(bh*S+j)*D+d]
					}
					out[(bh*S+i)*D+d] = t
				}
			}
		}
		return out
	},
	NMSE: 1e-9, GradNMSE: 1e-8,
}
