//go:build !amd64 || !gc || purego

package kernels

func geluForward(dst, x []float32)     { geluForwardGeneric(dst, x) }
func geluBackward(dx, x, dy []float32) { geluBackwardGeneric(dx, x, dy) }
