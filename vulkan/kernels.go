//go:build vulkan && cgo

package vulkan

import (
	"fmt"
	"math"

	"github.com/idim-go/idim/autograd"
)

// Fill sets dst to v (vkCmdFillBuffer with v's bits).
func (d *Device) Fill(dst *autograd.Tensor, v float32) {
	if dst.Len() == 0 {
		return
	}
	b := dst.Buffer().(*buffer)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.fillLocked(b, b.off+uint64(dst.Offset())*4, uint64(dst.Len())*4, math.Float32bits(v))
}

// Gemm runs the batch of products (shaders/gemm.comp).
func (d *Device) Gemm(g autograd.GemmArgs) {
	if g.M == 0 || g.N == 0 || g.Batch == 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	flags := 0
	if g.TransA {
		flags |= 1
	}
	if g.TransB {
		flags |= 2
	}
	if g.Beta != 0 {
		flags |= 4
	}
	a, b, c := addr(g.A), addr(g.B), addr(g.C)
	// K in parts of at most loopCap (see Device.loopCap), each after the
	// first adding to C.
	for k0 := 0; k0 < g.K || k0 == 0; k0 += d.loopCap {
		kn := min(g.K-k0, d.loopCap)
		ak, bk := k0, k0*g.LdB
		if g.TransA {
			ak = k0 * g.LdA
		}
		if g.TransB {
			bk = k0
		}
		beta, fl := g.Beta, flags
		if k0 > 0 {
			beta, fl = 1, flags|4
		}
		for z := 0; z < g.Batch; z += 65535 {
			nb := min(g.Batch-z, 65535)
			var p push
			p.addr(a + uint64(z*g.StrideA+ak)*4).addr(b + uint64(z*g.StrideB+bk)*4).addr(c + uint64(z*g.StrideC)*4)
			p.u32(g.M, g.N, kn, g.LdA, g.LdB, g.LdC, g.StrideA, g.StrideB, g.StrideC, fl).f32(g.Alpha, beta)
			d.dispatch(d.gemmShader, (g.N+63)/64, (g.M+63)/64, nb, &p)
		}
	}
}

// broadcast merges dst's shape with a's and b's (right-aligned, NumPy
// rules) into at most len(dst) dimensions with per-operand strides (0 on
// broadcast axes).
func broadcast(ds, as, bs []int) (dims, sa, sb []int) {
	n := len(ds)
	ad := make([]int, n)
	bd := make([]int, n)
	for i := range ds {
		ad[i], bd[i] = 1, 1
		if j := i - (n - len(as)); j >= 0 {
			ad[i] = as[j]
		}
		if j := i - (n - len(bs)); j >= 0 {
			bd[i] = bs[j]
		}
	}
	ast := make([]int, n)
	bst := make([]int, n)
	ka, kb := 1, 1
	for i := n - 1; i >= 0; i-- {
		if ad[i] != 1 {
			ast[i] = ka
		}
		if bd[i] != 1 {
			bst[i] = kb
		}
		ka *= ad[i]
		kb *= bd[i]
	}
	for i := 0; i < n; i++ {
		if ds[i] == 1 {
			continue
		}
		if k := len(dims) - 1; k >= 0 && sa[k] == ast[i]*ds[i] && sb[k] == bst[i]*ds[i] {
			dims[k] *= ds[i]
			sa[k], sb[k] = ast[i], bst[i]
			continue
		}
		dims = append(dims, ds[i])
		sa = append(sa, ast[i])
		sb = append(sb, bst[i])
	}
	if len(dims) == 0 {
		dims, sa, sb = []int{1}, []int{0}, []int{0}
	}
	return dims, sa, sb
}

// Binary computes dst = a op b with broadcasting (shaders/binary.comp; more
// than 6 merged dimensions are split into several dispatches).
func (d *Device) Binary(op autograd.BinaryOp, dst, a, b *autograd.Tensor) {
	n := dst.Len()
	if n == 0 {
		return
	}
	dims, sa, sb := broadcast(dst.Shape(), a.Shape(), b.Shape())
	d.mu.Lock()
	defer d.mu.Unlock()
	d.binaryLocked(int(op), addr(dst), addr(a), addr(b), dims, sa, sb)
}

