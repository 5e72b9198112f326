package autograd

import (
	"math/rand/v2"
	"testing"
)

func randTensor(rng *rand.Rand, grad bool, shape ...int) *Tensor {
	n := 1
	for _, d := range shape {
		n *= d
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	t := MustFromSlice(CPU(), v, shape...)
	t.SetRequiresGrad(grad)
	return t
}

func TestLinearGradQuick(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := randTensor(rng, true, 3, 4)
	w := randTensor(rng, true, 5, 4)
	b := randTensor(rng, true, 5)
	err := CheckGrad(func(in []*Tensor) *Tensor { return Linear(in[0], in[1], in[2]) },
		func(in [][]float64) []float64 {
			out := make([]float64, 15)
			for i := 0; i < 3; i++ {
				for o := 0; o < 5; o++ {
					s := in[2][o]
					for k := 0; k < 4; k++ {
						s += in[0][i*4+k] * in[1][o*4+k]
					}
					out[i*5+o] = s
				}
			}
			return out
		}, []*Tensor{x, w, b}, GradCheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
}
