package transformer

import (
	"math"
	"sync"

	"github.com/idim-go/idim/autograd"
)

// attention is HF's RobertaSelfAttention after the query/key/value projections, fused into one
// op: for every sequence b and head h,
//
//	probs[b,h] = softmax(q[b,h] k[b,h]^T / sqrt(dh), keys with mask[b,j] == 0 excluded)
//	ctx[b,h]   = dropout(probs[b,h]) v[b,h]
//
// q, k, v and the result are [B*T, hidden] with head h in columns h*dh:(h+1)*dh, which is how the
// projections write them and how attention.output.dense reads the context. The GEMMs read and
// write the heads in place through row strides (no permuted copies), the scores are freed as soon
// as the softmax has read them, and only the probabilities are kept for the backward (the dropout
// mask is recomputed from its seed).
//
// q may hold only Tq < T query rows per sequence ([B*Tq, hidden]); the result then has Tq rows per
// sequence too.
func (m *Model) attention(q, k, v, mask *autograd.Tensor, B, T, Tq int) *autograd.Tensor {
	c := &m.Config
	f := attnPool.Get().(*attnFn)
	*f = attnFn{B: B, T: T, Tq: Tq, nh: c.NumAttentionHeads, dh: c.HeadDim(), mask: mask,
		scale: float32(1 / math.Sqrt(float64(c.HeadDim())))}
	if m.train && c.AttentionProbsDropoutProb > 0 {
		f.p = float32(c.AttentionProbsDropoutProb)
		f.seed = m.nextSeed()
	}
	f.keep = autograd.GradEnabled() && (q.RequiresGrad() || k.RequiresGrad() || v.RequiresGrad())
	out := autograd.Apply(f, q, k, v)
	if !f.keep {
		// Not recorded (Apply records exactly when keep holds): nothing refers to f any more.
		*f = attnFn{}
		attnPool.Put(f)
	}
	return out
}

// attnPool recycles the op structs: an unrecorded one right after Apply, a recorded one at the
// end of its Backward (the engine does not call it again; its node lets go of it).
var attnPool = sync.Pool{New: func() any { return new(attnFn) }}

type attnFn struct {
	B, T, Tq, nh, dh int
	mask             *autograd.Tensor // [B, T] of 1 (token) and 0 (padding), or nil
	scale            float32
	p                float32 // attention dropout probability (0: none)
	seed             uint64
	keep             bool             // the backward will run: keep probs
	probs            *autograd.Tensor // [B*nh*Tq, T], softmax output before dropout
}

// Operand layouts of headGemm.
const (
	layQ = iota // head slices of a [B*Tq, H] tensor (queries, context)
	layK        // head slices of a [B*T, H] tensor (keys, values)
	layS        // [Tq, T] blocks of a [B*nh*Tq, T] tensor (scores, probabilities)
)

// headGemm runs, for every head, the batch over sequences of C_s = op(A_s) op(B_s), each operand
// in one of the layouts above, read and written in place through its row stride and the
// distance between sequences (one GEMM call per head, its items spread over the workers).
func (f *attnFn) headGemm(dev autograd.Device, transA, transB bool, M, N, K int, a, b, c *autograd.Tensor, la, lb, lc int) {
	H := f.nh * f.dh
	// lay returns the row stride, the offset of head h+1 from head h, and the distance between
	// sequences.
	lay := func(l int) (ld, head, seq int) {
		switch l {
		case layQ:
			return H, f.dh, f.Tq * H
		case layK:
			return H, f.dh, f.T * H
		}
		return f.T, f.Tq * f.T, f.nh * f.Tq * f.T
	}
	lda, ha, sa := lay(la)
	ldb, hb, sb := lay(lb)
	ldc, hc, sc := lay(lc)
	fa, fb, fc := autograd.Reshape(a, -1), autograd.Reshape(b, -1), autograd.Reshape(c, -1)
	for h := 0; h < f.nh; h++ {
		dev.Gemm(autograd.GemmArgs{TransA: transA, TransB: transB, M: M, N: N, K: K, Alpha: 1,
			A: from(fa, h*ha), LdA: lda, StrideA: sa,
			B: from(fb, h*hb), LdB: ldb, StrideB: sb,
			C: from(fc, h*hc), LdC: ldc, StrideC: sc, Batch: f.B})
	}
}

