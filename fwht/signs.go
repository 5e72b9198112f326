package fwht

import "unsafe"

// laneSigns holds, for lane distances s = 1, 2, 4, 8, sixteen lanes of +1
// where bit s of the lane index is clear and -1 where it is set: the signs
// of the in-vector butterfly y + x*sign (see the assembly). It is 64-byte
// aligned (align64), so that no 512-bit load of a row straddles two cache
// lines: the linker aligns a global array to at most 32 bytes, and with the
// table at 32 mod 64 every sign load of the AVX-512 base pass (64 per 256
// elements when they were memory operands) was a split load, 1.5x the
// whole 2^24 transform's time on Zen 5 depending on how the binary was laid
// out.
var laneSigns = align64(func() (s []float32) {
	s = make([]float32, 64)
	for k := 0; k < 4; k++ {
		for i := 0; i < 16; i++ {
			s[16*k+i] = 1
			if i>>k&1 == 1 {
				s[16*k+i] = -1
			}
		}
	}
	return
}())

// laneSigns64 is laneSigns for eight float64 lanes and s = 1, 2, 4.
var laneSigns64 = align64(func() (s []float64) {
	s = make([]float64, 24)
	for k := 0; k < 3; k++ {
		for i := 0; i < 8; i++ {
			s[8*k+i] = 1
			if i>>k&1 == 1 {
				s[8*k+i] = -1
			}
		}
	}
	return
}())

// align64 returns a copy of v that starts on a 64-byte boundary (heap
// objects do not move).
func align64[T float](v []T) []T {
	var z T
	sz := int(unsafe.Sizeof(z))
	buf := make([]T, len(v)+64/sz)
	off := int((64-uintptr(unsafe.Pointer(&buf[0]))&63)&63) / sz
	a := buf[off : off+len(v) : off+len(v)]
	copy(a, v)
	return a
}
