//go:build !amd64 || !gc || purego

package kernels

func adamSpan(param, grad, m, v []float32, c *adamConsts, decoupled bool) {
	adamGeneric(param, grad, m, v, c, decoupled)
}
