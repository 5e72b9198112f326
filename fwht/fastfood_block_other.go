//go:build !amd64 || !gc || purego

package fwht

func (f *FastfoodBlock) gatherSIMD(out, v, gt []float32, i int, sw []uint64) bool { return false }

func (f *FastfoodBlock) gatherTSIMD(acc, buf, gt []float32, i int, sw []uint64) bool { return false }
