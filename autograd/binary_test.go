package autograd_test

import (
	"testing"

	"github.com/idim-go/idim/autograd/devicetest"
)

// The cases (shapes, float64 references) live in autograd/devicetest.
func TestGradAdd(t *testing.T) { devicetest.CheckOp(t, "add") }
func TestGradSub(t *testing.T) { devicetest.CheckOp(t, "sub") }
func TestGradMul(t *testing.T) { devicetest.CheckOp(t, "mul") }
func TestGradDiv(t *testing.T) { devicetest.CheckOp(t, "div") }
