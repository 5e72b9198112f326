package autograd_test

import (
	"testing"

	"github.com/idim-go/idim/autograd/devicetest"
)

// The cases (shapes, float64 references) live in autograd/devicetest.
func TestGradSlice(t *testing.T)     { devicetest.CheckOp(t, "slice") }
func TestGradSliceView(t *testing.T) { devicetest.CheckOp(t, "slice_view") }
func TestGradSplit(t *testing.T)     { devicetest.CheckOp(t, "split") }
