package fwht

// Portable kernels, always built; they define the results every other
// implementation must reproduce bit for bit.

var generic32 = kern[float32]{
	name: "generic", baseLg: 3, leafLg: 13,
	base: base8Generic[float32],
	r2:   r2Generic[float32], r4: r4Generic[float32], r8: r8Generic[float32],
}

var generic64 = kern[float64]{
	name: "generic", baseLg: 3, leafLg: 12,
	base: base8Generic[float64],
	r2:   r2Generic[float64], r4: r4Generic[float64], r8: r8Generic[float64],
}

// base8Generic does levels h = 1, 2, 4 on every chunk of 8.
func base8Generic[T float](x []T) {
	for i := 0; i+8 <= len(x); i += 8 {
		v := (*[8]T)(x[i : i+8])
		a0, a1 := v[0]+v[1], v[0]-v[1]
		a2, a3 := v[2]+v[3], v[2]-v[3]
		a4, a5 := v[4]+v[5], v[4]-v[5]
		a6, a7 := v[6]+v[7], v[6]-v[7]
		b0, b2 := a0+a2, a0-a2
		b1, b3 := a1+a3, a1-a3
		b4, b6 := a4+a6, a4-a6
		b5, b7 := a5+a7, a5-a7
		v[0], v[4] = b0+b4, b0-b4
		v[1], v[5] = b1+b5, b1-b5
		v[2], v[6] = b2+b6, b2-b6
		v[3], v[7] = b3+b7, b3-b7
	}
}

func r2Generic[T float](x []T, h, cols int) {
	x0, x1 := x[:cols], x[h:h+cols]
	for j := range x0 {
		a, b := x0[j], x1[j]
		x0[j], x1[j] = a+b, a-b
	}
}

func r4Generic[T float](x []T, h, cols int) {
	x0, x1, x2, x3 := x[:cols], x[h:h+cols], x[2*h:2*h+cols], x[3*h:3*h+cols]
	for j := range x0 {
		a0, a1 := x0[j]+x1[j], x0[j]-x1[j]
		a2, a3 := x2[j]+x3[j], x2[j]-x3[j]
		x0[j], x2[j] = a0+a2, a0-a2
		x1[j], x3[j] = a1+a3, a1-a3
	}
}

func r8Generic[T float](x []T, h, cols int) {
	x0, x1, x2, x3 := x[:cols], x[h:h+cols], x[2*h:2*h+cols], x[3*h:3*h+cols]
	x4, x5, x6, x7 := x[4*h:4*h+cols], x[5*h:5*h+cols], x[6*h:6*h+cols], x[7*h:7*h+cols]
	for j := range x0 {
		a0, a1 := x0[j]+x1[j], x0[j]-x1[j]
		a2, a3 := x2[j]+x3[j], x2[j]-x3[j]
		a4, a5 := x4[j]+x5[j], x4[j]-x5[j]
		a6, a7 := x6[j]+x7[j], x6[j]-x7[j]
		b0, b2 := a0+a2, a0-a2
		b1, b3 := a1+a3, a1-a3
		b4, b6 := a4+a6, a4-a6
		b5, b7 := a5+a7, a5-a7
		x0[j], x4[j] = b0+b4, b0-b4
		x1[j], x5[j] = b1+b5, b1-b5
		x2[j], x6[j] = b2+b6, b2-b6
		x3[j], x7[j] = b3+b7, b3-b7
	}
}
