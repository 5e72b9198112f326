package cpu

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
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

// DefaultSpin is how long, by default, a pool worker polls for the next
// chunk after finishing one, and a caller polls for its workers to finish,
// before parking. The environment variable IDIM_SPIN_US overrides it for a
// process (microseconds; 0 parks at once), SetSpin for a test.
const DefaultSpin = 50 * time.Microsecond

// maxSpin bounds IDIM_SPIN_US and SetSpin: polling longer than this costs
// more CPU time than a goroutine wake-up ever does.
const maxSpin = 10 * time.Millisecond

// spinNs is the current poll window in nanoseconds.
var spinNs atomic.Int64

func init() {
	d, err := parseSpin(os.Getenv("IDIM_SPIN_US"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "idim:", err)
	}
	spinNs.Store(int64(d))
}

// parseSpin reads IDIM_SPIN_US; an empty value means DefaultSpin, and a bad
// one DefaultSpin with an error.
func parseSpin(s string) (time.Duration, error) {
	if s == "" {
		return DefaultSpin, nil
	}
	us, err := strconv.Atoi(s)
	if err != nil || us < 0 || time.Duration(us)*time.Microsecond > maxSpin {
		return DefaultSpin, fmt.Errorf("IDIM_SPIN_US=%q: want whole microseconds in 0..%d; using %d",
			s, maxSpin/time.Microsecond, DefaultSpin/time.Microsecond)
	}
	return time.Duration(us) * time.Microsecond, nil
}

// Spin is the current poll window (see DefaultSpin).
func Spin() time.Duration { return time.Duration(spinNs.Load()) }

// SetSpin sets the poll window for the whole process (clamped to
// 0..10ms; 0 parks at once) and returns a function that restores the old one:
//
//	defer cpu.SetSpin(0)()
//
// Workers that are already parked stay parked until the next call wakes them.
func SetSpin(d time.Duration) (restore func()) {
	d = min(max(d, 0), maxSpin)
	old := spinNs.Swap(int64(d))
	return func() { spinNs.Store(old) }
}

// States of a worker's slot.
const (
	slotIdle   int32 = iota // no chunk; the worker polls or is about to park
	slotPosted              // a chunk is in the slot
	slotParked              // the worker sleeps on wake
)

// States of the caller waiting for its chunks.
const (
	waitRunning int32 = iota // chunks outstanding; the caller polls
	waitParked               // the caller sleeps on pool.done
	waitDone                 // every chunk has finished
)

// slot hands one chunk to one worker. The caller fills task, lo and hi, then
// swaps state to slotPosted; if the worker had parked, it also sends on wake.
// The worker parks only by moving state from slotIdle to slotParked, so a
// chunk is never posted without the worker either seeing it or being woken.
type slot struct {
	state  atomic.Int32
	task   Task
	lo, hi int
	wake   chan struct{}
	_      [128 - 4 - 4 - 16 - 16 - 8]byte // one slot per pair of cache lines
}

type pool struct {
	once    sync.Once
	n       int
	slots   []slot     // slots[i] feeds worker i; slots[0] is unused (the caller)
	callers sync.Mutex // one Parallel call uses the pool at a time
	// beforePark, when set before the pool starts, runs between the end of
	// a poll and parking: tests widen that window with it.
	beforePark func()
	// yield, when set before the pool starts, replaces runtime.Gosched
	// between polls (tests).
	yield func()
	// clock, when set before the pool starts, replaces now (tests).
	clock func() int64
	// quietUntil (a now() value) is when polling resumes after a poller
	// found itself descheduled.
	quietUntil atomic.Int64
	quietLen   atomic.Int64 // the last quiet period's length
	_          [64]byte
	// remaining counts the posted chunks not yet finished; the worker that
	// brings it to zero moves waiter to waitDone and wakes a parked caller.
	remaining atomic.Int32
	waiter    atomic.Int32
	done      chan struct{}
	_         [64]byte
}

var thePool pool

func (p *pool) start() { p.startN(runtime.GOMAXPROCS(0)) }

// startN starts a pool of n workers (the caller and n-1 goroutines) unless
// it has started already.
func (p *pool) startN(n int) {
	p.once.Do(func() {
		p.n = max(n, 1)
		p.slots = make([]slot, p.n)
		p.done = make(chan struct{}, 1)
		for i := 1; i < p.n; i++ {
			p.slots[i].wake = make(chan struct{}, 1)
			go p.work(i)
		}
	})
}

