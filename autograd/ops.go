package autograd

import (
	"errors"
	"fmt"
	"strconv"
)

// OpError is the panic value of an op called with operands it cannot take
// (shapes that do not match, tensors on different devices, indices out of
// range). Catch turns it into an error.
type OpError struct {
	Op  string // the op, e.g. "MatMul"
	Msg string // what was wrong, naming the shapes
}

func (e *OpError) Error() string { return "autograd: " + e.Op + ": " + e.Msg }

// dims formats a shape or index list like fmt's %v ("[2 3]") without making
// the slice escape to the heap, so that ops stay allocation-free.
func dims(s []int) string {
	b := make([]byte, 0, 2+4*len(s))
	b = append(b, '[')
	for i, d := range s {
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendInt(b, int64(d), 10)
	}
	return string(append(b, ']'))
}

func opPanic(op, format string, args ...any) {
	panic(&OpError{Op: op, Msg: fmt.Sprintf(format, args...)})
}

// Catch runs f and returns the *OpError that an op in f panicked with, or
// nil. Other panics pass through. Model code that takes shapes from user
// input (a config file) wraps its first forward pass in Catch.
func Catch(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			var oe *OpError
			if e, ok := r.(error); ok && errors.As(e, &oe) {
				err = oe
				return
			}
			panic(r)
		}
	}()
	f()
	return nil
}

// sameDevice panics unless every non-nil tensor is on the device of the first
// and none has been released.
func sameDevice(op string, ts ...*Tensor) Device {
	var d Device
	for _, t := range ts {
		if t == nil {
			continue
		}
		if t.released {
			opPanic(op, "operand is a released tensor")
		}
		if d == nil {
			d = t.dev
		} else if t.dev != d {
			opPanic(op, "operands on devices %s and %s", d.Name(), t.dev.Name())
		}
	}
	return d
}

// broadcastShape returns the shape a op b broadcasts to (NumPy rules), or
// panics naming both shapes.
func broadcastShape(op string, a, b []int) (out [MaxDims]int, n int) {
	n = max(len(a), len(b))
	for i := 0; i < n; i++ {
		da, db := 1, 1
		if j := i - (n - len(a)); j >= 0 {
			da = a[j]
		}
		if j := i - (n - len(b)); j >= 0 {
			db = b[j]
		}
		switch {
		case da == db, db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			opPanic(op, "shapes %s and %s do not broadcast", dims(a), dims(b))
		}
	}
	return
}

// addGrad adds alpha*g, summed down to x's shape where x was broadcast, to
// x's gradient. g keeps belonging to the caller.
func addGrad(x, g *Tensor, alpha float32) {
	if !wants(x) {
		return
	}
	dev := g.dev
	if x.size == g.size {
		if x.grad == nil {
			x.grad = newTensor(dev, x.Shape())
			if x.size > 0 {
				dev.Scale(alpha, x.grad, g)
			}
			return
		}
		if x.size > 0 {
			dev.Axpy(alpha, g, x.grad)
		}
		return
	}
	dst, beta := gradTarget(x)
	sumTo(dst, g, alpha, beta)
}

// sumTo computes dst = alpha*(src summed over the dimensions in which dst,
// right-aligned, has size 1 or is missing) + beta*dst.
func sumTo(dst, src *Tensor, alpha, beta float32) {
	dev := src.dev
	if dst.size == 0 {
		return
	}
	if src.size == 0 {
		if beta == 0 {
			dev.Fill(dst, 0)
		} else if beta != 1 {
			dev.Scale(beta, dst, dst)
		}
		return
	}
	ss := src.Shape()
	ds := dst.Shape()
	// Groups of consecutive source dims: reduced or kept.
	var sizes [MaxDims]int
	var red [MaxDims]bool
	ng := 0
	for i, d := range ss {
		if d == 1 {
			continue
		}
		j := i - (len(ss) - len(ds))
		r := j < 0 || ds[j] == 1
		if ng > 0 && red[ng-1] == r {
			sizes[ng-1] *= d
			continue
		}
		sizes[ng], red[ng] = d, r
		ng++
	}
	cur := src
	for {
		// First reduced group.
		g := -1
		nred := 0
		for i := 0; i < ng; i++ {
			if red[i] {
				if g < 0 {
					g = i
				}
				nred++
			}
		}
		if g < 0 {
			// Nothing to reduce (only size-1 differences).
			if beta == 0 {
				dev.Scale(alpha, dst, cur)
			} else {
				if beta != 1 {
					dev.Scale(beta, dst, dst)
				}
				dev.Axpy(alpha, cur, dst)
			}
			break
		}
		outer, inner := 1, 1
		for i := 0; i < g; i++ {
			outer *= sizes[i]
		}
		for i := g + 1; i < ng; i++ {
			inner *= sizes[i]
		}
		if nred == 1 {
			dev.ReduceSum(dst, cur, outer, sizes[g], inner, alpha, beta)
			break
		}
		next := newTensor(dev, []int{outer * inner})
		dev.ReduceSum(next, cur, outer, sizes[g], inner, 1, 0)
		if cur != src {
			cur.free()
		}
		cur = next
		copy(sizes[g:], sizes[g+1:ng])
		copy(red[g:], red[g+1:ng])
		ng--
		// Merge the kept neighbours that are now adjacent.
		if g > 0 && g < ng && red[g-1] == red[g] {
			sizes[g-1] *= sizes[g]
			copy(sizes[g:], sizes[g+1:ng])
			copy(red[g:], red[g+1:ng])
			ng--
		}
	}
	if cur != src {
		cur.free()
	}
}
