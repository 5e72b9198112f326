package devicetest

import (
	"testing"

	"github.com/idim-go/idim/autograd"
)

// TestCPU runs the suite on the CPU device, whose baseline is the float64
// references.
func TestCPU(t *testing.T) { Run(t, autograd.CPU()) }

// TestRandomShapesIncluded guards against the random variants being lost to
// package initialisation order.
func TestRandomShapesIncluded(t *testing.T) {
	for name, min := range map[string]int{"add": 17, "matmul": 15, "sum": 8, "softmax": 8, "gelu": 6} {
		c, _ := Lookup(name)
		if len(c.Variants) < min {
			t.Errorf("%s has %d variants, want >= %d", name, len(c.Variants), min)
		}
	}
}