func (d *Device) binaryLocked(op int, dp, ap, bp uint64, dims, sa, sb []int) {
	if len(dims) > 6 {
		inner := 1
		for _, v := range dims[1:] {
			inner *= v
		}
		for i := 0; i < dims[0]; i++ {
			d.binaryLocked(op, dp+uint64(i*inner)*4, ap+uint64(i*sa[0])*4, bp+uint64(i*sb[0])*4, dims[1:], sa[1:], sb[1:])
		}
		return
	}
	n := 1
	for _, v := range dims {
		n *= v
	}
	var p push
	p.addr(dp).addr(ap).addr(bp).u32(n, op, len(dims), 0)
	var du, su, tu [6]int
	copy(du[:], dims)
	copy(su[:], sa)
	copy(tu[:], sb)
	p.u32(du[:]...).u32(su[:]...).u32(tu[:]...)
	d.elems("binary", n, &p)
}

// Unary computes dst = op(x).
func (d *Device) Unary(op autograd.UnaryOp, dst, x *autograd.Tensor) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var p push
	p.addr(addr(dst)).addr(addr(x)).u32(dst.Len(), int(op))
	d.elems("unary", dst.Len(), &p)
}

// UnaryBackward computes dx = dy*op'(x).
func (d *Device) UnaryBackward(op autograd.UnaryOp, dx, x, y, dy *autograd.Tensor) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var p push
	p.addr(addr(dx)).addr(addr(x)).addr(addr(y)).addr(addr(dy)).u32(dx.Len(), int(op))
	d.elems("unary_backward", dx.Len(), &p)
}

// Axpy computes y += alpha*x.
func (d *Device) Axpy(alpha float32, x, y *autograd.Tensor) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var p push
	p.addr(addr(x)).addr(addr(y)).u32(y.Len()).f32(alpha)
	d.elems("axpy", y.Len(), &p)
}

// Scale computes dst = alpha*x.
func (d *Device) Scale(alpha float32, dst, x *autograd.Tensor) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var p push
	p.addr(addr(dst)).addr(addr(x)).u32(dst.Len()).f32(alpha)
	d.elems("scale", dst.Len(), &p)
}

// ReduceSum sums the middle axis of src viewed as [outer, n, inner].
func (d *Device) ReduceSum(dst, src *autograd.Tensor, outer, n, inner int, alpha, beta float32) {
	if outer*inner == 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if inner == 1 {
		d.rowSums(addr(dst), addr(src), outer, n, alpha, beta, false)
		return
	}
	for j0 := 0; j0 < n || j0 == 0; j0 += d.loopCap {
		var p push
		p.addr(addr(dst)).addr(addr(src)).u32(outer, n, inner, j0, min(n, j0+d.loopCap)).f32(alpha, beta)
		d.elems("reduce_cols", outer*inner, &p)
		beta = 1
	}
}

// partChunk is the row length above which rowSums sums in two stages.
const partChunk = 1 << 16

// rowSums computes dst[o] = alpha*sum_j f(src[o*n+j]) + beta*dst[o] (f the
// identity or the square): one workgroup per row, or, for rows longer than
// partChunk, partial sums of chunks first (partial_sums.comp), which bounds
// the loop of each invocation and spreads a long row over many workgroups.
func (d *Device) rowSums(dst, src uint64, outer, n int, alpha, beta float32, square bool) {
	if n <= partChunk {
		name := "reduce_rows"
		if square {
			if outer != 1 || alpha != 1 || (beta != 0 && beta != 1) {
				panic("vulkan: rowSums of squares is for one row")
			}
			var p push
			p.addr(dst).addr(src).u32(n, int(beta))
			d.dispatch("sum_squares", 1, 1, 1, &p)
			return
		}
		var p push
		p.addr(dst).addr(src).u32(outer, n).f32(alpha, beta)
		d.rows(name, outer, &p)
		return
	}
	chunks := (n + partChunk - 1) / partChunk
	part, err := d.allocLocked(outer * chunks)
	if err != nil {
		panic(err)
	}
	for o := 0; o < outer; o += 65535 {
		no := min(outer-o, 65535)
		var p push
		p.addr(part.addr+uint64(o*chunks)*4).addr(src+uint64(o*n)*4).u32(n, partChunk, chunks, b2i(square))
		d.dispatch("partial_sums", chunks, no, 1, &p)
	}
	d.rowSums(dst, part.addr, outer, chunks, alpha, beta, false)
	d.freeLocked(part)
}

