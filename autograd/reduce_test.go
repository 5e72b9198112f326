package autograd_test

import (
	"testing"

	"github.com/idim-go/idim/autograd/devicetest"
)

// The cases (shapes, float64 references) live in autograd/devicetest.
func TestGradSum(t *testing.T)         { devicetest.CheckOp(t, "sum") }
func TestGradMeanKeepdim(t *testing.T) { devicetest.CheckOp(t, "mean_keepdim") }
func TestGradSumAll(t *testing.T)      { devicetest.CheckOp(t, "sum_all") }
func TestGradMeanAll(t *testing.T)     { devicetest.CheckOp(t, "mean_all") }
