package fwht

// laneSigns holds, for lane distances s = 1, 2, 4, 8, sixteen lanes of +1
// where bit s of the lane index is clear and -1 where it is set: the signs
// of the in-vector butterfly y + x*sign (see the assembly).
var laneSigns = func() (s [64]float32) {
	for k := 0; k < 4; k++ {
		for i := 0; i < 16; i++ {
			s[16*k+i] = 1
			if i>>k&1 == 1 {
				s[16*k+i] = -1
			}
		}
	}
	return
}()

// laneSigns64 is laneSigns for eight float64 lanes and s = 1, 2, 4.
var laneSigns64 = func() (s [24]float64) {
	for k := 0; k < 3; k++ {
		for i := 0; i < 8; i++ {
			s[8*k+i] = 1
			if i>>k&1 == 1 {
				s[8*k+i] = -1
			}
		}
	}
	return
}()
