//go:build gc && !purego

package kernels

import "github.com/idim-go/idim/internal/cpu"

// adamAVX512 is adamGeneric on len(param)/16*16 elements.
//
//go:noescape
func adamAVX512(param, grad, m, v []float32, c *adamConsts, decoupled bool)

func adamSpan(param, grad, m, v []float32, c *adamConsts, decoupled bool) {
	if cpu.HasAVX512 && len(param) >= 16 {
		n := len(param) &^ 15
		adamAVX512(param[:n], grad[:n], m[:n], v[:n], c, decoupled)
		param, grad, m, v = param[n:], grad[n:], m[n:], v[n:]
	}
	adamGeneric(param, grad, m, v, c, decoupled)
}
