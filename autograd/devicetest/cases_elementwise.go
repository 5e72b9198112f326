package devicetest

import (
	"math"
	"math/rand/v2"

	"github.com/idim-go/idim/autograd"
	"github.com/idim-go/idim/internal/kernels"
)

var binaryShapes = append([][]Spec{
	{sp(3, 4), sp(3, 4)},
	{sp(2, 3, 4), sp(4)},
	{sp(2, 1, 4), sp(3, 1)},
	{sp(1), sp(5, 2)},
	{sp(4, 1, 3), sp(1, 5, 1)},
	{sp(2, 3), sp(1, 1)},
	{sp(0, 3), sp(3)},
	{sp(), sp(2, 2)},
	{sp(64, 33), sp(64, 1)},
}, randomBinaryShapes(7, 8)...)

// divShapes is binaryShapes with denominators kept away from 0.
func divShapes() [][]Spec {
	out := make([][]Spec, len(binaryShapes))
	for i, v := range binaryShapes {
		out[i] = []Spec{v[0], withGen(v[1], awayFromZero)}
	}
	return out
}

var addCase = Case{
	Name:     "add",
	Variants: binaryShapes,
	F:        func(in []*autograd.Tensor) *autograd.Tensor { return autograd.Add(in[0], in[1]) },
	Ref:      binaryRef(func(a, b float64) float64 { return a + b }),
}

var subCase = Case{
	Name:     "sub",
	Variants: binaryShapes,
	F:        func(in []*autograd.Tensor) *autograd.Tensor { return autograd.Sub(in[0], in[1]) },
	Ref:      binaryRef(func(a, b float64) float64 { return a - b }),
}

var mulCase = Case{
	Name:     "mul",
	Variants: binaryShapes,
	F:        func(in []*autograd.Tensor) *autograd.Tensor { return autograd.Mul(in[0], in[1]) },
	Ref:      binaryRef(func(a, b float64) float64 { return a * b }),
}

var divCase = Case{
	Name:     "div",
	Variants: divShapes(),
	F:        func(in []*autograd.Tensor) *autograd.Tensor { return autograd.Div(in[0], in[1]) },
	Ref:      binaryRef(func(a, b float64) float64 { return a / b }),
	Check:    autograd.GradCheckOptions{SelfStep: 1e-3},
}

var scaleCase = Case{
	Name:     "scale",
	Variants: [][]Spec{{sp(3, 5)}, {sp(0)}, {sp()}},
	F:        func(in []*autograd.Tensor) *autograd.Tensor { return autograd.Scale(in[0], -1.5) },
	Ref:      unaryRef(func(x float64) float64 { return -1.5 * x }),
}

var unaryShapes = append([][]Spec{{sp(3, 7)}, {sp(1)}, {sp(0, 4)}, {sp(2, 3, 5)}}, randomShapes(8, 2, 1, 4, 6)...)

func unaryCase(name string, f func(*autograd.Tensor) *autograd.Tensor, ref func(float64) float64, gen func(int, *rand.Rand) float32, nmse float64) Case {
	vs := make([][]Spec, len(unaryShapes))
	for i, v := range unaryShapes {
		vs[i] = []Spec{withGen(v[0], gen)}
	}
	return Case{
		Name:     name,
		Variants: vs,
		F:        func(in []*autograd.Tensor) *autograd.Tensor { return f(in[0]) },
		Ref:      unaryRef(ref),
		NMSE:     nmse,
		GradNMSE: nmse,
	}
}

func normal(_ int, r *rand.Rand) float32 { return float32(r.NormFloat64()) }

// wide draws from N(0, 3^2): GELU's tails matter.
func wide(_ int, r *rand.Rand) float32 { return float32(3 * r.NormFloat64()) }

var (
	geluCase = unaryCase("gelu", autograd.GELU, func(x float64) float64 {
		return 0.5 * x * (1 + math.Erf(x/math.Sqrt2))
	}, wide, 1e-11)
	geluTanhCase = unaryCase("gelu_tanh", autograd.GELUTanh, func(x float64) float64 {
		return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
	}, wide, 1e-11)
	tanhCase    = unaryCase("tanh", autograd.Tanh, math.Tanh, normal, 1e-11)
	reluCase    = unaryCase("relu", autograd.ReLU, func(x float64) float64 { return math.Max(x, 0) }, awayFromZero, 0)
	sigmoidCase = unaryCase("sigmoid", autograd.Sigmoid, func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }, wide, 1e-11)
	expCase     = unaryCase("exp", autograd.Exp, math.Exp, normal, 1e-11)
	logCase     = unaryCase("log", autograd.Log, math.Log, positive, 1e-11)
	sqrtCase    = unaryCase("sqrt", autograd.Sqrt, math.Sqrt, positive, 1e-11)
	squareCase  = unaryCase("square", autograd.Square, func(x float64) float64 { return x * x }, normal, 0)
)

const dropoutP, dropoutSeed = 0.3, 12345

var dropoutCase = Case{
	Name:     "dropout",
	Variants: [][]Spec{{sp(4, 9)}, {sp(1000)}, {sp(0)}},
	F: func(in []*autograd.Tensor) *autograd.Tensor {
		return autograd.Dropout(in[0], dropoutP, dropoutSeed)
	},
	Ref: func(in [][]float64, _ [][]int) []float64 {
		out := make([]float64, len(in[0]))
		for i, v := range in[0] {
			// The mask is the op's definition: a pure function of
			// (seed, index).
			if kernels.DropoutKeep(dropoutSeed, uint64(i), dropoutP) {
				out[i] = v / (1 - float64(float32(dropoutP)))
			}
		}
		return out
	},
	NMSE: 0, GradNMSE: 0,
}
