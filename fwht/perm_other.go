//go:build !amd64 || !gc || purego

package fwht

func (f *Fastfood) permRowSIMD(dst, src []float32, k, count int, h, r0 uint32, transpose bool) int {
	return 0
}

func gBlockSIMD(g []float32, z uint64) int { return 0 }
