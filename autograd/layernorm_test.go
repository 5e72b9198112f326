package autograd_test

import (
	"testing"

	"github.com/idim-go/idim/autograd/devicetest"
)

// The cases (shapes, float64 references) live in autograd/devicetest.
func TestGradLayernorm(t *testing.T)         { devicetest.CheckOp(t, "layernorm") }
func TestGradLayernormNoaffine(t *testing.T) { devicetest.CheckOp(t, "layernorm_noaffine") }
