//go:build !(vulkan && cgo)

package vulkan

import (
	"errors"
	"testing"

	"github.com/idim-go/idim/autograd"
)

// TestStub checks that a build without the vulkan tag reports so and that
// opening "vulkan" through autograd falls back to the CPU with one line.
func TestStub(t *testing.T) {
	if _, err := New(""); !errors.Is(err, ErrNotBuilt) {
		t.Errorf("New: %v, want ErrNotBuilt", err)
	}
	if _, err := Describe(); !errors.Is(err, ErrNotBuilt) {
		t.Errorf("Describe: %v, want ErrNotBuilt", err)
	}
	var logged int
	defer func(f func(string, ...any)) { autograd.Logf = f }(autograd.Logf)
	autograd.Logf = func(string, ...any) { logged++ }
	dev, err := autograd.Open("vulkan")
	if err != nil {
		t.Fatal(err)
	}
	if dev != autograd.Device(autograd.CPU()) || logged != 1 {
		t.Errorf("Open(vulkan) = %s with %d log lines, want cpu with 1", dev.Name(), logged)
	}
}
