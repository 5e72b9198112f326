package autograd_test

import (
	"testing"

	"github.com/idim-go/idim/autograd/devicetest"
)

// The cases (shapes, float64 references) live in autograd/devicetest.
func TestGradGelu(t *testing.T)     { devicetest.CheckOp(t, "gelu") }
func TestGradGeluTanh(t *testing.T) { devicetest.CheckOp(t, "gelu_tanh") }
func TestGradTanh(t *testing.T)     { devicetest.CheckOp(t, "tanh") }
func TestGradRelu(t *testing.T)     { devicetest.CheckOp(t, "relu") }
func TestGradSigmoid(t *testing.T)  { devicetest.CheckOp(t, "sigmoid") }
func TestGradExp(t *testing.T)      { devicetest.CheckOp(t, "exp") }
func TestGradLog(t *testing.T)      { devicetest.CheckOp(t, "log") }
func TestGradSqrt(t *testing.T)     { devicetest.CheckOp(t, "sqrt") }
func TestGradSquare(t *testing.T)   { devicetest.CheckOp(t, "square") }
