package kernels

import "math"

// adamGeneric is the Adam loop. Every product is converted to float32
// explicitly, which keeps the compiler from fusing it into an FMA, so the
// result is the same on every architecture and equal bit for bit to the
// AVX-512 code.
func adamGeneric(param, grad, m, v []float32, c *adamConsts, decoupled bool) {
	grad = grad[:len(param)]
	m = m[:len(param)]
	v = v[:len(param)]
	for i, w := range param {
		g := float32(c.gs * grad[i])
		if !decoupled {
			g = g + float32(c.wd*w)
		}
		mi := float32(c.b1*m[i]) + float32(c.c1*g)
		vi := float32(c.b2*v[i]) + float32(float32(c.c2*g)*g)
		m[i], v[i] = mi, vi
		if decoupled {
			w = w - float32(c.lrwd*w)
		}
		den := float32(math.Sqrt(float64(float32(vi*c.rbc2)))) + c.eps
		param[i] = w - float32(c.step*mi)/den
	}
}
