package gemm

import (
	"sync"
	"sync/atomic"

	"github.com/idim-go/idim/internal/cpu"
)

// batchTask runs whole items of a batch, one worker per item.
type batchTask struct {
	p                         problem
	strideA, strideB, strideC int
	batch                     int
	next                      atomic.Int64 // next item to take
}

var batchPool = sync.Pool{New: func() any { return new(batchTask) }}

// item returns product i of the batch.
func item(p *problem, strideA, strideB, strideC, i int) problem {
	q := *p
	q.c = p.c[i*strideC:]
	if p.m > 0 && p.n > 0 && p.k > 0 && p.alpha != 0 {
		q.a = p.a[i*strideA:]
		q.b = p.b[i*strideB:]
	}
	return q
}

// Run takes items until none are left (see task.Run).
func (t *batchTask) Run(_, _, _ int) {
	for {
		i := int(t.next.Add(1) - 1)
		if i >= t.batch {
			return
		}
		q := item(&t.p, t.strideA, t.strideB, t.strideC, i)
		run(1, &q)
	}
}

// runBatched computes every item: item-parallel when there are enough
// items (or they are small), else one item after another, each on all
// workers. strideC == 0 always runs in order.
func runBatched(threads int, p *problem, strideA, strideB, strideC, batch int) {
	w := workers(threads, p.m, p.n, p.k*batch)
	if w > 1 && strideC != 0 && batch > 1 && (batch >= 4*w || p.m*p.n*p.k < 4*parallelMin) {
		t := batchPool.Get().(*batchTask)
		t.p, t.strideA, t.strideB, t.strideC, t.batch = *p, strideA, strideB, strideC, batch
		t.next.Store(0)
		cpu.Parallel(w, 1, w, t)
		t.p = problem{}
		batchPool.Put(t)
		return
	}
	for i := 0; i < batch; i++ {
		q := item(p, strideA, strideB, strideC, i)
		run(threads, &q)
	}
}
