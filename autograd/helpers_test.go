package autograd_test

import (
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/autograd"
)

var cpu = autograd.CPU()

func randT(rng *rand.Rand, shape ...int) *autograd.Tensor {
	n := 1
	for _, d := range shape {
		n *= d
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return autograd.MustFromSlice(cpu, v, shape...)
}

func close32(a, b []float32, tol float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		d := a[i] - b[i]
		if d < -tol || d > tol || d != d {
			return false
		}
	}
	return true
}

// mustOpError checks that f panics with an *OpError.
func mustOpError(t *testing.T, what string, f func()) {
	t.Helper()
	err := autograd.Catch(f)
	if err == nil {
		t.Errorf("%s: no error", what)
		return
	}
	t.Logf("%s: %v", what, err)
}
