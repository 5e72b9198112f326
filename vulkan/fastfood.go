//go:build vulkan && cgo

package vulkan

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/idim-go/idim/autograd"
	"github.com/idim-go/idim/fwht"
)

// ffTables is a Fastfood projection's diagonal and permutation on the
// device, in one buffer: B as +-1.0 (d values), the integer-valued G (L
// values, as float32) and pi (L int32).
type ffTables struct {
	b       *buffer
	d, n, l int
}

// gUnit is sqrt of the variance of fwht's integer-valued G: fwht.Fastfood.G
// returns those integers divided by it.
var gUnit = math.Sqrt(174763)

// fastfoodTables returns f's tables, uploading them on first use.
func (d *Device) fastfoodTables(f *fwht.Fastfood) (*ffTables, error) {
	if t := d.ff[f]; t != nil {
		return t, nil
	}
	dd, n, l := f.Dims()
	vals := make([]float32, dd+2*l)
	for j := range dd {
		vals[j] = f.Sign(j)
	}
	g := vals[dd : dd+l]
	for k, v := range f.G() {
		// G_k = gInt/sqrt(174763) with gInt an odd integer of magnitude
		// at most 2041; float32 keeps it to 2^-24 relative, so rounding
		// recovers gInt exactly.
		gi := math.Round(float64(v) * gUnit)
		if math.Abs(gi) > 2041 || math.Mod(gi, 2) == 0 {
			return nil, fmt.Errorf("vulkan: Fastfood: G_%d = %v is not an odd integer multiple of 1/sqrt(174763)", k, v)
		}
		g[k] = float32(gi)
	}
	pi := unsafe.Slice((*int32)(unsafe.Pointer(&vals[dd+l])), l)
	for k := range pi {
		pi[k] = int32(f.Perm(k))
	}
	b, err := d.allocLocked(len(vals))
	if err != nil {
		return nil, fmt.Errorf("vulkan: Fastfood tables (d=%d, n=%d, L=%d): %w", dd, n, l, err)
	}
	d.uploadLocked(b, 0, vals)
	t := &ffTables{b: b, d: dd, n: n, l: l}
	if d.ff == nil {
		d.ff = make(map[*fwht.Fastfood]*ffTables)
	}
	d.ff[f] = t
	return t, nil
}

// Fastfood computes the projection f on the device: dst (n values) = P x
// for x of d values, or, when transpose, dst (d values) = P^T x for x of n
// values, with (d, n) = f.Dims(). The steps are package fwht's (signs,
// transform, G Pi, transform, crop, scale, or the reverse for P^T) with
// the same float32 operations in the same order, so the results are
// bit-identical to f.Apply and f.ApplyT.
//
// Unlike the CPU, which regenerates B, G and Pi, the device keeps them in
// a table built on the first call with f and kept until ReleaseFastfood(f)
// or Close: 4d + 8L bytes (at most 12 bytes per padded element). Each call
// also uses 2L values of temporary device memory.
func (d *Device) Fastfood(dst, x *autograd.Tensor, f *fwht.Fastfood, transpose bool) error {
	if f == nil {
		return fmt.Errorf("vulkan: Fastfood: nil projection")
	}
	dd, n, l := f.Dims()
	nIn, nOut, name := dd, n, "P x"
	if transpose {
		nIn, nOut, name = n, dd, "P^T y"
	}
	switch {
	case x.Len() != nIn:
		return fmt.Errorf("vulkan: Fastfood %s: input has %d values, want %d (d=%d, n=%d)", name, x.Len(), nIn, dd, n)
	case dst.Len() != nOut:
		return fmt.Errorf("vulkan: Fastfood %s: dst has %d values, want %d (d=%d, n=%d)", name, dst.Len(), nOut, dd, n)
	}
	for _, t := range []*autograd.Tensor{dst, x} {
		if t.Device() != autograd.Device(d) && autograd.Unwrap(t.Device()) != autograd.Device(d) {
			return fmt.Errorf("vulkan: Fastfood: tensor on device %s", t.Device().Name())
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return errClosed
	}
	tb, err := d.fastfoodTables(f)
	if err != nil {
		return err
	}
	scr, err := d.allocLocked(2 * l)
	if err != nil {
		return fmt.Errorf("vulkan: Fastfood scratch (L=%d): %w", l, err)
	}
	defer d.freeLocked(scr)
	s, t := scr.addr, scr.addr+uint64(l)*4
	sign := tb.b.addr
	g := sign + uint64(dd)*4
	pi := g + uint64(l)*4
	pad := func(dp, sp uint64, m, total int, signed bool, scale float32) {
		var p push
		us := 0
		if signed {
			us = 1
		}
		p.addr(dp).addr(sp).addr(sign).u32(m, total, us).f32(scale)
		d.elems("ff_pad", total, &p)
	}
	perm := func(dp, sp uint64, tr int) {
		var p push
		p.addr(dp).addr(sp).addr(g).addr(pi).u32(l, tr)
		d.elems("ff_perm", l, &p)
	}
	scale := float32(f.Scale())
	if !transpose {
		pad(s, addr(x), dd, l, true, 1) // s = B pad(x)
		d.fwhtLocked(s, l, l)
		perm(t, s, 0) // t = G Pi s
		d.fwhtLocked(t, l, l)
		pad(addr(dst), t, n, n, false, scale)
	} else {
		pad(t, addr(x), n, l, false, 1) // t = pad(y)
		d.fwhtLocked(t, l, l)
		perm(s, t, 1) // s = Pi^T G t
		d.fwhtLocked(s, l, l)
		pad(addr(dst), s, dd, dd, true, scale)
	}
	return nil
}

// ReleaseFastfood frees the device tables of f kept by Fastfood (Close
// frees them all).
func (d *Device) ReleaseFastfood(f *fwht.Fastfood) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if t := d.ff[f]; t != nil {
		d.freeLocked(t.b)
		delete(d.ff, f)
	}
}