// from is the view of the flat tensor x from element off on.
func from(x *autograd.Tensor, off int) *autograd.Tensor { return autograd.Slice(x, 0, off, x.Len()) }

func (f *attnFn) Forward(in []*autograd.Tensor) *autograd.Tensor {
	q, k, v := in[0], in[1], in[2]
	dev := q.Device()
	B, T, Tq, nh, dh := f.B, f.T, f.Tq, f.nh, f.dh
	// Scores and probabilities are [B*nh*Tq, T] so that seqView slices sequences on axis 0.
	scores := autograd.Empty(dev, B*nh*Tq, T)
	f.headGemm(dev, false, true, Tq, T, dh, q, k, scores, layQ, layK, layS)
	probs := autograd.Empty(dev, B*nh*Tq, T)
	dev.MaskedSoftmax(probs, scores, f.mask, B, nh, Tq, T, f.scale)
	scores.Release()
	pd := probs
	if f.p > 0 {
		pd = autograd.Empty(dev, B*nh*Tq, T)
		dev.Dropout(pd, probs, f.p, f.seed)
	}
	ctx := autograd.Empty(dev, B*Tq, nh*dh)
	f.headGemm(dev, false, false, Tq, dh, T, pd, v, ctx, layS, layK, layQ)
	if pd != probs {
		pd.Release()
	}
	if f.keep {
		f.probs = probs
	} else {
		probs.Release()
	}
	return ctx
}

func (f *attnFn) Backward(g *autograd.Tensor, in []*autograd.Tensor, _ *autograd.Tensor, needs []bool) []*autograd.Tensor {
	prev := autograd.SetGradEnabled(false)
	defer autograd.SetGradEnabled(prev)
	q, k, v := in[0], in[1], in[2]
	dev := g.Device()
	B, T, Tq, nh, dh := f.B, f.T, f.Tq, f.nh, f.dh
	out := make([]*autograd.Tensor, 3)
	if needs[2] {
		pd := f.probs
		if f.p > 0 {
			pd = autograd.Empty(dev, B*nh*Tq, T)
			dev.Dropout(pd, f.probs, f.p, f.seed)
		}
		dv := autograd.Empty(dev, B*T, nh*dh)
		f.headGemm(dev, true, false, T, dh, Tq, pd, g, dv, layS, layQ, layK) // dv = pd^T g
		if pd != f.probs {
			pd.Release()
		}
		out[2] = dv
	}
	if needs[0] || needs[1] {
		dp := autograd.Empty(dev, B*nh*Tq, T)
		f.headGemm(dev, false, true, Tq, T, dh, g, v, dp, layQ, layK, layS) // dp = g v^T
		if f.p > 0 {
			dev.Dropout(dp, dp, f.p, f.seed)
		}
		ds := dp // the kernel may work in place
		dev.MaskedSoftmaxBackward(ds, f.probs, dp, f.mask, B, nh, Tq, T, f.scale)
		if needs[0] {
			dq := autograd.Empty(dev, B*Tq, nh*dh)
			f.headGemm(dev, false, false, Tq, dh, T, ds, k, dq, layS, layK, layQ) // dq = ds k
			out[0] = dq
		}
		if needs[1] {
			dk := autograd.Empty(dev, B*T, nh*dh)
			f.headGemm(dev, true, false, T, dh, Tq, ds, q, dk, layS, layQ, layK) // dk = ds^T q
			out[1] = dk
		}
		ds.Release()
	}
	f.probs.Release()
	f.probs = nil
	*f = attnFn{}
	attnPool.Put(f)
	return out
}
