// Package fwht computes the fast Walsh-Hadamard transform and the Fastfood
// random projection built on it.
//
// # The transform
//
// Transform overwrites x (length n = 2^k) with H_n x, where H_n is the
// unnormalised Sylvester-Hadamard matrix, H_1 = [1] and
// H_2m = [[H_m, H_m], [H_m, -H_m]], so that (H_n)_{ij} = (-1)^popcount(i&j).
// It computes, in place,
//
//	for h := 1; h < n; h *= 2 {
//		for i := 0; i < n; i += 2 * h {
//			for j := i; j < i+h; j++ {
//				x[j], x[j+h] = x[j]+x[j+h], x[j]-x[j+h]
//			}
//		}
//	}
//
// H_n H_n = n I, so applying Transform twice multiplies x by n. TransformOrtho
// scales the result by 1/sqrt(n), which makes the transform orthonormal and
// its own inverse.
//
// Every implementation performs the butterflies of level h before those of
// level 2h on every element, with the same additions and subtractions, so
// all implementations (generic, AVX2, AVX-512, NEON, parallel) return
// bit-identical results, and the float32 rounding error equals that of the
// loop above.
//
// Lengths must be powers of two (1 included). Any other length, 0 included,
// returns a *LengthError and leaves x untouched; nothing here panics on bad
// input.
//
// # Speed
//
// Large transforms are cache-blocked, depth first. A block of 2^12 float32
// (16 KiB, L1-resident) is transformed whole: with AVX-512 one pass does its
// first 8 levels in registers (16 vectors of 16 lanes: 4 levels inside the
// vectors by shuffles, 4 across them) and one radix-16 pass does the other
// 4; AVX2 does 6 levels in registers, NEON 5, then radix-8 passes. A longer
// array is cut into 8 parts that are transformed first and then joined by
// one radix-8 pass, which does three levels in one sweep; so each level of
// the memory hierarchy is crossed about once per three levels, not once per
// level. (Radix-16 is used only while the row stride is at most 2 KiB: 16
// rows at a larger power-of-two stride fall in one L1 set, which holds 12.)
// TransformParallel does the same on blocks in parallel, then the levels
// above a block by column strips. From 2^22 elements on (beyond half the
// L3) the data streams from DRAM twice, once for the blocks and once for
// the top radix-8 pass; there the AVX-512 kernels prefetch ahead (8 KiB in
// the first in-register pass, the whole next 16 KiB block in the radix-16
// pass that finishes a block, 2 KiB per row in the joins of blocks of 8 MiB
// and more), with the same arithmetic.
//
// # CPU dispatch
//
// The kernel is chosen on every call from internal/cpu: AVX-512 if
// cpu.HasAVX512, else AVX2 if cpu.HasAVX2 (amd64), NEON if cpu.HasNEON
// (arm64), else portable Go, for float32 and float64 alike (the float64
// kernels have half the lanes; their AVX-512 block does 7 levels in
// registers). Building with -tags purego or without the gc toolchain uses
// only the portable Go code. IDIM_DISABLE=avx512,avx2,neon switches paths
// off for a process (see internal/cpu).
//
// # Fastfood
//
// Fastfood is the structured random projection of Le, Sarlos and Smola as used
// by Aghajanyan et al. (2021) for intrinsic-dimension training; see its
// documentation for the exact formula, the scale and the memory it keeps.
package fwht

import (
	"fmt"
	"math"
)

// LengthError reports a length that is not a power of two (or a batch whose
// length is not a multiple of its row length).
type LengthError struct {
	Func string // the function that was called, e.g. "fwht.Transform"
	Len  int    // the offending length
	Row  int    // for batches: the row length; 0 otherwise
}

func (e *LengthError) Error() string {
	if e.Row > 0 {
		return fmt.Sprintf("%s: data length %d is not a multiple of row length %d", e.Func, e.Len, e.Row)
	}
	return fmt.Sprintf("%s: length %d is not a power of two", e.Func, e.Len)
}

func isPow2(n int) bool { return n > 0 && n&(n-1) == 0 }

// Transform overwrites x with H x, the unnormalised Walsh-Hadamard transform
// (see the package documentation for the loop). len(x) must be a power of
// two; otherwise x is left unchanged and a *LengthError is returned.
func Transform(x []float32) error {
	if !isPow2(len(x)) {
		return &LengthError{Func: "fwht.Transform", Len: len(x)}
	}
	transform32(x, kern32())
	return nil
}

// Transform64 is Transform for float64.
func Transform64(x []float64) error {
	if !isPow2(len(x)) {
		return &LengthError{Func: "fwht.Transform64", Len: len(x)}
	}
	transformAny(x, kern64())
	return nil
}

// TransformOrtho overwrites x with H x / sqrt(len(x)), the orthonormal
// Walsh-Hadamard transform, which is its own inverse.
func TransformOrtho(x []float32) error {
	if !isPow2(len(x)) {
		return &LengthError{Func: "fwht.TransformOrtho", Len: len(x)}
	}
	transform32(x, kern32())
	scale32(x, float32(1/math.Sqrt(float64(len(x)))))
	return nil
}

// TransformBatch transforms each row x[i*n:(i+1)*n] of x in place. n must be
// a power of two and len(x) a multiple of n (zero rows is a no-op).
func TransformBatch(x []float32, n int) error {
	if !isPow2(n) {
		return &LengthError{Func: "fwht.TransformBatch", Len: n}
	}
	if len(x)%n != 0 {
		return &LengthError{Func: "fwht.TransformBatch", Len: len(x), Row: n}
	}
	k := kern32()
	for i := 0; i < len(x); i += n {
		transform32(x[i:i+n], k)
	}
	return nil
}

// scale32 is
//
//	for i := range x {
//		x[i] *= s
//	}
func scale32(x []float32, s float32) {
	m := scaleSIMD(x, s)
	for i := m; i < len(x); i++ {
		x[i] *= s
	}
}

// kern64 is kern32 for float64.
func kern64() *kern[float64] {
	if k := simdKern64(); k != nil {
		return k
	}
	return &generic64
}

// kern32 picks the float32 kernels from the CPU flags, read on every call.
func kern32() *kern[float32] {
	if k := simdKern32(); k != nil {
		return k
	}
	return &generic32
}
