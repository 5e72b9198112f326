package autograd

import "sync"

// fallbackDevice wraps a device so that each kernel it does not support runs
// on the CPU: the operands are downloaded into CPU tensors, the CPU kernel
// runs, and the outputs are uploaded back. The first fallback of each kernel
// is logged once.
type fallbackDevice struct {
	Device
	logged sync.Map
}

// WithFallback returns d wrapped so that every kernel d does not support
// (d.Supports(name) is false) runs on the CPU device instead, with one log
// line per kernel name the first time. Open applies it to every device but
// the CPU.
func WithFallback(d Device) Device {
	if _, ok := d.(*fallbackDevice); ok {
		return d
	}
	return &fallbackDevice{Device: d}
}

// Unwrap returns the device inside a WithFallback wrapper (or d itself).
func Unwrap(d Device) Device {
	if f, ok := d.(*fallbackDevice); ok {
		return f.Device
	}
	return d
}

func (f *fallbackDevice) use(op string) bool {
	if f.Device.Supports(op) {
		return true
	}
	if _, seen := f.logged.LoadOrStore(op, true); !seen {
		Logf("autograd: device %s does not support kernel %q; running it on the CPU", f.Device.Name(), op)
	}
	return false
}

// toHost copies t to a CPU temporary (nil for nil).
func (f *fallbackDevice) toHost(t *Tensor) *Tensor {
	if t == nil {
		return nil
	}
	c := newTensor(cpuDevice, t.Shape())
	if t.size > 0 {
		f.Device.Download(host(c), t.buf, t.off)
	}
	return c
}

// back uploads the CPU copy c into t and frees c.
func (f *fallbackDevice) back(t, c *Tensor) {
	if t == nil {
		return
	}
	if t.size > 0 {
		f.Device.Upload(t.buf, t.off, host(c))
	}
	c.free()
}

func freeAll(ts ...*Tensor) {
	for _, t := range ts {
		if t != nil {
			t.free()
		}
	}
}

func (f *fallbackDevice) Fill(dst *Tensor, v float32) {
	if f.use(KFill) {
		f.Device.Fill(dst, v)
		return
	}
	c := f.toHost(dst)
	cpuDevice.Fill(c, v)
	f.back(dst, c)
}

func (f *fallbackDevice) Gemm(g GemmArgs) {
	if f.use(KGemm) {
		f.Device.Gemm(g)
		return
	}
	a, b, c := f.toHost(g.A), f.toHost(g.B), f.toHost(g.C)
	h := g
	h.A, h.B, h.C = a, b, c
	cpuDevice.Gemm(h)
	f.back(g.C, c)
	freeAll(a, b)
}

func (f *fallbackDevice) Binary(op BinaryOp, dst, a, b *Tensor) {
	if f.use(KBinary) {
		f.Device.Binary(op, dst, a, b)
		return
	}
	ca, cb := f.toHost(a), f.toHost(b)
	cd := f.toHost(dst)
	cpuDevice.Binary(op, cd, ca, cb)
	f.back(dst, cd)
	freeAll(ca, cb)
}

func (f *fallbackDevice) Unary(op UnaryOp, dst, x *Tensor) {
	if f.use(KUnary) {
		f.Device.Unary(op, dst, x)
		return
	}
	cx, cd := f.toHost(x), f.toHost(dst)
	cpuDevice.Unary(op, cd, cx)
	f.back(dst, cd)
	freeAll(cx)
}

func (f *fallbackDevice) UnaryBackward(op UnaryOp, dx, x, y, dy *Tensor) {
	if f.use(KUnaryBackward) {
		f.Device.UnaryBackward(op, dx, x, y, dy)
		return
	}
	cx, cy, cdy, cdx := f.toHost(x), f.toHost(y), f.toHost(dy), f.toHost(dx)
	cpuDevice.UnaryBackward(op, cdx, cx, cy, cdy)
	f.back(dx, cdx)
	freeAll(cx, cy, cdy)
}

func (f *fallbackDevice) Axpy(alpha float32, x, y *Tensor) {
	if f.use(KAxpy) {
		f.Device.Axpy(alpha, x, y)
		return
	}
	cx, cy := f.toHost(x), f.toHost(y)
	cpuDevice.Axpy(alpha, cx, cy)
	f.back(y, cy)
	freeAll(cx)
}

