package devicetest

import (
	"testing"

	"github.com/idim-go/idim/autograd"
)

// TestCPU runs the suite on the CPU device, whose baseline is the float64
// references.
func TestCPU(t *testing.T) { Run(t, autograd.CPU()) }
