//go:build !(vulkan && cgo)

package vulkan

import (
	"github.com/idim-go/idim/autograd"
	"github.com/idim-go/idim/fwht"
)

// Device is the Vulkan device. In this build (no vulkan tag or no cgo) New
// never returns one.
type Device struct {
	autograd.Device
}

// New returns ErrNotBuilt in this build.
func New(sel string) (*Device, error) { return nil, ErrNotBuilt }

// Describe returns ErrNotBuilt in this build.
func Describe() ([]DeviceInfo, error) { return nil, ErrNotBuilt }

// Info describes the device.
func (d *Device) Info() DeviceInfo { return DeviceInfo{} }

// Sync waits for all recorded work.
func (d *Device) Sync() error { return ErrNotBuilt }

// Close releases the device.
func (d *Device) Close() error { return ErrNotBuilt }

// Profile returns the per-kernel times recorded under IDIM_VK_PROFILE=1.
func (d *Device) Profile() string { return "" }

// FWHT transforms each row of n values of x in place.
func (d *Device) FWHT(x *autograd.Tensor, n int) error { return ErrNotBuilt }

// Fastfood computes dst = P x, or P^T x when transpose, for the projection f.
func (d *Device) Fastfood(dst, x *autograd.Tensor, f *fwht.Fastfood, transpose bool) error {
	return ErrNotBuilt
}

// ReleaseFastfood frees the device tables of f.
func (d *Device) ReleaseFastfood(f *fwht.Fastfood) {}

// ValidationMessages returns the number of validation errors and warnings
// seen and the last message.
func (d *Device) ValidationMessages() (errors, warnings int, last string) { return 0, 0, "" }

// Stats counts the host-device traffic of a device.
type Stats struct {
	Uploads, Downloads int
	UpBytes, DownBytes uint64
	Submits            int
	Dispatches         int
}

// Stats returns the traffic counters.
func (d *Device) Stats() Stats { return Stats{} }

// MemStats reports the device memory held in blocks and the bytes in use.
func (d *Device) MemStats() (held, used uint64) { return 0, 0 }

// Trim releases the device memory of blocks that hold no buffer.
func (d *Device) Trim() {}
