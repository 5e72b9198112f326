package autograd

import "testing"

func TestSizeClass(t *testing.T) {
	prev := 0
	for n := 0; n < 1<<20; n += 1 + n/64 {
		c := sizeClass(n)
		if c < n || c < prev {
			t.Fatalf("sizeClass(%d) = %d (previous %d)", n, c, prev)
		}
		if n > 64 && float64(c) > 1.25*float64(n) {
			t.Fatalf("sizeClass(%d) = %d wastes more than 25%%", n, c)
		}
		if c%16 != 0 {
			t.Fatalf("sizeClass(%d) = %d is not a multiple of 16", n, c)
		}
		prev = c
	}
}

func TestPoolReuse(t *testing.T) {
	d := &CPUDevice{pool: map[int][]*hostBuffer{}}
	b1, _ := d.Alloc(1000)
	d.Free(b1)
	b2, _ := d.Alloc(990) // same class
	if b2 != b1 {
		t.Fatal("buffer of the same size class not reused")
	}
	b3, _ := d.Alloc(5000)
	if b3 == b1 || b3.Len() < 5000 {
		t.Fatal("wrong buffer for a larger size")
	}
	s := d.Stats()
	if s.Allocs != 3 || s.NewBuffers != 2 || s.Frees != 1 || s.CachedBytes != 0 {
		t.Fatalf("stats %+v", s)
	}
	d.Free(b2)
	d.Free(b3)
	d.Trim()
	if d.Stats().CachedBytes != 0 {
		t.Fatal("Trim kept buffers")
	}
}
