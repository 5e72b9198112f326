package devicetest

import "github.com/idim-go/idim/autograd"

// reshape then multiply by a constant ramp, so that the gradient is not
// trivially 1 and a wrong element order shows.
var reshapeCase = Case{
	Name:     "reshape",
	Variants: [][]Spec{{sp(2, 3, 4)}, {sp(0, 6)}},
	F: func(in []*autograd.Tensor) *autograd.Tensor {
		r := autograd.Reshape(in[0], -1, 2)
		return autograd.Mul(r, autograd.MustFromSlice(in[0].Device(), []float32{1, -2}, 2))
	},
	Ref: func(in [][]float64, _ [][]int) []float64 {
		out := make([]float64, len(in[0]))
		for i, v := range in[0] {
			out[i] = v * []float64{1, -2}[i%2]
		}
		return out
	},
}

func permuteRef(perm []int) func(in [][]float64, shapes [][]int) []float64 {
	return func(in [][]float64, shapes [][]int) []float64 {
		s := shapes[0]
		os := make([]int, len(perm))
		for d, p := range perm {
			os[d] = s[p]
		}
		st := strides(s)
		out := make([]float64, len(in[0]))
		for i := range out {
			idx := unravel(i, os)
			k := 0
			for d, p := range perm {
				k += idx[d] * st[p]
			}
			out[i] = in[0][k]
		}
		return out
	}
}

var permuteCase = Case{
	Name:     "permute",
	Variants: [][]Spec{{sp(2, 3, 4, 5)}, {sp(1, 3, 1, 2)}, {sp(2, 0, 3, 1)}},
	F:        func(in []*autograd.Tensor) *autograd.Tensor { return autograd.Permute(in[0], 0, 2, 1, 3) },
	Ref:      permuteRef([]int{0, 2, 1, 3}),
}

var permute3Case = Case{
	Name:     "permute_cycle",
	Variants: [][]Spec{{sp(3, 4, 5)}, {sp(1, 7, 2)}},
	F:        func(in []*autograd.Tensor) *autograd.Tensor { return autograd.Permute(in[0], 2, 0, 1) },
	Ref:      permuteRef([]int{2, 0, 1}),
}

var transposeCase = Case{
	Name:     "transpose",
	Variants: [][]Spec{{sp(3, 4)}, {sp(2, 5, 3)}},
	F:        func(in []*autograd.Tensor) *autograd.Tensor { return autograd.Transpose(in[0], -1, -2) },
	Ref: func(in [][]float64, shapes [][]int) []float64 {
		n := len(shapes[0])
		perm := make([]int, n)
		for i := range perm {
			perm[i] = i
		}
		perm[n-1], perm[n-2] = n-2, n-1
		return permuteRef(perm)(in, shapes)
	},
}

// concatRef joins along axis.
func concatRef(axis int) func(in [][]float64, shapes [][]int) []float64 {
	return func(in [][]float64, shapes [][]int) []float64 {
		s0 := shapes[0]
		outer := numel(s0[:axis])
		inner := numel(s0[axis+1:])
		var out []float64
		for o := 0; o < outer; o++ {
			for t, x := range in {
				w := shapes[t][axis] * inner
				out = append(out, x[o*w:o*w+w]...)
			}
		}
		return out
	}
}

var concatCase = Case{
	Name: "concat",
	Variants: [][]Spec{
		{sp(2, 3, 4), sp(2, 1, 4), sp(2, 2, 4)},
		{sp(2, 0, 4), sp(2, 3, 4), sp(2, 1, 4)},
	},
	F:   func(in []*autograd.Tensor) *autograd.Tensor { return autograd.Concat(1, in...) },
	Ref: concatRef(1),
}

var concat0Case = Case{
	Name:     "concat_axis0",
	Variants: [][]Spec{{sp(2, 3), sp(1, 3)}, {sp(1), sp(4)}},
	F:        func(in []*autograd.Tensor) *autograd.Tensor { return autograd.Concat(0, in[0], in[1]) },
	Ref:      concatRef(0),
}

func sliceRef(axis, start, end int) func(in [][]float64, shapes [][]int) []float64 {
	return func(in [][]float64, shapes [][]int) []float64 {
		s := shapes[0]
		outer, inner := numel(s[:axis]), numel(s[axis+1:])
		var out []float64
		for o := 0; o < outer; o++ {
			base := o * s[axis] * inner
			out = append(out, in[0][base+start*inner:base+end*inner]...)
		}
		return out
	}
}

var sliceCase = Case{
	Name:     "slice",
	Variants: [][]Spec{{sp(2, 5, 3)}, {sp(1, 4, 2)}, {sp(0, 4, 2)}},
	F:        func(in []*autograd.Tensor) *autograd.Tensor { return autograd.Slice(in[0], 1, 1, 3) },
	Ref:      sliceRef(1, 1, 3),
}

// A slice along the leading axis is a view; a second op on it checks the
// view's offset.
var sliceViewCase = Case{
	Name:     "slice_view",
	Variants: [][]Spec{{sp(5, 3)}, {sp(3, 2, 2)}},
	F: func(in []*autograd.Tensor) *autograd.Tensor {
		return autograd.Scale(autograd.Slice(in[0], 0, 1, 3), 2)
	},
	Ref: func(in [][]float64, shapes [][]int) []float64 {
		out := sliceRef(0, 1, 3)(in, shapes)
		for i := range out {
			out[i] *= 2
		}
		return out
	},
}

// The pieces of a split are weighted differently and summed back, so every
// piece's gradient is checked.
var splitCase = Case{
	Name:     "split",
	Variants: [][]Spec{{sp(3, 6)}},
	F: func(in []*autograd.Tensor) *autograd.Tensor {
		p := autograd.Split(in[0], 1, 1, 2, 3)
		a := autograd.Concat(1, autograd.Scale(p[0], 3), p[1], autograd.Scale(p[2], -1))
		return a
	},
	Ref: func(in [][]float64, _ [][]int) []float64 {
		out := make([]float64, len(in[0]))
		for i, v := range in[0] {
			switch c := i % 6; {
			case c == 0:
				out[i] = 3 * v
			case c < 3:
				out[i] = v
			default:
				out[i] = -v
			}
		}
		return out
	},
}

// embedIDs are the ids used for a table of vocab rows (with repeats).
func embedIDs(vocab int) []int32 {
	ids := []int32{1, 0, 3, 1, 1, 2}
	for i := range ids {
		ids[i] %= int32(vocab)
	}
	return ids
}

var embeddingCase = Case{
	Name:     "embedding",
	Variants: [][]Spec{{sp(4, 3)}, {sp(5, 1)}, {sp(2, 0)}},
	F: func(in []*autograd.Tensor) *autograd.Tensor {
		return autograd.Embedding(in[0], embedIDs(in[0].Dim(0)))
	},
	Ref: func(in [][]float64, shapes [][]int) []float64 {
		dim := shapes[0][1]
		var out []float64
		for _, id := range embedIDs(shapes[0][0]) {
			out = append(out, in[0][int(id)*dim:int(id)*dim+dim]...)
		}
		return out
	},
}