// work is worker id's loop: wait for a chunk (polling for the spin window,
// then parked), run it, report it done.
func (p *pool) work(id int) {
	s := &p.slots[id]
	for {
		if !p.poll(&s.state, slotPosted) {
			if p.beforePark != nil {
				p.beforePark()
			}
			if s.state.CompareAndSwap(slotIdle, slotParked) {
				<-s.wake // the caller swapped in slotPosted and saw slotParked
			}
		}
		t, lo, hi := s.task, s.lo, s.hi
		s.task = nil // do not keep the caller's task alive
		t.Run(id, lo, hi)
		s.state.Store(slotIdle)
		if p.remaining.Add(-1) == 0 && p.waiter.Swap(waitDone) == waitParked {
			p.done <- struct{}{}
		}
	}
}

// Polling stops for a quiet period once a poller finds that one burst of
// loads (well under a microsecond on a CPU of its own) took longer than
// descheduled: the OS took its thread off the CPU, so the machine is
// oversubscribed, a polling thread takes CPU time from the threads doing the
// work, and parking costs less. Only the loads are timed, not the yields
// between bursts, which may legitimately run other goroutines (such as a
// worker woken onto the poller's P) for longer. The quiet period starts at
// quietFor and doubles, up to maxQuiet, each time polling is caught
// descheduled again within calmFor of the last quiet period's end.
const (
	descheduled = 20 * time.Microsecond
	quietFor    = 10 * time.Millisecond
	maxQuiet    = 640 * time.Millisecond
	calmFor     = 100 * time.Millisecond
	burst       = 256
)

// descheduledAt starts a quiet period at time t.
func (p *pool) descheduledAt(t int64) {
	q := p.quietLen.Load()
	if q == 0 || t-p.quietUntil.Load() > int64(calmFor) {
		q = int64(quietFor)
	} else {
		q = min(2*q, int64(maxQuiet))
	}
	p.quietLen.Store(q)
	p.quietUntil.Store(t + q)
}

// epoch is the origin of the monotonic clock now reads.
var epoch = time.Now()

func now() int64 { return int64(time.Since(epoch)) }

func (p *pool) now() int64 {
	if p.clock != nil {
		return p.clock()
	}
	return now()
}

// poll reports whether a reaches v within the spin window. It polls in short
// bursts and yields the P between them (runtime.Gosched), so other goroutines,
// including a worker just woken onto this P, still run.
func (p *pool) poll(a *atomic.Int32, v int32) bool {
	if a.Load() == v {
		return true
	}
	window := spinNs.Load()
	if window <= 0 {
		return false
	}
	start := p.now()
	if start < p.quietUntil.Load() {
		return false
	}
	for t0 := start; ; t0 = p.now() {
		for range burst {
			if a.Load() == v {
				return true
			}
		}
		t := p.now()
		if t-t0 > int64(descheduled) {
			p.descheduledAt(t)
			return a.Load() == v
		}
		if t-start >= window {
			return a.Load() == v
		}
		if p.yield != nil {
			p.yield()
		} else {
			runtime.Gosched()
		}
	}
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
//
// Between calls the workers poll for the next chunk for Spin() before they
// park, and the caller polls as long for the last chunk to finish, so that
// back-to-back calls skip the goroutine wake-ups (tens of microseconds on a
// busy machine). An idle pool parks after that window and burns no CPU. A
// poller that finds it lost the CPU for a while (an oversubscribed machine)
// stops all polling for 10 ms, longer (up to 640 ms) if that keeps happening.
func Parallel(n, grain, threads int, task Task) {
	if n <= 0 {
		return
	}
	thePool.start()
	thePool.parallel(n, grain, threads, task)
}

func (p *pool) parallel(n, grain, threads int, task Task) {
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
	// Chunks after the first go to workers 1, 2, ...; count them first.
	chunks := 0
	for lo := per; lo < n; lo += per {
		chunks++
	}
	if chunks == 0 {
		task.Run(0, 0, n)
		return
	}
	p.waiter.Store(waitRunning)
	p.remaining.Store(int32(chunks))
	worker := 1
	for lo := per; lo < n; lo += per {
		s := &p.slots[worker]
		s.task, s.lo, s.hi = task, lo, min(lo+per, n)
		if s.state.Swap(slotPosted) == slotParked {
			s.wake <- struct{}{}
		}
		worker++
	}
	task.Run(0, 0, per)
	if !p.poll(&p.waiter, waitDone) {
		if p.beforePark != nil {
			p.beforePark()
		}
		if p.waiter.CompareAndSwap(waitRunning, waitParked) {
			<-p.done // the last worker swapped in waitDone and saw waitParked
		}
	}
}

// ParallelFor is Parallel for a plain function over [0, n).
func ParallelFor(n, grain int, f func(lo, hi int)) {
	Parallel(n, grain, 0, TaskFunc(func(_, lo, hi int) { f(lo, hi) }))
}
