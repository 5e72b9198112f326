package autograd_test

import (
	"testing"

	"github.com/idim-go/idim/autograd/devicetest"
)

// The cases (shapes, float64 references) live in autograd/devicetest.
func TestGradPermute(t *testing.T)      { devicetest.CheckOp(t, "permute") }
func TestGradPermuteCycle(t *testing.T) { devicetest.CheckOp(t, "permute_cycle") }
func TestGradTranspose(t *testing.T)    { devicetest.CheckOp(t, "transpose") }
