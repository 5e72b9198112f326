package autograd_test

import (
	"testing"

	"github.com/idim-go/idim/autograd/devicetest"
)

// The cases (shapes, float64 references) live in autograd/devicetest.
func TestGradConcat(t *testing.T)      { devicetest.CheckOp(t, "concat") }
func TestGradConcatAxis0(t *testing.T) { devicetest.CheckOp(t, "concat_axis0") }
