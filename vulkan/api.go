package vulkan

import (
	"errors"
	"fmt"
	"strings"

	"github.com/idim-go/idim/autograd"
)

// Environment variables read by the package.
const (
	// EnvLib names the Vulkan loader to dlopen (default libvulkan.so.1).
	EnvLib = "IDIM_VULKAN_LIB"
	// EnvDisable lists kernels (autograd.K* names, or "all") that Supports
	// reports as unsupported, so autograd runs them on the CPU, and
	// features: "tiled_gemm" (use the barrier-free GEMM shader on a GPU
	// too) or "direct_gemm" (use the shared-memory one on a CPU software
	// device).
	EnvDisable = "IDIM_VK_DISABLE"
	// EnvProfile set to 1 records per-kernel GPU times (see Profile).
	EnvProfile = "IDIM_VK_PROFILE"
)

// ErrNotBuilt is returned by New in binaries built without -tags vulkan (or
// without cgo).
var ErrNotBuilt = errors.New("vulkan: idim was built without the vulkan build tag (go build -tags vulkan, cgo enabled)")

// BlockBytes is the size of the device memory blocks that tensors are
// sub-allocated from.
const BlockBytes = 64 << 20

// DeviceInfo describes one physical device as the loader reports it.
type DeviceInfo struct {
	Index        int    // position in the loader's list ("vulkan:<index>")
	Name         string // e.g. "NVIDIA GeForce RTX 3090", "llvmpipe (LLVM 15.0.6, 256 bits)"
	Type         string // "discrete", "integrated", "virtual", "cpu" or "other"
	VendorID     uint32
	APIVersion   string // e.g. "1.3.230"
	DeviceLocal  uint64 // bytes in device-local heaps
	MaxAlloc     uint64 // maxMemoryAllocationSize
	MaxStorage   uint32 // maxStorageBufferRange (not a limit for idim: tensors are addressed by device address)
	MaxShared    uint32 // maxComputeSharedMemorySize
	MaxGroup     uint32 // maxComputeWorkGroupInvocations
	MaxPush      uint32 // maxPushConstantsSize
	SubgroupSize uint32
	Float16      bool
	Float64      bool
	Int64        bool
	// Usable is whether idim can run on the device (Vulkan 1.2,
	// bufferDeviceAddress, a compute queue, the limits its shaders need);
	// Why says what is missing when it is not.
	Usable bool
	Why    string
	// Kernels lists the kernels the device would run (after
	// IDIM_VK_DISABLE).
	Kernels []string
}

// String is a one-line summary for `idim devices`.
func (d DeviceInfo) String() string {
	s := fmt.Sprintf("vulkan:%d  %s (%s, Vulkan %s, %d MiB device-local, max alloc %d MiB, shared %d KiB, subgroup %d)",
		d.Index, d.Name, d.Type, d.APIVersion, d.DeviceLocal>>20, d.MaxAlloc>>20, d.MaxShared>>10, d.SubgroupSize)
	if !d.Usable {
		s += "  unusable: " + d.Why
	} else {
		s += fmt.Sprintf("  %d/%d kernels", len(d.Kernels), len(autograd.Kernels))
	}
	return s
}

// isSoftware reports whether a device is one of Mesa's CPU rasterisers,
// which only an explicit selection picks.
func isSoftware(name, typ string) bool {
	n := strings.ToLower(name)
	return typ == "cpu" || strings.Contains(n, "llvmpipe") || strings.Contains(n, "lavapipe") || strings.Contains(n, "swiftshader")
}

// Names are the device names the package registers with autograd.
var Names = []string{"vulkan", "vulkan:llvmpipe", "vulkan:lavapipe",
	"vulkan:0", "vulkan:1", "vulkan:2", "vulkan:3", "vulkan:4", "vulkan:5", "vulkan:6", "vulkan:7"}

func init() {
	for _, name := range Names {
		sel := strings.TrimPrefix(strings.TrimPrefix(name, "vulkan"), ":")
		autograd.Register(name, func() (autograd.Device, error) {
			d, err := New(sel)
			if err != nil {
				autograd.Logf("vulkan: %v; using the CPU device", err)
				return autograd.CPU(), nil
			}
			return d, nil
		})
	}
}

// disabled parses IDIM_VK_DISABLE.
func disabled(env string) map[string]bool {
	m := map[string]bool{}
	for _, f := range strings.Split(env, ",") {
		f = strings.TrimSpace(strings.ToLower(f))
		if f == "all" {
			for _, k := range autograd.Kernels {
				m[k] = true
			}
		} else if f != "" {
			m[f] = true
		}
	}
	return m
}
