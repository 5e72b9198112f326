//go:build gc && !purego

package fwht

func simdKern32() *kern[float32] { return nil }
