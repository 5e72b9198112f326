package subspace

import (
	"slices"

	"github.com/idim-go/idim/fwht"
)

// rowScratch is blockGradRows's reusable memory.
type rowScratch struct {
	keys []uint64  // id<<32 | position, sorted
	ids  []int32   // the distinct ids, ascending
	vals []float32 // their gradient rows (len(ids) x dim)
}

// rowGradOK reports whether tensor t's gradient can be taken row-sparse
// (blockGradRows): a big blocked tensor of two dimensions.
func (s *Subspace) rowGradOK(t int) bool {
	tw := &s.tensors[t]
	_, ok := tw.proj.(*FastfoodBlockProjector)
	return ok && tw.big && len(tw.info.Shape) == 2
}

// blockGradRows sets dst = P^T g for big blocked tensor t (rowGradOK) whose
// gradient g ([rows, dim]) is zero but in the rows ids names: row ids[i]
// of g is the sum of rows[i*dim:(i+1)*dim] over the i with that id (added
// from zero in the order of i, as a scatter-add into a zeroed gradient
// does). The result has the same bits as blockGradBig on that dense
// gradient: it builds the same values for the blocks the rows touch and
// skips the others, whose contributions are zeros that leave every
// partial sum's bits as they are (the partials start at +0, which
// adding +-0 keeps). Runs on the caller's goroutine.
func (s *Subspace) blockGradRows(t int, dst []float32, ids []int32, rows []float32) {
	tw := &s.tensors[t]
	p := tw.proj.(*FastfoodBlockProjector)
	dim := tw.info.Shape[1]
	f := p.f
	l, n := p.l, p.n
	rs := &s.rows
	// Distinct ids, ascending, and their summed rows.
	rs.keys = rs.keys[:0]
	for i, id := range ids {
		rs.keys = append(rs.keys, uint64(uint32(id))<<32|uint64(i))
	}
	slices.Sort(rs.keys)
	rs.ids = rs.ids[:0]
	rs.vals = rs.vals[:0]
	for _, k := range rs.keys {
		id, i := int32(k>>32), int(uint32(k))
		if len(rs.ids) == 0 || rs.ids[len(rs.ids)-1] != id {
			rs.ids = append(rs.ids, id)
			rs.vals = slices.Grow(rs.vals, dim)[:len(rs.vals)+dim]
			clear(rs.vals[len(rs.vals)-dim:])
		}
		v := rs.vals[len(rs.vals)-dim:]
		for j, x := range rows[i*dim : (i+1)*dim] {
			v[j] += x
		}
	}
	b := &s.blk
	gt, acc, part, blk := b.gt[:l], b.acc[:l], b.slots[:l], b.v[:l]
	ws := &s.workers[0].ws
	buf := ws.f32(&ws.a, f.ScratchLen())
	f.PrepareT(gt)
	clear(acc)
	cb := f.ChunkBlocks()
	chunk, last := -1, -1 // current chunk, last block done
	lo := 0               // first distinct row that may reach the next block
	for k, id := range rs.ids {
		for bi := max(int(id)*dim/l, last+1); bi <= ((int(id)+1)*dim-1)/l; bi++ {
			// Block bi: elements [e0, e1), built from the rows k' >= lo
			// that overlap it.
			e0, e1 := bi*l, min((bi+1)*l, n)
			for lo < k && (int(rs.ids[lo])+1)*dim <= e0 {
				lo++
			}
			y := blk[:e1-e0]
			clear(y)
			for q := lo; q < len(rs.ids) && int(rs.ids[q])*dim < e1; q++ {
				r0 := int(rs.ids[q]) * dim
				a, z := max(r0, e0), min(r0+dim, e1)
				copy(y[a-e0:z-e0], rs.vals[q*dim+a-r0:q*dim+z-r0])
			}
			if c := bi / cb; c != chunk {
				if chunk >= 0 {
					fwht.AddTo(acc, part)
				}
				clear(part)
				chunk = c
			}
			f.AddBlockT(part, bi, y, gt, buf)
			last = bi
		}
	}
	if chunk >= 0 {
		fwht.AddTo(acc, part)
	}
	f.FinishT(dst, acc)
}
