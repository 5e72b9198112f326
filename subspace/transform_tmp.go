package subspace

// transform overwrites x (length a power of two) with H x, unnormalised.
// TEMPORARY: replaced by fwht.Transform once package fwht is committed.
func transform(x []float32) {
	n := len(x)
	for h := 1; h < n; h <<= 1 {
		for i := 0; i < n; i += 2 * h {
			a, b := x[i:i+h], x[i+h:i+2*h]
			for j := range a {
				u, v := a[j], b[j]
				a[j], b[j] = u+v, u-v
			}
		}
	}
}
