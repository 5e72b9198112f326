package autograd

import (
	"fmt"
	"math/bits"
	"sync"

	"github.com/idim-go/idim/internal/gemm"
	"github.com/idim-go/idim/internal/kernels"
)

// hostBuffer is the CPU device's Buffer: a Go slice.
type hostBuffer struct {
	data []float32
}

func (b *hostBuffer) Len() int { return len(b.data) }

// CPUDevice runs every kernel on the CPU with internal/kernels and
// internal/gemm. Its allocator caches freed buffers by size class (sizes are
// rounded up to one of four steps per power of two), so a training step that
// releases what it allocated (see Scope) reuses the same buffers from step to
// step and allocates nothing new.
type CPUDevice struct {
	mu    sync.Mutex
	pool  map[int][]*hostBuffer
	stats CPUStats
}

// CPUStats counts the CPU device's allocator traffic.
type CPUStats struct {
	Allocs      int64 // Alloc calls
	NewBuffers  int64 // Alloc calls that had to make a new slice
	Frees       int64 // Free calls
	CachedBytes int64 // bytes held in the pool now
}

var cpuDevice = &CPUDevice{pool: map[int][]*hostBuffer{}}

// CPU returns the CPU device, which is always registered as "cpu".
func CPU() *CPUDevice { return cpuDevice }

func init() {
	Register("cpu", func() (Device, error) { return cpuDevice, nil })
}

// Name returns "cpu".
func (d *CPUDevice) Name() string { return "cpu" }

// Supports returns true for every kernel.
func (d *CPUDevice) Supports(string) bool { return true }

// sizeClass rounds n up to the capacity the pool hands out for it.
func sizeClass(n int) int {
	if n <= 64 {
		return (n + 15) &^ 15
	}
	step := 1 << (bits.Len(uint(n-1)) - 3) // 4 classes per doubling
	return (n + step - 1) / step * step
}

// Alloc returns a buffer of at least n values, reusing a freed one of the
// same size class when there is one.
func (d *CPUDevice) Alloc(n int) (Buffer, error) {
	if n < 0 {
		return nil, fmt.Errorf("cpu: Alloc(%d)", n)
	}
	c := sizeClass(n)
	d.mu.Lock()
	d.stats.Allocs++
	if l := d.pool[c]; len(l) > 0 {
		b := l[len(l)-1]
		l[len(l)-1] = nil
		d.pool[c] = l[:len(l)-1]
		d.stats.CachedBytes -= int64(4 * c)
		d.mu.Unlock()
		return b, nil
	}
	d.stats.NewBuffers++
	d.mu.Unlock()
	return &hostBuffer{data: make([]float32, c)}, nil
}

// Free puts b back into the pool.
func (d *CPUDevice) Free(b Buffer) {
	hb := b.(*hostBuffer)
	c := len(hb.data)
	d.mu.Lock()
	d.stats.Frees++
	d.stats.CachedBytes += int64(4 * c)
	d.pool[c] = append(d.pool[c], hb)
	d.mu.Unlock()
}

// Trim drops every cached buffer, leaving them to the garbage collector.
func (d *CPUDevice) Trim() {
	d.mu.Lock()
	clear(d.pool)
	d.stats.CachedBytes = 0
	d.mu.Unlock()
}

// Stats returns the allocator counters.
func (d *CPUDevice) Stats() CPUStats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stats
}

// Upload copies src into b at off.
func (d *CPUDevice) Upload(b Buffer, off int, src []float32) {
	copy(b.(*hostBuffer).data[off:off+len(src)], src)
}

// Download copies b[off:off+len(dst)] into dst.
func (d *CPUDevice) Download(dst []float32, b Buffer, off int) {
	copy(dst, b.(*hostBuffer).data[off:off+len(dst)])
}

// CopyBuffer copies n values between buffers (overlap is allowed).
func (d *CPUDevice) CopyBuffer(dst Buffer, dstOff int, src Buffer, srcOff, n int) {
	copy(dst.(*hostBuffer).data[dstOff:dstOff+n], src.(*hostBuffer).data[srcOff:srcOff+n])
}

// host returns t's values as a slice (t must be on the CPU); nil for nil.
func host(t *Tensor) []float32 {
	if t == nil {
		return nil
	}
	return t.buf.(*hostBuffer).data[t.off : t.off+t.size]
}

// Fill sets dst to v.
func (d *CPUDevice) Fill(dst *Tensor, v float32) { kernels.Fill(host(dst), v) }

