//go:build !unix

package transformer

func cpuSeconds() float64 { return 0 }
