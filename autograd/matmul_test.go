package autograd_test

import (
	"testing"

	"github.com/idim-go/idim/autograd/devicetest"
)

// The cases (shapes, float64 references) live in autograd/devicetest.
func TestGradMatmul(t *testing.T)     { devicetest.CheckOp(t, "matmul") }
func TestGradMatmulTa(t *testing.T)   { devicetest.CheckOp(t, "matmul_ta") }
func TestGradMatmulTb(t *testing.T)   { devicetest.CheckOp(t, "matmul_tb") }
func TestGradMatmulTatb(t *testing.T) { devicetest.CheckOp(t, "matmul_tatb") }
