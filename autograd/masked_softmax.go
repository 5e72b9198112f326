package autograd

// MaskedSoftmax is the fused attention softmax: scores [batch, heads, q, k]
// are multiplied by scale, keys j with mask[b, j] == 0 are excluded (mask is
// [batch, k] with 1 for real tokens and 0 for padding, as HF's
// attention_mask; nil means no mask), and each row is normalised in one
// kernel. A row whose keys are all masked becomes uniform (as with HF's
// additive float32-min mask) and, since it then does not depend on the
// scores, passes no gradient back (PyTorch would pass (dy-mean(dy))/k).
// No gradient flows to mask.
func MaskedSoftmax(scores, mask *Tensor, scale float32) *Tensor {
	const op = "MaskedSoftmax"
	dev := sameDevice(op, scores, mask)
	if scores.ndim != 4 {
		opPanic(op, "scores must be [batch, heads, q, k], got %v", scores.Shape())
	}
	b, h, q, k := scores.shape[0], scores.shape[1], scores.shape[2], scores.shape[3]
	if mask != nil && (mask.ndim != 2 || mask.shape[0] != b || mask.shape[1] != k) {
		opPanic(op, "mask %v does not match scores %v (want [%d, %d])", mask.Shape(), scores.Shape(), b, k)
	}
	out := result(dev, scores.Shape()...)
	if out.size > 0 {
		dev.MaskedSoftmax(out, scores, mask, b, h, q, k, scale)
	}
	if needsGrad(scores) {
		nd := record(out, maskedSoftmaxBackward, scores, mask)
		nd.f[0] = scale
		nd.ints[0], nd.ints[1], nd.ints[2], nd.ints[3] = b, h, q, k
	}
	return out
}

func maskedSoftmaxBackward(nd *node, g *Tensor) {
	x := nd.in[0]
	if !wants(x) {
		return
	}
	t := temp(g.dev, x.Shape()...)
	if t.size > 0 {
		g.dev.MaskedSoftmaxBackward(t, nd.out, g, nd.in[1], nd.ints[0], nd.ints[1], nd.ints[2], nd.ints[3], nd.f[0])
	}
	accumGrad(x, t)
}
