package autograd_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/idim-go/idim/autograd"
	"github.com/idim-go/idim/autograd/devicetest"
)

// partialDevice is a stand-in accelerator: it keeps its data in the CPU
// device's buffers but claims to support only some kernels, so the others go
// through the CPU fallback (download, run, upload).
type partialDevice struct {
	*autograd.CPUDevice
	supported map[string]bool
}

func (d partialDevice) Name() string            { return "partial" }
func (d partialDevice) Supports(op string) bool { return d.supported[op] }

func TestFallbackConformance(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	old := autograd.Logf
	autograd.Logf = func(f string, a ...any) {
		mu.Lock()
		lines = append(lines, fmt.Sprintf(f, a...))
		mu.Unlock()
	}
	defer func() { autograd.Logf = old }()

	for _, keep := range []int{0, 1} {
		sup := map[string]bool{}
		for i, k := range autograd.Kernels {
			if i%2 == keep {
				sup[k] = true
			}
		}
		dev := autograd.WithFallback(partialDevice{autograd.CPU(), sup})
		t.Run(fmt.Sprintf("half%d", keep), func(t *testing.T) { devicetest.Run(t, dev) })
	}
	seen := map[string]int{}
	for _, l := range lines {
		seen[l]++
	}
	for l, n := range seen {
		if n != 1 {
			t.Errorf("logged %d times: %s", n, l)
		}
	}
	if len(lines) == 0 || !strings.Contains(lines[0], "partial") {
		t.Errorf("no fallback log line naming the device: %q", lines)
	}
}

func TestOpenSelection(t *testing.T) {
	t.Setenv(autograd.EnvDevice, "")
	d, err := autograd.Open("")
	if err != nil || d.Name() != "cpu" {
		t.Fatalf("Open(\"\") = %v, %v; want the CPU device", d, err)
	}
	t.Setenv(autograd.EnvDevice, "nosuch")
	if _, err := autograd.Open(""); err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Fatalf("Open with IDIM_DEVICE=nosuch: err = %v", err)
	}
	if _, err := autograd.Open("cpu"); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, n := range autograd.Devices() {
		found = found || n == "cpu"
	}
	if !found {
		t.Fatal("cpu not registered")
	}
}
