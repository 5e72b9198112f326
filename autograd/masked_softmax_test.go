package autograd_test

import (
	"testing"

	"github.com/idim-go/idim/autograd/devicetest"
)

// The cases (shapes, float64 references) live in autograd/devicetest.
func TestGradMaskedSoftmax(t *testing.T)       { devicetest.CheckOp(t, "masked_softmax") }
func TestGradMaskedSoftmaxNomask(t *testing.T) { devicetest.CheckOp(t, "masked_softmax_nomask") }
func TestGradAttention(t *testing.T)           { devicetest.CheckOp(t, "attention") }
