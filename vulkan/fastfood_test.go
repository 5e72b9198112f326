//go:build vulkan && cgo

package vulkan

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/autograd"
	"github.com/idim-go/idim/fwht"
)

// TestFastfood compares the device's P x and P^T y with package fwht's
// Apply and ApplyT bit for bit (same float32 operations in the same order),
// for d > n, d < n, n = 1, d = 1, powers of two and not, and checks the
// adjoint identity <P x, y> = <x, P^T y> on the device's results in float64.
func TestFastfood(t *testing.T) {
	d := open(t)
	rng := rand.New(rand.NewPCG(5, 6))
	sizes := [][2]int{{1, 1}, {1, 5}, {5, 1}, {3, 7}, {8, 8}, {100, 37}, {37, 100}, {1000, 1}, {1, 1000},
		{4096, 4096}, {5000, 300}, {300, 5000}, {1 << 13, 1 << 13}, {20000, 777}}
	if !testing.Short() {
		sizes = append(sizes, [2]int{1 << 17, 1000}, [2]int{70000, 1 << 16})
	}
	for si, sz := range sizes {
		dd, n := sz[0], sz[1]
		f, err := fwht.NewFastfood(uint64(si+1), "vk-test", dd, n)
		if err != nil {
			t.Fatal(err)
		}
		scratch := make([]float32, f.ScratchLen())
		x := make([]float32, dd)
		y := make([]float32, n)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		for i := range y {
			y[i] = float32(rng.NormFloat64())
		}
		if dd > 1 {
			x[0] = float32(math.Copysign(0, -1)) // sign flips of signed zeros must match too
		}
		want := make([]float32, n)
		wantT := make([]float32, dd)
		if err := f.Apply(want, x, scratch); err != nil {
			t.Fatal(err)
		}
		if err := f.ApplyT(wantT, y, scratch); err != nil {
			t.Fatal(err)
		}
		tx := autograd.MustFromSlice(d, x, dd)
		ty := autograd.MustFromSlice(d, y, n)
		px := autograd.MustFromSlice(d, make([]float32, n), n)
		pty := autograd.MustFromSlice(d, make([]float32, dd), dd)
		// Twice: the second call reuses the cached tables.
		for range 2 {
			if err := d.Fastfood(px, tx, f, false); err != nil {
				t.Fatal(err)
			}
			if err := d.Fastfood(pty, ty, f, true); err != nil {
				t.Fatal(err)
			}
		}
		got, gotT := px.Data(), pty.Data()
		for _, tt := range []*autograd.Tensor{tx, ty, px, pty} {
			tt.Release()
		}
		d.ReleaseFastfood(f)
		same := func(dir string, got, want []float32) {
			t.Helper()
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("d=%d n=%d %s: [%d] = %v, CPU %v", dd, n, dir, i, got[i], want[i])
				}
			}
		}
		same("P x", got, want)
		same("P^T y", gotT, wantT)
		var a, b, na, nb float64
		for i := range got {
			a += float64(got[i]) * float64(y[i])
			na += float64(got[i]) * float64(got[i])
		}
		for i := range gotT {
			b += float64(x[i]) * float64(gotT[i])
			nb += float64(gotT[i]) * float64(gotT[i])
		}
		var nx, ny float64
		for _, v := range x {
			nx += float64(v) * float64(v)
		}
		for _, v := range y {
			ny += float64(v) * float64(v)
		}
		// float32 rounding through two transforms of length L: a relative
		// error of a few 1e-7 sqrt(log L) per entry, against |x||y|.
		if tol := 1e-5 * math.Sqrt(nx*ny); math.Abs(a-b) > tol {
			t.Errorf("d=%d n=%d: <P x, y> = %v, <x, P^T y> = %v (tolerance %v)", dd, n, a, b, tol)
		}
		if na == 0 || nb == 0 {
			t.Errorf("d=%d n=%d: zero result (|P x|^2 = %v, |P^T y|^2 = %v)", dd, n, na, nb)
		}
	}
}

// TestFastfoodDense checks the device's P against the dense matrix built
// from fwht's accessors (Sign, Perm, G, Scale) in float64, independently of
// fwht.Apply: NMSE <= 1e-12 is not reachable in float32, so the bound is
// float32 rounding through two transforms.
func TestFastfoodDense(t *testing.T) {
	d := open(t)
	dd, n := 11, 6
	f, err := fwht.NewFastfood(9, "dense", dd, n)
	if err != nil {
		t.Fatal(err)
	}
	defer d.ReleaseFastfood(f)
	_, _, l := f.Dims()
	g := f.G()
	scale := f.Scale() * math.Sqrt(174763) // the kernels use G sqrt(174763)
	had := func(i, j int) float64 {
		// (-1)^popcount(i & j)
		c := 0
		for v := i & j; v != 0; v &= v - 1 {
			c++
		}
		return float64(1 - 2*(c&1))
	}
	p := make([]float64, n*dd)
	for r := range n {
		for c := range dd {
			var s float64
			for k := range l {
				s += had(r, k) * float64(g[k]) * had(f.Perm(k), c)
			}
			p[r*dd+c] = s * float64(f.Sign(c)) * scale
		}
	}
	x := make([]float32, dd)
	for i := range x {
		x[i] = float32(i) - 4.5
	}
	tx := autograd.MustFromSlice(d, x, dd)
	px := autograd.MustFromSlice(d, make([]float32, n), n)
	defer tx.Release()
	defer px.Release()
	if err := d.Fastfood(px, tx, f, false); err != nil {
		t.Fatal(err)
	}
	got := px.Data()
	var num, den float64
	for r := range n {
		var w float64
		for c := range dd {
			w += p[r*dd+c] * float64(x[c])
		}
		num += (float64(got[r]) - w) * (float64(got[r]) - w)
		den += w * w
	}
	if nmse := num / den; !(nmse <= 1e-11) {
		t.Errorf("P x vs dense P: NMSE %v", nmse)
	}
	// Bad shapes are errors.
	if d.Fastfood(tx, tx, f, false) == nil || d.Fastfood(px, px, f, true) == nil {
		t.Error("Fastfood accepted tensors of the wrong lengths")
	}
}
