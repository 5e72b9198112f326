package autograd

// Reduction says how CrossEntropy combines the per-row losses.
type Reduction int

// The reductions.
const (
	ReduceMean Reduction = iota // mean over the rows whose label is not ignored
	ReduceSum                   // sum over those rows
)

// IgnoreIndex is the default label that CrossEntropy skips (as PyTorch's -100).
const IgnoreIndex = -100

// CrossEntropy is the mean softmax cross-entropy of logits [N, C] against
// labels (N values in [0, C)), skipping labels equal to IgnoreIndex. It
// returns a tensor of shape [].
func CrossEntropy(logits *Tensor, labels []int32) *Tensor {
	return CrossEntropyWith(logits, labels, ReduceMean, IgnoreIndex)
}

// CrossEntropyWith is CrossEntropy with a chosen reduction and ignore label.
// When every label is ignored the mean is 0 with a zero gradient (PyTorch
// gives NaN there). labels is copied.
func CrossEntropyWith(logits *Tensor, labels []int32, red Reduction, ignore int32) *Tensor {
	const op = "CrossEntropy"
	dev := sameDevice(op, logits)
	if logits.ndim != 2 {
		opPanic(op, "logits must be [N, C], got %v", logits.Shape())
	}
	rows, c := logits.shape[0], logits.shape[1]
	if len(labels) != rows {
		opPanic(op, "%d labels for logits %v", len(labels), logits.Shape())
	}
	count := 0
	for i, l := range labels {
		if l == ignore {
			continue
		}
		if l < 0 || int(l) >= c {
			opPanic(op, "label %d at row %d out of range for %d classes", l, i, c)
		}
		count++
	}
	scale := float32(1)
	if red == ReduceMean {
		scale = 0
		if count > 0 {
			scale = 1 / float32(count)
		}
	}
	loss := result(dev)
	lse := newTensor(dev, []int{rows})
	if rows > 0 && c > 0 {
		dev.CrossEntropy(loss, lse, logits, labels, ignore, scale)
	} else {
		dev.Fill(loss, 0)
	}
	if needsGrad(logits) {
		n := record(loss, crossEntropyBackward, logits)
		n.aux[0] = lse
		n.idx = append(n.idx[:0], labels...)
		n.f[0] = scale
		n.ints[0] = int(ignore)
	} else {
		lse.free()
	}
	return loss
}

func crossEntropyBackward(n *node, g *Tensor) {
	x := n.in[0]
	if !wants(x) {
		return
	}
	t := temp(g.dev, x.Shape()...)
	if t.size > 0 {
		g.dev.CrossEntropyBackward(t, x, n.aux[0], g, n.idx, int32(n.ints[0]), n.f[0])
	}
	accumGrad(x, t)
}
