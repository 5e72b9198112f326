//go:build gc && !purego

package fwht

import "github.com/idim-go/idim/internal/cpu"

//go:noescape
func permGatherAVX512(dst, src *float32, gz uint64, t1, t2 *uint32, lo, count, h, r0, lb int)

//go:noescape
func permScatterAVX512(dst, src *float32, gz uint64, t1, t2 *uint32, lo, count, h, r0, lb int)

// permRowSIMD does the first count&^15 elements of one row segment of
// permuteRange (k = h<<lb | lo, ...) and returns how many it did; k must be
// a multiple of 16.
func (f *Fastfood) permRowSIMD(dst, src []float32, k, count int, h, r0 uint32, transpose bool) int {
	c := count &^ 15
	if !cpu.HasAVX512 || c == 0 || k%16 != 0 {
		return 0
	}
	_ = dst[f.l-1]
	_ = src[f.l-1]
	lo := k & int(f.mb)
	if transpose {
		permScatterAVX512(&dst[0], &src[k], f.gz0+uint64(k)*golden, &f.rt[1][0], &f.rt[2][0], lo, c, int(h), int(r0), int(f.lb))
	} else {
		permGatherAVX512(&dst[k], &src[0], f.gz0+uint64(k)*golden, &f.rt[1][0], &f.rt[2][0], lo, c, int(h), int(r0), int(f.lb))
	}
	return c
}
