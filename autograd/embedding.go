package autograd

// Embedding gathers rows of table ([vocab, dim]) by index: the result is
// [len(ids), dim] with row i = table[ids[i]]. The backward scatter-adds the
// gradient rows into table's gradient, touching only the rows used (repeated
// ids sum). ids is copied; every id must be in [0, vocab).
func Embedding(table *Tensor, ids []int32) *Tensor {
	return embedding("Embedding", table, ids, 0, false)
}

// EmbeddingPad is Embedding with a padding id, as torch.nn.Embedding's
// padding_idx: the rows gathered for pad take no part in the gradient (the
// table's row pad gets a zero gradient from this op). Its gradient takes the
// same paths as Embedding's (row-sparse through SetRowGradHook, or dense).
func EmbeddingPad(table *Tensor, ids []int32, pad int32) *Tensor {
	return embedding("EmbeddingPad", table, ids, pad, true)
}

func embedding(op string, table *Tensor, ids []int32, pad int32, hasPad bool) *Tensor {
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
		n.flags[0], n.ints[0] = hasPad, int(pad)
	}
	return out
}

func embeddingBackward(n *node, g *Tensor) {
	table := n.in[0]
	if !wants(table) {
		return
	}
	if n.flags[0] && g.size > 0 {
		// Padding: the gradient with the pad rows set to zero.
		pad, dim := int32(n.ints[0]), g.Dim(-1)
		var gz *Tensor
		for i, id := range n.idx {
			if id != pad {
				continue
			}
			if gz == nil {
				gz = temp(g.dev, g.Shape()...)
				g.dev.CopyBuffer(gz.buf, gz.off, g.buf, g.off, g.size)
			}
			row := gz.view(i*dim, []int{dim})
			g.dev.Fill(row, 0)
			row.free()
		}
		if gz != nil {
			defer gz.free()
			g = gz
		}
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
