//go:build vulkan && cgo

package vulkan

import (
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/autograd"
)

// FuzzBinary compares broadcasting Binary on the device with the CPU device
// for fuzzed shapes: dims holds one byte per axis of dst (size 1 + b%4, the
// low bits of the next byte choosing whether a and b broadcast it); ranks
// up to 8.
func FuzzBinary(f *testing.F) {
	d := open(f)
	f.Add([]byte{3, 0, 2, 1, 1, 2}, uint8(0), uint64(1))
	f.Add([]byte{1, 3, 2, 3, 3, 0, 0, 1, 1, 2, 2, 3, 3, 0, 0, 1}, uint8(3), uint64(2))
	f.Fuzz(func(t *testing.T, dims []byte, op uint8, seed uint64) {
		nd := min(len(dims)/2, autograd.MaxDims)
		ds := make([]int, nd)
		as := make([]int, nd)
		bs := make([]int, nd)
		for i := 0; i < nd; i++ {
			ds[i] = 1 + int(dims[2*i]%4)
			as[i], bs[i] = ds[i], ds[i]
			if dims[2*i+1]&1 != 0 {
				as[i] = 1
			}
			if dims[2*i+1]&2 != 0 {
				bs[i] = 1
			}
		}
		// Drop leading axes of b (right alignment).
		drop := 0
		if nd > 0 {
			drop = int(seed % uint64(nd+1))
		}
		bs = bs[drop:]
		rng := rand.New(rand.NewPCG(seed, 3))
		a, b := randn(rng, numel(as)), randn(rng, numel(bs))
		bop := autograd.BinaryOp(op % 4)
		cpu, gpu := both(d, [][]float32{a, b}, [][]int{as, bs}, func(dev autograd.Device, in []*autograd.Tensor) []*autograd.Tensor {
			y := autograd.Empty(dev, ds...)
			dev.Binary(bop, y, in[0], in[1])
			return []*autograd.Tensor{y}
		})
		check(t, "fuzzed binary", cpu, gpu, 1e-14)
	})
}

// FuzzGemm compares the device's GEMM (both shaders) with the CPU device on
// fuzzed sizes, transposes, beta, padding and batches.
func FuzzGemm(f *testing.F) {
	d := open(f)
	f.Add(uint8(5), uint8(7), uint8(3), uint8(0), uint64(1))
	f.Add(uint8(65), uint8(1), uint8(17), uint8(0xff), uint64(2))
	f.Fuzz(func(t *testing.T, mb, nb, kb, flags uint8, seed uint64) {
		m, n, k := 1+int(mb%80), 1+int(nb%80), int(kb%80)
		ta, tb := flags&1 != 0, flags&2 != 0
		beta := float32(0)
		if flags&4 != 0 {
			beta = 0.5
		}
		batch := 1 + int(flags>>3)%3
		pad := int(flags>>5) % 3
		rowsA, colsA, rowsB, colsB := gemmOperands(m, n, k, ta, tb)
		lda, ldb, ldc := max(colsA, 1)+pad, max(colsB, 1)+pad, n+pad
		sA, sB, sC := rowsA*lda, rowsB*ldb, m*ldc
		rng := rand.New(rand.NewPCG(seed, 5))
		a, b, c := randn(rng, max(sA*batch, 1)), randn(rng, max(sB*batch, 1)), randn(rng, sC*batch)
		g := autograd.GemmArgs{TransA: ta, TransB: tb, M: m, N: n, K: k, Alpha: 1.25, Beta: beta,
			LdA: lda, LdB: ldb, LdC: ldc, StrideA: sA, StrideB: sB, StrideC: sC, Batch: batch}
		defer func(s string) { d.gemmShader = s }(d.gemmShader)
		for _, shader := range []string{"gemm", "gemm_direct"} {
			d.gemmShader = shader
			cpu, gpu := gemmBoth(d, g, a, b, c)
			check(t, shader, cpu, gpu, 1e-11)
		}
	})
}
