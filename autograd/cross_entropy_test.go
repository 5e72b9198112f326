package autograd_test

import (
	"testing"

	"github.com/idim-go/idim/autograd/devicetest"
)

// The cases (shapes, float64 references) live in autograd/devicetest.
func TestGradCrossEntropy(t *testing.T)    { devicetest.CheckOp(t, "cross_entropy") }
func TestGradCrossEntropySum(t *testing.T) { devicetest.CheckOp(t, "cross_entropy_sum") }