func (f *fallbackDevice) Scale(alpha float32, dst, x *Tensor) {
	if f.use(KScale) {
		f.Device.Scale(alpha, dst, x)
		return
	}
	cx, cd := f.toHost(x), f.toHost(dst)
	cpuDevice.Scale(alpha, cd, cx)
	f.back(dst, cd)
	freeAll(cx)
}

func (f *fallbackDevice) ReduceSum(dst, src *Tensor, outer, n, inner int, alpha, beta float32) {
	if f.use(KReduceSum) {
		f.Device.ReduceSum(dst, src, outer, n, inner, alpha, beta)
		return
	}
	cs, cd := f.toHost(src), f.toHost(dst)
	cpuDevice.ReduceSum(cd, cs, outer, n, inner, alpha, beta)
	f.back(dst, cd)
	freeAll(cs)
}

func (f *fallbackDevice) SumSquares(dst, x *Tensor, accumulate bool) {
	if f.use(KSumSquares) {
		f.Device.SumSquares(dst, x, accumulate)
		return
	}
	cx, cd := f.toHost(x), f.toHost(dst)
	cpuDevice.SumSquares(cd, cx, accumulate)
	f.back(dst, cd)
	freeAll(cx)
}

func (f *fallbackDevice) Softmax(dst, x *Tensor, rows, n int, log bool) {
	if f.use(KSoftmax) {
		f.Device.Softmax(dst, x, rows, n, log)
		return
	}
	cx, cd := f.toHost(x), f.toHost(dst)
	cpuDevice.Softmax(cd, cx, rows, n, log)
	f.back(dst, cd)
	freeAll(cx)
}

func (f *fallbackDevice) SoftmaxBackward(dx, y, dy *Tensor, rows, n int, log bool, alpha float32) {
	if f.use(KSoftmaxBackward) {
		f.Device.SoftmaxBackward(dx, y, dy, rows, n, log, alpha)
		return
	}
	cy, cdy, cdx := f.toHost(y), f.toHost(dy), f.toHost(dx)
	cpuDevice.SoftmaxBackward(cdx, cy, cdy, rows, n, log, alpha)
	f.back(dx, cdx)
	freeAll(cy, cdy)
}

func (f *fallbackDevice) MaskedSoftmax(dst, x, mask *Tensor, batch, heads, q, k int, scale float32) {
	if f.use(KMaskedSoftmax) {
		f.Device.MaskedSoftmax(dst, x, mask, batch, heads, q, k, scale)
		return
	}
	cx, cm, cd := f.toHost(x), f.toHost(mask), f.toHost(dst)
	cpuDevice.MaskedSoftmax(cd, cx, cm, batch, heads, q, k, scale)
	f.back(dst, cd)
	freeAll(cx, cm)
}

func (f *fallbackDevice) MaskedSoftmaxBackward(dx, y, dy, mask *Tensor, batch, heads, q, k int, scale float32) {
	if f.use(KMaskedSoftmaxBackward) {
		f.Device.MaskedSoftmaxBackward(dx, y, dy, mask, batch, heads, q, k, scale)
		return
	}
	cy, cdy, cm, cdx := f.toHost(y), f.toHost(dy), f.toHost(mask), f.toHost(dx)
	cpuDevice.MaskedSoftmaxBackward(cdx, cy, cdy, cm, batch, heads, q, k, scale)
	f.back(dx, cdx)
	freeAll(cy, cdy, cm)
}

func (f *fallbackDevice) LayerNorm(y, mean, rstd, x, gamma, beta *Tensor, rows, n int, eps float32) {
	if f.use(KLayerNorm) {
		f.Device.LayerNorm(y, mean, rstd, x, gamma, beta, rows, n, eps)
		return
	}
	cx, cg, cb := f.toHost(x), f.toHost(gamma), f.toHost(beta)
	cy, cm, cr := f.toHost(y), f.toHost(mean), f.toHost(rstd)
	cpuDevice.LayerNorm(cy, cm, cr, cx, cg, cb, rows, n, eps)
	f.back(y, cy)
	f.back(mean, cm)
	f.back(rstd, cr)
	freeAll(cx, cg, cb)
}

