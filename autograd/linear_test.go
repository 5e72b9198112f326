package autograd_test

import (
	"testing"

	"github.com/idim-go/idim/autograd/devicetest"
)

// The cases (shapes, float64 references) live in autograd/devicetest.
func TestGradLinear(t *testing.T)       { devicetest.CheckOp(t, "linear") }
func TestGradLinearNobias(t *testing.T) { devicetest.CheckOp(t, "linear_nobias") }