// Gemm runs the batch of products with internal/gemm.
func (d *CPUDevice) Gemm(g GemmArgs) {
	a, b, c := host(g.A), host(g.B), host(g.C)
	if g.Batch == 1 {
		gemm.Sgemm(g.TransA, g.TransB, g.M, g.N, g.K, g.Alpha, a, g.LdA, b, g.LdB, g.Beta, c, g.LdC)
		return
	}
	gemm.SgemmBatched(0, g.TransA, g.TransB, g.M, g.N, g.K, g.Alpha, a, g.LdA, g.StrideA, b, g.LdB, g.StrideB, g.Beta, c, g.LdC, g.StrideC, g.Batch)
}

// broadcastLayout merges dst's dimensions with a's and b's broadcast strides
// into at most MaxDims dimensions for kernels.BinaryStrided.
func broadcastLayout(dshape, ashape, bshape []int) (nd int, dims, sa, sb [MaxDims]int) {
	n := len(dshape)
	var ad, bd [MaxDims]int
	// Right-align a and b against dst; missing leading dims are 1.
	for i := 0; i < n; i++ {
		ad[i], bd[i] = 1, 1
		if j := i - (n - len(ashape)); j >= 0 {
			ad[i] = ashape[j]
		}
		if j := i - (n - len(bshape)); j >= 0 {
			bd[i] = bshape[j]
		}
	}
	// Strides of a and b in their own contiguous layout, 0 where broadcast.
	var as, bs [MaxDims]int
	sA, sB := 1, 1
	for i := n - 1; i >= 0; i-- {
		if ad[i] == 1 && dshape[i] != 1 {
			as[i] = 0
		} else {
			as[i] = sA
		}
		if bd[i] == 1 && dshape[i] != 1 {
			bs[i] = 0
		} else {
			bs[i] = sB
		}
		sA *= ad[i]
		sB *= bd[i]
	}
	// Merge adjacent dims (dropping size-1 dims) when both operands stay
	// linear across them.
	for i := 0; i < n; i++ {
		if dshape[i] == 1 {
			continue
		}
		if nd > 0 {
			p := nd - 1
			if sa[p] == as[i]*dshape[i] && sb[p] == bs[i]*dshape[i] {
				dims[p] *= dshape[i]
				sa[p], sb[p] = as[i], bs[i]
				continue
			}
		}
		dims[nd], sa[nd], sb[nd] = dshape[i], as[i], bs[i]
		nd++
	}
	if nd == 0 {
		dims[0], sa[0], sb[0] = 1, 1, 1
		nd = 1
	}
	return
}

// Binary computes dst = a op b with broadcasting.
func (d *CPUDevice) Binary(op BinaryOp, dst, a, b *Tensor) {
	if dst.size == 0 {
		return
	}
	nd, dims, sa, sb := broadcastLayout(dst.Shape(), a.Shape(), b.Shape())
	if sa[nd-1] > 1 || sb[nd-1] > 1 {
		// The innermost dimension is broadcast in neither operand but
		// merged with a stride: cannot happen with contiguous inputs.
		panic("autograd: cpu Binary: unexpected inner stride")
	}
	kernels.BinaryStrided(op, host(dst), dims[:nd], host(a), sa[:nd], host(b), sb[:nd])
}

// Unary computes dst = op(x).
func (d *CPUDevice) Unary(op UnaryOp, dst, x *Tensor) { kernels.Unary(op, host(dst), host(x)) }

// UnaryBackward computes dx = dy*op'(x).
func (d *CPUDevice) UnaryBackward(op UnaryOp, dx, x, y, dy *Tensor) {
	kernels.UnaryBackward(op, host(dx), host(x), host(y), host(dy))
}

// Axpy computes y += alpha*x.
func (d *CPUDevice) Axpy(alpha float32, x, y *Tensor) { kernels.Axpy(alpha, host(x), host(y)) }

// Scale computes dst = alpha*x.
func (d *CPUDevice) Scale(alpha float32, dst, x *Tensor) { kernels.Scale(alpha, host(dst), host(x)) }

// ReduceSum sums the middle axis of src viewed as [outer, n, inner].
func (d *CPUDevice) ReduceSum(dst, src *Tensor, outer, n, inner int, alpha, beta float32) {
	kernels.ReduceSum(host(dst), host(src), outer, n, inner, alpha, beta)
}

// SumSquares computes (or adds) sum x^2 into dst[0].
func (d *CPUDevice) SumSquares(dst, x *Tensor, accumulate bool) {
	s := float32(kernels.SumSquares(host(x)))
	o := host(dst)
	if accumulate {
		o[0] += s
	} else {
		o[0] = s
	}
}

