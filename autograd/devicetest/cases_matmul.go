package devicetest

import "github.com/idim-go/idim/autograd"

// mmDims describes one matmul variant: batch dims of a and b, and m, k, n.
type mmDims struct {
	ba, bb  []int
	m, k, n int
}

var mmVariants = append([]mmDims{
	{nil, nil, 3, 4, 5},
	{[]int{2}, []int{2}, 3, 4, 5},
	{nil, []int{3}, 2, 4, 3},
	{[]int{3}, nil, 2, 4, 3},
	{[]int{2, 2}, []int{2, 2}, 3, 5, 2},
	{nil, nil, 1, 1, 1},
	{nil, nil, 0, 4, 5},
	{nil, nil, 3, 0, 2},
	{[]int{2}, []int{2}, 17, 33, 9},
}, randomMatmul(9, 6)...)

func mmShape(batch []int, rows, cols int, trans bool) []int {
	s := append([]int(nil), batch...)
	if trans {
		return append(s, cols, rows)
	}
	return append(s, rows, cols)
}

func matmulCase(name string, transA, transB bool) Case {
	var vs [][]Spec
	for _, d := range mmVariants {
		vs = append(vs, []Spec{
			sp(mmShape(d.ba, d.m, d.k, transA)...),
			sp(mmShape(d.bb, d.k, d.n, transB)...),
		})
	}
	return Case{
		Name:     name,
		Variants: vs,
		F: func(in []*autograd.Tensor) *autograd.Tensor {
			return autograd.MatMul(in[0], in[1], transA, transB)
		},
		Ref: func(in [][]float64, shapes [][]int) []float64 {
			sa, sb := shapes[0], shapes[1]
			m, k := sa[len(sa)-2], sa[len(sa)-1]
			if transA {
				m, k = k, m
			}
			n := sb[len(sb)-1]
			if transB {
				n = sb[len(sb)-2]
			}
			batchA, batchB := numel(sa[:len(sa)-2]), numel(sb[:len(sb)-2])
			batch := max(batchA, batchB)
			if len(sa) > 2 && len(sb) > 2 {
				batch = batchA
			}
			out := make([]float64, batch*m*n)
			for p := 0; p < batch; p++ {
				oa, ob := 0, 0
				if len(sa) > 2 {
					oa = p * m * k
				}
				if len(sb) > 2 {
					ob = p * k * n
				}
				for i := 0; i < m; i++ {
					for j := 0; j < n; j++ {
						var s float64
						for q := 0; q < k; q++ {
							av := in[0][oa+i*k+q]
							if transA {
								av = in[0][oa+q*m+i]
							}
							bv := in[1][ob+q*n+j]
							if transB {
								bv = in[1][ob+j*k+q]
							}
							s += av * bv
						}
						out[p*m*n+i*n+j] = s
					}
				}
			}
			return out
		},
		NMSE: 1e-9, GradNMSE: 1e-9,
	}
}

var (
	matmulNNCase = matmulCase("matmul", false, false)
	matmulTNCase = matmulCase("matmul_ta", true, false)
	matmulNTCase = matmulCase("matmul_tb", false, true)
	matmulTTCase = matmulCase("matmul_tatb", true, true)
)

var linearCase = Case{
	Name: "linear",
	Variants: [][]Spec{
		{sp(3, 4), sp(5, 4), sp(5)},
		{sp(2, 3, 4), sp(6, 4), sp(6)},
		{sp(1, 1), sp(1, 1), sp(1)},
		{sp(0, 4), sp(3, 4), sp(3)},
		{sp(37, 20), sp(19, 20), sp(19)},
	},
	F: func(in []*autograd.Tensor) *autograd.Tensor { return autograd.Linear(in[0], in[1], in[2]) },
	Ref: func(in [][]float64, shapes [][]int) []float64 {
		x, w, b := in[0], in[1], in[2]
		out, nin := shapes[1][0], shapes[1][1]
		rows := numel(shapes[0]) / nin
		y := make([]float64, rows*out)
		for r := 0; r < rows; r++ {
			for o := 0; o < out; o++ {
				s := b[o]
				for i := 0; i < nin; i++ {
					s += x[r*nin+i] * w[o*nin+i]
				}
				y[r*out+o] = s
			}
		}
		return y
	},
	NMSE: 1e-9, GradNMSE: 1e-9,
}

var linearNoBiasCase = Case{
	Name:     "linear_nobias",
	Variants: [][]Spec{{sp(3, 4), sp(5, 4)}, {sp(2, 2, 3), sp(1, 3)}},
	F:        func(in []*autograd.Tensor) *autograd.Tensor { return autograd.Linear(in[0], in[1], nil) },
	Ref: func(in [][]float64, shapes [][]int) []float64 {
		b := make([]float64, shapes[1][0])
		return linearCase.Ref([][]float64{in[0], in[1], b}, [][]int{shapes[0], shapes[1], {shapes[1][0]}})
	},
	NMSE: 1e-9, GradNMSE: 1e-9,
}
