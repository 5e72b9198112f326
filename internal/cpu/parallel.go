package cpu

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Task is work that can be split over a range of indices. Run is called
// concurrently on disjoint half-open ranges [lo, hi); worker is in
// [0, Workers()) and no two concurrent calls share it, so a Task may keep
// per-worker scratch space indexed by it.
//
// Passing a pointer to a long-lived Task value to Parallel does not allocate.
type Task interface {
	Run(worker, lo, hi int)
}

// TaskFunc adapts a function to Task. Converting a closure to TaskFunc
// allocates if the closure captures variables; hot paths use a Task type.
type TaskFunc func(worker, lo, hi int)

// Run calls f(worker, lo, hi).
func (f TaskFunc) Run(worker, lo, hi int) { f(worker, lo, hi) }

type job struct {
	task      Task
	worker    int
	lo, hi    int
	remaining *atomic.Int32
	done      chan struct{}
}

type pool struct {
	once    sync.Once
	n       int
	jobs    chan job
	callers sync.Mutex // one Parallel call uses the pool at a time
	counter atomic.Int32
	done    chan struct{}
}

var thePool pool

func (p *pool) start() {
	p.once.Do(func() {
		p.n = runtime.GOMAXPROCS(0)
		if p.n < 1 {
			p.n = 1
		}
		p.jobs = make(chan job, p.n)
		p.done = make(chan struct{}, 1)
		for i := 1; i < p.n; i++ {
			go func() {
				for j := range p.jobs {
					j.task.Run(j.worker, j.lo, j.hi)
					if j.remaining.Add(-1) == 0 {
						j.done <- struct{}{}
					}
				}
			}()
		}
	})
}

// Workers is the number of workers Parallel splits work over: GOMAXPROCS at
// the first use of the pool.
func Workers() int {
	thePool.start()
	return thePool.n
}

// Parallel runs task over [0, n) split into at most min(Workers(), threads)
// contiguous chunks whose bounds are multiples of grain (except the last).
// threads <= 0 means Workers(). The calling goroutine runs the first chunk
// itself. Parallel returns when every chunk is done. While one call holds
// the pool, a concurrent or nested call runs its whole range on its own
// goroutine (worker 0): correct, never deadlocking, just not parallel.
func Parallel(n, grain, threads int, task Task) {
	if n <= 0 {
		return
	}
	p := &thePool
	p.start()
	if grain < 1 {
		grain = 1
	}
	w := p.n
	if threads > 0 && threads < w {
		w = threads
	}
	blocks := (n + grain - 1) / grain
	if blocks < w {
		w = blocks
	}
	if w <= 1 || !p.callers.TryLock() {
		// One chunk, or the pool is busy (a nested call): run inline.
		task.Run(0, 0, n)
		return
	}
	defer p.callers.Unlock()
	per := (blocks + w - 1) / w * grain
	// Chunks after the first go to the pool; count them first.
	chunks := 0
	for lo := per; lo < n; lo += per {
		chunks++
	}
	p.counter.Store(int32(chunks))
	worker := 1
	for lo := per; lo < n; lo += per {
		hi := min(lo+per, n)
		p.jobs <- job{task: task, worker: worker, lo: lo, hi: hi, remaining: &p.counter, done: p.done}
		worker++
	}
	task.Run(0, 0, min(per, n))
	if chunks > 0 {
		<-p.done
	}
}

// ParallelFor is Parallel for a plain function over [0, n).
func ParallelFor(n, grain int, f func(lo, hi int)) {
	Parallel(n, grain, 0, TaskFunc(func(_, lo, hi int) { f(lo, hi) }))
}