func (f *fallbackDevice) LayerNormBackward(dx, dgamma, dbeta, dy, x, mean, rstd, gamma *Tensor, rows, n int) {
	if f.use(KLayerNormBackward) {
		f.Device.LayerNormBackward(dx, dgamma, dbeta, dy, x, mean, rstd, gamma, rows, n)
		return
	}
	cdy, cx, cm, cr, cg := f.toHost(dy), f.toHost(x), f.toHost(mean), f.toHost(rstd), f.toHost(gamma)
	cdx, cdg, cdb := f.toHost(dx), f.toHost(dgamma), f.toHost(dbeta)
	cpuDevice.LayerNormBackward(cdx, cdg, cdb, cdy, cx, cm, cr, cg, rows, n)
	f.back(dx, cdx)
	f.back(dgamma, cdg)
	f.back(dbeta, cdb)
	freeAll(cdy, cx, cm, cr, cg)
}

func (f *fallbackDevice) Gather(dst, table *Tensor, idx []int32) {
	if f.use(KGather) {
		f.Device.Gather(dst, table, idx)
		return
	}
	ct, cd := f.toHost(table), f.toHost(dst)
	cpuDevice.Gather(cd, ct, idx)
	f.back(dst, cd)
	freeAll(ct)
}

func (f *fallbackDevice) ScatterAdd(dst, src *Tensor, idx []int32) {
	if f.use(KScatterAdd) {
		f.Device.ScatterAdd(dst, src, idx)
		return
	}
	cs, cd := f.toHost(src), f.toHost(dst)
	cpuDevice.ScatterAdd(cd, cs, idx)
	f.back(dst, cd)
	freeAll(cs)
}

func (f *fallbackDevice) Permute(dst, src *Tensor, perm [MaxDims]int) {
	if f.use(KPermute) {
		f.Device.Permute(dst, src, perm)
		return
	}
	cs, cd := f.toHost(src), f.toHost(dst)
	cpuDevice.Permute(cd, cs, perm)
	f.back(dst, cd)
	freeAll(cs)
}

func (f *fallbackDevice) CopyRows(dst *Tensor, dstOff, dstLd int, src *Tensor, srcOff, srcLd, rows, cols int, accumulate bool) {
	if f.use(KCopyRows) {
		f.Device.CopyRows(dst, dstOff, dstLd, src, srcOff, srcLd, rows, cols, accumulate)
		return
	}
	cs, cd := f.toHost(src), f.toHost(dst)
	cpuDevice.CopyRows(cd, dstOff, dstLd, cs, srcOff, srcLd, rows, cols, accumulate)
	f.back(dst, cd)
	freeAll(cs)
}

func (f *fallbackDevice) Dropout(dst, x *Tensor, p float32, seed uint64) {
	if f.use(KDropout) {
		f.Device.Dropout(dst, x, p, seed)
		return
	}
	cx, cd := f.toHost(x), f.toHost(dst)
	cpuDevice.Dropout(cd, cx, p, seed)
	f.back(dst, cd)
	freeAll(cx)
}

func (f *fallbackDevice) CrossEntropy(loss, lse, logits *Tensor, labels []int32, ignore int32, scale float32) {
	if f.use(KCrossEntropy) {
		f.Device.CrossEntropy(loss, lse, logits, labels, ignore, scale)
		return
	}
	cl, cs, cx := f.toHost(loss), f.toHost(lse), f.toHost(logits)
	cpuDevice.CrossEntropy(cl, cs, cx, labels, ignore, scale)
	f.back(loss, cl)
	f.back(lse, cs)
	freeAll(cx)
}

func (f *fallbackDevice) CrossEntropyBackward(dlogits, logits, lse, dloss *Tensor, labels []int32, ignore int32, scale float32) {
	if f.use(KCrossEntropyBackward) {
		f.Device.CrossEntropyBackward(dlogits, logits, lse, dloss, labels, ignore, scale)
		return
	}
	cd, cx, cs, cg := f.toHost(dlogits), f.toHost(logits), f.toHost(lse), f.toHost(dloss)
	cpuDevice.CrossEntropyBackward(cd, cx, cs, cg, labels, ignore, scale)
	f.back(dlogits, cd)
	freeAll(cx, cs, cg)
}

func (f *fallbackDevice) Adam(param, grad, m, v *Tensor, p AdamParams) {
	if f.use(KAdam) {
		f.Device.Adam(param, grad, m, v, p)
		return
	}
	cp, cg, cm, cv := f.toHost(param), f.toHost(grad), f.toHost(m), f.toHost(v)
	cpuDevice.Adam(cp, cg, cm, cv, p)
	f.back(param, cp)
	f.back(m, cm)
	f.back(v, cv)
	freeAll(cg)
}
