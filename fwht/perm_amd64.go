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

//go:noescape
func gBlockAVX2(dst *float32, z uint64, n int)

// gBlockSIMD sets g[i] = gOf(z + i golden) for the first len(g)&^7
// elements and returns how many it did (0 without AVX2).
func gBlockSIMD(g []float32, z uint64) int {
	c := len(g) &^ 7
	if !cpu.HasAVX2 || c == 0 {
		return 0
	}
	gBlockAVX2(&g[0], z, c)
	return c
}