// Softmax computes softmax or log-softmax over rows.
func (d *CPUDevice) Softmax(dst, x *Tensor, rows, n int, log bool) {
	if log {
		kernels.LogSoftmax(host(dst), host(x), rows, n)
	} else {
		kernels.Softmax(host(dst), host(x), rows, n)
	}
}

// SoftmaxBackward is the gradient of Softmax.
func (d *CPUDevice) SoftmaxBackward(dx, y, dy *Tensor, rows, n int, log bool, alpha float32) {
	if log {
		kernels.LogSoftmaxBackward(host(dx), host(y), host(dy), rows, n)
		if alpha != 1 {
			kernels.Scale(alpha, host(dx), host(dx))
		}
	} else {
		kernels.SoftmaxBackward(host(dx), host(y), host(dy), rows, n, alpha)
	}
}

// MaskedSoftmax is the fused attention softmax.
func (d *CPUDevice) MaskedSoftmax(dst, x, mask *Tensor, batch, heads, q, k int, scale float32) {
	kernels.MaskedSoftmax(host(dst), host(x), host(mask), batch, heads, q, k, scale)
}

// MaskedSoftmaxBackward is the gradient of MaskedSoftmax.
func (d *CPUDevice) MaskedSoftmaxBackward(dx, y, dy, mask *Tensor, batch, heads, q, k int, scale float32) {
	kernels.MaskedSoftmaxBackward(host(dx), host(y), host(dy), host(mask), batch, heads, q, k, scale)
}

// LayerNorm normalises rows.
func (d *CPUDevice) LayerNorm(y, mean, rstd, x, gamma, beta *Tensor, rows, n int, eps float32) {
	kernels.LayerNorm(host(y), host(mean), host(rstd), host(x), host(gamma), host(beta), rows, n, eps)
}

// LayerNormBackward is the gradient of LayerNorm.
func (d *CPUDevice) LayerNormBackward(dx, dgamma, dbeta, dy, x, mean, rstd, gamma *Tensor, rows, n int) {
	kernels.LayerNormBackward(host(dx), host(dgamma), host(dbeta), host(dy), host(x), host(mean), host(rstd), host(gamma), rows, n)
}

// Gather copies table rows.
func (d *CPUDevice) Gather(dst, table *Tensor, idx []int32) {
	kernels.GatherRows(host(dst), host(table), idx, table.Dim(-1))
}

// ScatterAdd adds rows into dst.
func (d *CPUDevice) ScatterAdd(dst, src *Tensor, idx []int32) {
	kernels.ScatterAddRows(host(dst), host(src), idx, dst.Dim(-1))
}

// Permute reorders axes.
func (d *CPUDevice) Permute(dst, src *Tensor, perm [MaxDims]int) {
	kernels.Permute(host(dst), host(src), src.Shape(), perm[:src.ndim])
}

// CopyRows copies (or adds) blocks of rows.
func (d *CPUDevice) CopyRows(dst *Tensor, dstOff, dstLd int, src *Tensor, srcOff, srcLd, rows, cols int, accumulate bool) {
	kernels.CopyRows(host(dst)[dstOff:], dstLd, host(src)[srcOff:], srcLd, rows, cols, accumulate)
}

// Dropout applies a seeded dropout mask.
func (d *CPUDevice) Dropout(dst, x *Tensor, p float32, seed uint64) {
	kernels.Dropout(host(dst), host(x), p, seed, 0)
}

// CrossEntropy computes the (scaled) summed cross-entropy.
func (d *CPUDevice) CrossEntropy(loss, lse, logits *Tensor, labels []int32, ignore int32, scale float32) {
	rows, n := logits.Dim(0), logits.Dim(1)
	kernels.CrossEntropy(host(loss), host(lse), host(logits), labels, rows, n, ignore, scale)
}

// CrossEntropyBackward is the gradient of CrossEntropy.
func (d *CPUDevice) CrossEntropyBackward(dlogits, logits, lse, dloss *Tensor, labels []int32, ignore int32, scale float32) {
	rows, n := logits.Dim(0), logits.Dim(1)
	kernels.CrossEntropyBackward(host(dlogits), host(logits), host(lse), labels, host(dloss), rows, n, ignore, scale)
}

// Adam runs one fused Adam/AdamW step.
func (d *CPUDevice) Adam(param, grad, m, v *Tensor, p AdamParams) {
	kernels.Adam(host(param), host(grad), host(m), host(v), p)
}
