package autograd

// Embedding gathers rows of table ([vocab, dim]) by index: the result is
// [len(ids), dim] with row i = table[ids[i]]. The backward scatter-adds the
// gradient rows into table's gradient, touching only the rows used (repeated
// ids sum). ids is copied; every id must be in [0, vocab).
func Embedding(table *Tensor, ids []int32) *Tensor {
	const op = "Embedding"
	dev := sameDevice(op, table)
	if table.ndim != 2 {
		opPanic(op, "table %q must be [vocab, dim], got %v", table.name, table.Shape())
	}
	vocab, dim := table.shape[0], table.shape[1]
	for i, id := range ids {
		if id < 0 || int(id) >= vocab {
			opPanic(op, "index %d at position %d out of range for table %q %v", id, i, table.name, table.Shape())
		}
	}
	out := result(dev, len(ids), dim)
	if out.size > 0 {
		dev.Gather(out, table, ids)
	}
	if needsGrad(table) {
		n := record(out, embeddingBackward, table)
		n.idx = append(n.idx[:0], ids...)
	}
	return out
}

func embeddingBackward(n *node, g *Tensor) {
	table := n.in[0]
	if !wants(table) {
		return
	}
	if f := rowGradHook(table); f != nil {
		f(n.idx, g)
		return
	}
	dst, beta := gradTarget(table)
	if dst.size == 0 {
		return
	}
	if beta == 0 {
		g.dev.Fill(dst, 0)
	}
	if g.size > 0 {
		g.dev.ScatterAdd(dst, g, n.idx)
	}
}
