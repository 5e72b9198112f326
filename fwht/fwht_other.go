//go:build !gc || purego || !(amd64 || arm64)

package fwht

func simdKern32() *kern[float32] { return nil }

func scaleSIMD(x []float32, s float32) int { return 0 }

func simdKern64() *kern[float64] { return nil }
