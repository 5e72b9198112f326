package fwht

import (
	"math/bits"

	"github.com/idim-go/idim/internal/cpu"
)

type float interface{ ~float32 | ~float64 }

// kern is one implementation of the building blocks the driver needs.
//
// base does levels 0..baseLg-1 (h = 1, 2, ..., 2^(baseLg-1)) on each chunk of
// 2^baseLg elements of x; len(x) is a multiple of 2^baseLg.
//
// rN does the log2(N) levels h, 2h, ... (in that order) on the N rows
// x[i*h : i*h+cols], i < N: element j of every row takes part in one
// N-point transform. h and cols are multiples of the vector width, cols <= h.
type kern[T float] struct {
	name       string
	baseLg     int // levels done by base; 2^baseLg <= 2^leafLg
	leafLg     int // blocks of 2^leafLg elements are transformed whole (in L1)
	base       func(x []T)
	r2, r4, r8 func(x []T, h, cols int)
	r16        func(x []T, h, cols int) // optional (nil: not used)
	r16MaxH    int                      // r16 only for h <= r16MaxH (16 rows at a larger power-of-two stride overflow the L1 ways)
	small      *kern[T]                 // for lengths below 2^baseLg (nil: the triple loop)

	// Optional variants for transforms too large for the caches (see
	// farMin), with the same arithmetic plus software prefetching: baseFar
	// for base (the first touch of the data), r8Far for the radix-8 passes
	// that join blocks of at least farJoin elements, r16Far for the radix-16
	// pass that finishes a leaf (called with cols = h, it prefetches the
	// next 16h elements: the next leaf, which the depth-first order visits
	// next). nil: base, r8 and r16.
	baseFar func(x []T)
	r8Far   func(x []T, h, cols int)
	r16Far  func(x []T, h, cols int)
}

// Transforms of at least farMin elements (16 MiB of float32, half the L3 of
// the machines measured) stream from DRAM and use the far kernels; among
// their radix-8 joins, those that make a block of at least farJoin elements
// (8 MiB, beyond L2) prefetch. Variables so that tests can lower them.
var (
	farMin  = 1 << 22
	farJoin = 1 << 21
)

// transformAny computes the transform of x (len a power of two) with k.
func transformAny[T float](x []T, k *kern[T]) {
	for len(x) < 1<<k.baseLg {
		if k.small == nil {
			smallLoop(x)
			return
		}
		k = k.small
	}
	rec(x, k, len(x) >= farMin)
}

func transform32(x []float32, k *kern[float32]) { transformAny(x, k) }

// rec transforms x depth first: a block that fits in L1 is transformed
// whole; a larger one is split into 8 (or 4, 2) parts that are transformed
// first, then joined by one radix-8 (4, 2) pass, which does three levels in
// one sweep over memory. far selects the far kernels (see farMin).
func rec[T float](x []T, k *kern[T], far bool) {
	n := len(x)
	if n <= 1<<k.leafLg {
		if far && k.baseFar != nil {
			k.baseFar(x)
		} else {
			k.base(x)
		}
		for h := 1 << k.baseLg; h < n; {
			switch r := n / h; {
			case r >= 16 && k.r16 != nil && h <= k.r16MaxH:
				if far && k.r16Far != nil && n == 16*h {
					k.r16Far(x, h, h)
				} else {
					passes(x, k.r16, 16, h)
				}
				h *= 16
			case r >= 8:
				passes(x, k.r8, 8, h)
				h *= 8
			case r == 4:
				passes(x, k.r4, 4, h)
				h *= 4
			default:
				passes(x, k.r2, 2, h)
				h *= 2
			}
		}
		return
	}
	levels := bits.Len(uint(n)) - 1 - k.leafLg
	r := 8
	if k.r16 != nil && levels >= 4 && n/16 <= k.r16MaxH {
		r = 16
	} else if levels < 3 {
		r = 1 << levels
	}
	c := n / r
	for i := 0; i < n; i += c {
		rec(x[i:i+c], k, far)
	}
	if far && r == 8 && n >= farJoin && k.r8Far != nil {
		k.r8Far(x, c, c)
		return
	}
	combine(x, k, r, c, c)
}

// combine does one radix-r pass at stride h over the first cols columns.
func combine[T float](x []T, k *kern[T], r, h, cols int) {
	switch r {
	case 16:
		k.r16(x, h, cols)
	case 8:
		k.r8(x, h, cols)
	case 4:
		k.r4(x, h, cols)
	default:
		k.r2(x, h, cols)
	}
}

// passes runs f on every group of r*h elements of x.
func passes[T float](x []T, f func(x []T, h, cols int), r, h int) {
	for g := 0; g < len(x); g += r * h {
		f(x[g:g+r*h], h, h)
	}
}

// smallLoop is the textbook triple loop, used below the base kernel's size.
func smallLoop[T float](x []T) {
	n := len(x)
	for h := 1; h < n; h *= 2 {
		for i := 0; i < n; i += 2 * h {
			for j := i; j < i+h; j++ {
				a, b := x[j], x[j+h]
				x[j], x[j+h] = a+b, a-b
			}
		}
	}
}

// Parallel transforms: the array is cut into nb blocks of c elements; each
// block is transformed by one worker (all levels below c), then the levels
// from c up are done by column strips of every block at once.

const parallelMin = 1 << 16 // below this, TransformParallel runs sequentially

type parTask[T float] struct {
	x     []T
	k     *kern[T]
	c, nb int // block length and count
	strip int // columns per strip in the second phase
	phase int
}

func (t *parTask[T]) Run(_, lo, hi int) {
	if t.phase == 0 {
		far := len(t.x) >= farMin
		for b := lo; b < hi; b++ {
			rec(t.x[b*t.c:(b+1)*t.c], t.k, far)
		}
		return
	}
	n := len(t.x)
	for s := lo; s < hi; s++ {
		j0 := s * t.strip
		for h := t.c; h < n; {
			r := 8
			if t.k.r16 != nil && n/h >= 16 && h <= t.k.r16MaxH {
				r = 16
			} else if n/h < 8 {
				r = n / h
			}
			// Columns j0.. of every block: at level h these are the
			// offsets m+j0 for m = 0, c, 2c, ... < h in each group.
			for g := 0; g < n; g += r * h {
				for m := 0; m < h; m += t.c {
					combine(t.x[g+m+j0:g+r*h], t.k, r, h, t.strip)
				}
			}
			h *= r
		}
	}
}

func transformParallel[T float](x []T, k *kern[T], threads int) {
	n := len(x)
	w := cpu.Workers()
	if threads > 0 && threads < w {
		w = threads
	}
	if n < parallelMin || w <= 1 {
		transformAny(x, k)
		return
	}
	nb := 64 // 6 levels across blocks: two radix-8 passes per strip
	c := n / nb
	strip := 256
	if c < strip {
		strip = c
	}
	t := &parTask[T]{x: x, k: k, c: c, nb: nb, strip: strip}
	cpu.Parallel(nb, 1, w, t)
	t.phase = 1
	cpu.Parallel(c/strip, 1, w, t)
}

// TransformParallel is Transform split over up to threads workers of
// internal/cpu's pool (threads <= 0: all of them). Lengths below 2^16 run
// sequentially. The result is bit-identical to Transform's.
func TransformParallel(x []float32, threads int) error {
	if !isPow2(len(x)) {
		return &LengthError{Func: "fwht.TransformParallel", Len: len(x)}
	}
	transformParallel(x, kern32(), threads)
	return nil
}