// SumSquares computes (or adds) sum x^2 into dst[0].
func (d *Device) SumSquares(dst, x *autograd.Tensor, accumulate bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	beta := float32(0)
	if accumulate {
		beta = 1
	}
	d.rowSums(addr(dst), addr(x), 1, x.Len(), 1, beta, true)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Softmax computes softmax or log-softmax over rows.
func (d *Device) Softmax(dst, x *autograd.Tensor, rows, n int, log bool) {
	if rows*n == 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var p push
	p.addr(addr(dst)).addr(addr(x)).u32(rows, n, b2i(log))
	d.rows("softmax", rows, &p)
}

// SoftmaxBackward is the gradient of Softmax.
func (d *Device) SoftmaxBackward(dx, y, dy *autograd.Tensor, rows, n int, log bool, alpha float32) {
	if rows*n == 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var p push
	p.addr(addr(dx)).addr(addr(y)).addr(addr(dy)).u32(rows, n, b2i(log)).f32(alpha)
	d.rows("softmax_backward", rows, &p)
}

// MaskedSoftmax is the fused attention softmax.
func (d *Device) MaskedSoftmax(dst, x, mask *autograd.Tensor, batch, heads, q, k int, scale float32) {
	rows := batch * heads * q
	if rows*k == 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var p push
	p.addr(addr(dst)).addr(addr(x)).addr(addr(mask)).u32(rows, k, heads*q, b2i(mask != nil)).f32(scale)
	d.rows("masked_softmax", rows, &p)
}

// MaskedSoftmaxBackward is the gradient of MaskedSoftmax.
func (d *Device) MaskedSoftmaxBackward(dx, y, dy, mask *autograd.Tensor, batch, heads, q, k int, scale float32) {
	rows := batch * heads * q
	if rows*k == 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var p push
	p.addr(addr(dx)).addr(addr(y)).addr(addr(dy)).addr(addr(mask)).u32(rows, k, heads*q, b2i(mask != nil)).f32(scale)
	d.rows("masked_softmax_backward", rows, &p)
}

// LayerNorm normalises rows.
func (d *Device) LayerNorm(y, mean, rstd, x, gamma, beta *autograd.Tensor, rows, n int, eps float32) {
	if rows*n == 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	flags := b2i(gamma != nil) | 2*b2i(beta != nil)
	var p push
	p.addr(addr(y)).addr(addr(mean)).addr(addr(rstd)).addr(addr(x)).addr(addr(gamma)).addr(addr(beta))
	p.u32(rows, n, flags).f32(eps)
	d.rows("layernorm", rows, &p)
}

// LayerNormBackward is the gradient of LayerNorm.
func (d *Device) LayerNormBackward(dx, dgamma, dbeta, dy, x, mean, rstd, gamma *autograd.Tensor, rows, n int) {
	if n == 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if dx != nil && rows > 0 {
		var p push
		p.addr(addr(dx)).addr(addr(dy)).addr(addr(x)).addr(addr(mean)).addr(addr(rstd)).addr(addr(gamma))
		p.u32(rows, n, b2i(gamma != nil))
		d.rows("layernorm_backward", rows, &p)
	}
	if dgamma != nil || dbeta != nil {
		flags := b2i(dgamma != nil) | 2*b2i(dbeta != nil)
		// Rows in parts of at most loopCap, each after the first adding.
		for r0 := 0; r0 < rows || r0 == 0; r0 += d.loopCap {
			nr := min(rows-r0, d.loopCap)
			var p push
			p.addr(addr(dgamma)).addr(addr(dbeta)).addr(addr(dy) + uint64(r0*n)*4).addr(addr(x) + uint64(r0*n)*4)
			p.addr(addr(mean) + uint64(r0)*4).addr(addr(rstd) + uint64(r0)*4)
			p.u32(nr, n, flags)
			d.elems("layernorm_params", n, &p)
			flags |= 4
		}
	}
}

// Gather copies table rows.
func (d *Device) Gather(dst, table *autograd.Tensor, idx []int32) {
	n := table.Dim(-1)
	if len(idx)*n == 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	ib := d.ints(idx)
	var p push
	p.addr(addr(dst)).addr(addr(table)).addr(ib.addr).u32(len(idx), n)
	d.elems("gather", len(idx)*n, &p)
	d.freeLocked(ib)
}

// ScatterAdd adds rows of src into dst, repeated indices summing in index
// order.
func (d *Device) ScatterAdd(dst, src *autograd.Tensor, idx []int32) {
	n := dst.Dim(-1)
	if len(idx)*n == 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.scatterAdd(addr(dst), addr(src), idx, n)
}

// scatterAdd adds the rows of src at address s into the rows idx of the
// matrix at address dst, in parts of at most loopCap indices (a thread
// loops over the repeats of its row).
func (d *Device) scatterAdd(dst, s uint64, idx []int32, n int) {
	if len(idx) > d.loopCap {
		for i0 := 0; i0 < len(idx); i0 += d.loopCap {
			d.scatterAdd(dst, s+uint64(i0*n)*4, idx[i0:min(len(idx), i0+d.loopCap)], n)
		}
		return
	}
	// Group the source rows by destination row, keeping index order.
	pos := map[int32]int{}
	var rows []int32
	count := []int32{}
	for _, r := range idx {
		u, ok := pos[r]
		if !ok {
			u = len(rows)
			pos[r] = u
			rows = append(rows, r)
			count = append(count, 0)
		}
		count[u]++
	}
	nu := len(rows)
	lists := make([]int32, 2*nu+1+len(idx))
	copy(lists, rows)
	start := lists[nu : 2*nu+1]
	for u := 0; u < nu; u++ {
		start[u+1] = start[u] + count[u]
	}
	fill := make([]int32, nu)
	order := lists[2*nu+1:]
	for i, r := range idx {
		u := pos[r]
		order[start[u]+fill[u]] = int32(i)
		fill[u]++
	}
	lb := d.ints(lists)
	var p push
	p.addr(dst).addr(s).addr(lb.addr).u32(nu, n)
	d.elems("scatter_add", nu*n, &p)
	d.freeLocked(lb)
}

// Permute reorders axes.
func (d *Device) Permute(dst, src *autograd.Tensor, perm [autograd.MaxDims]int) {
	shape := src.Shape()
	nd := len(shape)
	total := src.Len()
	if total == 0 {
		return
	}
	var st, dims, strides [8]int
	k := 1
	for i := nd - 1; i >= 0; i-- {
		st[i] = k
		k *= shape[i]
	}
	for i := 0; i < nd; i++ {
		dims[i] = shape[perm[i]]
		strides[i] = st[perm[i]]
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var p push
	p.addr(addr(dst)).addr(addr(src)).u32(total, nd).u32(dims[:]...).u32(strides[:]...)
	d.elems("permute", total, &p)
}

// CopyRows copies (or adds) blocks of rows.
func (d *Device) CopyRows(dst *autograd.Tensor, dstOff, dstLd int, src *autograd.Tensor, srcOff, srcLd, rows, cols int, accumulate bool) {
	if rows*cols == 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var p push
	p.addr(addr(dst)+uint64(dstOff)*4).addr(addr(src)+uint64(srcOff)*4).u32(dstLd, srcLd, rows, cols, b2i(accumulate))
	d.elems("copy_rows", rows*cols, &p)
}

// Dropout applies the counter-based mask of kernels.Dropout.
func (d *Device) Dropout(dst, x *autograd.Tensor, p float32, seed uint64) {
	n := dst.Len()
	if n == 0 {
		return
	}
	thresh := uint64(math.Ceil(float64(p) * (1 << 24)))
	inv := 1 / (1 - p)
	d.mu.Lock()
	defer d.mu.Unlock()
	var q push
	q.addr(addr(dst)).addr(addr(x)).u32(n, int(uint32(seed)), int(uint32(seed>>32)), int(thresh)).f32(inv)
	d.elems("dropout", n, &q)
}

// CrossEntropy computes the (scaled) summed cross-entropy.
func (d *Device) CrossEntropy(loss, lse, logits *autograd.Tensor, labels []int32, ignore int32, scale float32) {
	rows, n := logits.Dim(0), logits.Dim(1)
	d.mu.Lock()
	defer d.mu.Unlock()
	if rows*n > 0 {
		var p push
		p.addr(addr(lse)).addr(addr(logits)).u32(rows, n)
		d.rows("lse", rows, &p)
	}
	lb := d.ints(labels)
	var p push
	p.addr(addr(loss)).addr(addr(lse)).addr(addr(logits)).addr(lb.addr).u32(rows, n, int(ignore)).f32(scale)
	d.dispatch("ce_loss", 1, 1, 1, &p)
	d.freeLocked(lb)
}

// CrossEntropyBackward is the gradient of CrossEntropy.
func (d *Device) CrossEntropyBackward(dlogits, logits, lse, dloss *autograd.Tensor, labels []int32, ignore int32, scale float32) {
	rows, n := logits.Dim(0), logits.Dim(1)
	if rows*n == 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	lb := d.ints(labels)
	var p push
	p.addr(addr(dlogits)).addr(addr(logits)).addr(addr(lse)).addr(addr(dloss)).addr(lb.addr).u32(rows, n, int(ignore)).f32(scale)
	d.elems("ce_backward", rows*n, &p)
	d.freeLocked(lb)
}

// Adam runs one fused Adam/AdamW step.
func (d *Device) Adam(param, grad, m, v *autograd.Tensor, a autograd.AdamParams) {
	n := param.Len()
	if n == 0 {
		return
	}
	gs := a.GradScale
	if gs == 0 {
		gs = 1
	}
	bc1 := float32(1 - math.Pow(float64(a.Beta1), float64(a.Step)))
	bc2 := float32(1 - math.Pow(float64(a.Beta2), float64(a.Step)))
	step := a.LR / bc1
	rbc2 := 1 / bc2
	d.mu.Lock()
	defer d.mu.Unlock()
	var p push
	p.addr(addr(param)).addr(addr(grad)).addr(addr(m)).addr(addr(v)).u32(n, b2i(a.Decoupled))
	p.f32(a.LR, a.Beta1, a.Beta2, a.Eps, a.WeightDecay, gs, step, rbc2)
	d.elems("adam", n, &p)
}

// FWHT overwrites each row of n values of x (n a power of two) with its
// unnormalised Walsh-Hadamard transform, level by level as fwht.Transform:
// the results are bit-identical to package fwht's. Rows of up to 4096 values
// are transformed in shared memory, one workgroup per row; longer rows do
// their first 12 levels that way and then one pass per level.
func (d *Device) FWHT(x *autograd.Tensor, n int) error {
	if n <= 0 || n&(n-1) != 0 {
		return fmt.Errorf("vulkan: FWHT: length %d is not a power of two", n)
	}
	if x.Len()%n != 0 {
		return fmt.Errorf("vulkan: FWHT: %d values are not rows of %d", x.Len(), n)
	}
	if x.Device() != autograd.Device(d) && autograd.Unwrap(x.Device()) != autograd.Device(d) {
		return fmt.Errorf("vulkan: FWHT: tensor on device %s", x.Device().Name())
	}
	total := x.Len()
	if total == 0 || n == 1 {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.fwhtLocked(addr(x), total, n)
	return nil
}

// fwhtLocked records the transforms of total/n rows of n values (a power of
// two) at device address x.
func (d *Device) fwhtLocked(x uint64, total, n int) {
	if total == 0 || n == 1 {
		return
	}
	chunk := min(n, 4096)
	var p push
	p.addr(x).u32(total/chunk, chunk)
	d.rows("fwht", total/chunk, &p)
	for h := chunk; h < n; h *= 2 {
		var q push
		q.addr(x).u32(total/2, n, h)
		d.elems("fwht_level", total/2, &q)
	}
}
