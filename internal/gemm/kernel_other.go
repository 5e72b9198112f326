//go:build !gc || purego || !(amd64 || arm64)

package gemm

// pickKernel returns the micro-kernel to use: only the Go one in this build.
func pickKernel() *kernel { return &kernGeneric }
