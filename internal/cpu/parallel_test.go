package cpu

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"
)

// spins are the poll windows the pool tests run under: park at once, a
// window shorter than a Gosched round trip, and the default.
var spins = []time.Duration{0, time.Microsecond, DefaultSpin}

// checkTask records which worker ran each index and fails on overlaps.
type checkTask struct {
	hits    []atomic.Int32
	busy    []atomic.Int32 // per worker: >0 while a Run with that id is active
	clash   atomic.Int32
	maxWork int
}

func newCheckTask(n, workers int) *checkTask {
	return &checkTask{hits: make([]atomic.Int32, n), busy: make([]atomic.Int32, workers), maxWork: workers}
}

func (c *checkTask) Run(worker, lo, hi int) {
	if worker < 0 || worker >= c.maxWork || c.busy[worker].Add(1) != 1 {
		c.clash.Add(1)
		return
	}
	for i := lo; i < hi; i++ {
		c.hits[i].Add(1)
	}
	c.busy[worker].Add(-1)
}

func (c *checkTask) verify(t *testing.T, what string) {
	t.Helper()
	if c.clash.Load() != 0 {
		t.Fatalf("%s: a worker id was out of range or used by two chunks at once", what)
	}
	for i := range c.hits {
		if h := c.hits[i].Swap(0); h != 1 {
			t.Fatalf("%s: index %d ran %d times", what, i, h)
		}
	}
}

func TestParseSpin(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", DefaultSpin, true}, {"0", 0, true}, {"200", 200 * time.Microsecond, true},
		{"10000", maxSpin, true}, {"10001", DefaultSpin, false}, {"-1", DefaultSpin, false},
		{"1.5", DefaultSpin, false}, {"fast", DefaultSpin, false},
	} {
		got, err := parseSpin(c.in)
		if got != c.want || (err == nil) != c.ok {
			t.Errorf("parseSpin(%q) = %v, %v; want %v, ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestSetSpinRestores(t *testing.T) {
	old := Spin()
	func() {
		defer SetSpin(-5 * time.Second)()
		if Spin() != 0 {
			t.Fatalf("negative window gave %v", Spin())
		}
		defer SetSpin(time.Hour)()
		if Spin() != maxSpin {
			t.Fatalf("an hour gave %v, want %v", Spin(), maxSpin)
		}
	}()
	if Spin() != old {
		t.Fatalf("restored %v, want %v", Spin(), old)
	}
}

func TestSlotSize(t *testing.T) {
	if s := unsafe.Sizeof(slot{}); unsafe.Sizeof(uintptr(0)) == 8 && s != 128 {
		t.Fatalf("slot is %d bytes, want 128", s)
	}
}

// TestPoolStress makes many short calls from several goroutines at once on
// pools of 1..8 workers (more than this machine has cores), with every
// thread count, sizes 0..40 and random grains, under each poll window, and
// checks that every index runs exactly once and worker ids never clash.
// Run it with -race: a lost or doubled hand-off shows as a hang, a count or
// a data race on the slot fields.
func TestPoolStress(t *testing.T) {
	calls := 400
	if testing.Short() {
		calls = 60
	}
	for _, spin := range spins {
		for _, workers := range []int{1, 2, 3, 8} {
			t.Run(fmt.Sprintf("spin=%v/workers=%d", spin, workers), func(t *testing.T) {
				defer SetSpin(spin)()
				p := new(pool)
				p.startN(workers)
				var wg sync.WaitGroup
				errs := make(chan string, 4)
				for g := range 4 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						r := rand.New(rand.NewPCG(uint64(g), uint64(workers)))
						c := newCheckTask(41, workers)
						for i := range calls {
							n := r.IntN(41)
							grain := 1 + r.IntN(6)
							threads := i%(workers+2) - 1 // -1, 0, 1, ..., workers
							p.parallel(n, grain, threads, c)
							if c.clash.Load() != 0 {
								errs <- fmt.Sprintf("goroutine %d call %d: worker clash", g, i)
								return
							}
							for j := range c.hits {
								want := int32(0)
								if j < n {
									want = 1
								}
								if h := c.hits[j].Swap(0); h != want {
									errs <- fmt.Sprintf("goroutine %d call %d (n=%d grain=%d threads=%d): index %d ran %d times",
										g, i, n, grain, threads, j, h)
									return
								}
							}
							if i%50 == 0 {
								time.Sleep(time.Duration(r.IntN(100)) * time.Microsecond) // let workers park
							}
						}
					}()
				}
				wg.Wait()
				close(errs)
				for e := range errs {
					t.Error(e)
				}
			})
		}
	}
}

// TestPoolAfterPark alternates calls with pauses longer than the poll window,
// so every call must wake parked workers, and with back-to-back calls that
// find them polling.
func TestPoolAfterPark(t *testing.T) {
	for _, spin := range spins {
		defer SetSpin(spin)()
		p := new(pool)
		p.startN(4)
		c := newCheckTask(1000, 4)
		for i := range 40 {
			p.parallel(1000, 7, 0, c)
			c.verify(t, fmt.Sprintf("spin=%v call %d", spin, i))
			if i%4 == 0 {
				time.Sleep(spin + 200*time.Microsecond)
			}
		}
	}
}

// TestPoolParksWhenIdle checks that the poll window ends: once calls stop,
// every worker parks instead of polling on.
func TestPoolParksWhenIdle(t *testing.T) {
	defer SetSpin(DefaultSpin)()
	p := new(pool)
	p.startN(4)
	c := newCheckTask(64, 4)
	p.parallel(64, 1, 0, c)
	c.verify(t, "first call")
	deadline := time.Now().Add(5 * time.Second)
	for i := 1; i < p.n; i++ {
		for p.slots[i].state.Load() != slotParked {
			if time.Now().After(deadline) {
				t.Fatalf("worker %d still not parked 5 s after the last call (window %v)", i, DefaultSpin)
			}
			time.Sleep(time.Millisecond)
		}
	}
	// And the pool still works after parking.
	p.parallel(64, 1, 0, c)
	c.verify(t, "call after parking")
}

// TestPoolNestedStress runs calls inside chunks of calls on a shared pool:
// the inner calls find the pool held and run inline.
func TestPoolNestedStress(t *testing.T) {
	for _, spin := range spins {
		defer SetSpin(spin)()
		p := new(pool)
		p.startN(3)
		var total atomic.Int64
		outer := TaskFunc(func(_, lo, hi int) {
			for range hi - lo {
				p.parallel(50, 1, 0, TaskFunc(func(_, lo, hi int) { total.Add(int64(hi - lo)) }))
			}
		})
		for range 20 {
			total.Store(0)
			p.parallel(9, 1, 0, outer)
			if total.Load() != 9*50 {
				t.Fatalf("spin=%v: nested total %d, want %d", spin, total.Load(), 9*50)
			}
		}
	}
}

func TestPoolNoAllocWhileParked(t *testing.T) {
	defer SetSpin(0)() // every call wakes parked workers through the channels
	c := &countTask{hits: make([]atomic.Int32, 4096)}
	Parallel(4096, 64, 0, c)
	allocs := testing.AllocsPerRun(100, func() { Parallel(4096, 64, 0, c) })
	if allocs != 0 {
		t.Fatalf("Parallel allocates %.1f times per call", allocs)
	}
}

// startTask records when workers 0 and 1 start their chunks, then does a
// fixed amount of arithmetic per index.
type startTask struct {
	t0    time.Time
	start [2]time.Duration
	sink  [2]float64
	iters int
}

func (s *startTask) Run(worker, lo, hi int) {
	if worker < 2 {
		s.start[worker] = time.Since(s.t0)
	}
	x := 1.0
	for range (hi - lo) * s.iters {
		x = x*0.999999 + 1e-9
	}
	s.sink[worker&1] += x
}

// BenchmarkParallelStart measures how late the second chunk of a two-way
// call starts (us-start, median over calls) when calls come back to back
// with a little serial work between them, as in a training step, with the
// workers parking at once (spin=0) and polling (spin=default). Sub-benchmarks
// alternate under -count.
func BenchmarkParallelStart(b *testing.B) {
	if Workers() < 2 {
		b.Skip("one worker")
	}
	for _, spin := range []time.Duration{0, DefaultSpin, 200 * time.Microsecond} {
		for _, chunkIters := range []int{200, 5000} { // about 0.4 and 10 us per chunk
			b.Run(fmt.Sprintf("spin=%dus/chunk=%d", spin/time.Microsecond, chunkIters), func(b *testing.B) {
				defer SetSpin(spin)()
				s := &startTask{iters: chunkIters}
				serial := &startTask{iters: chunkIters}
				var delays []time.Duration
				for b.Loop() {
					serial.Run(2, 0, 2) // serial work between calls
					s.t0 = time.Now()
					Parallel(2, 1, 2, s)
					delays = append(delays, s.start[1])
				}
				sort.Slice(delays, func(i, j int) bool { return delays[i] < delays[j] })
				b.ReportMetric(float64(delays[len(delays)/2].Nanoseconds())/1e3, "us-start")
				b.ReportMetric(float64(delays[len(delays)*9/10].Nanoseconds())/1e3, "us-start-p90")
			})
		}
	}
}

// TestPoolParkRace times calls to land when workers are giving up polling:
// poll windows of a few microseconds and gaps between calls of the same
// order. A hand-off lost between a worker's last poll and its parking hangs
// the call; the watchdog reports it.
func TestPoolParkRace(t *testing.T) {
	calls := 20000
	if testing.Short() {
		calls = 3000
	}
	r := rand.New(rand.NewPCG(1, 2))
	p := &pool{beforePark: func() {
		if r := rand.Uint32(); r%2 == 0 {
			runtime.Gosched()
		} else {
			for t0 := time.Now(); time.Since(t0) < time.Duration(r%4000); {
			}
		}
	}}
	p.startN(2)
	c := newCheckTask(2, 2)
	var progress atomic.Int64
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		last := int64(-1)
		for {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Second):
			}
			if now := progress.Load(); now == last {
				panic(fmt.Sprintf("TestPoolParkRace: call %d has not returned for 10 s: a lost wake-up", now))
			} else {
				last = now
			}
		}
	}()
	for i := range calls {
		if i%500 == 0 {
			SetSpin(time.Duration(i/500%6) * time.Microsecond)
		}
		for t0 := time.Now(); time.Since(t0) < time.Duration(r.IntN(8000)); {
		}
		p.parallel(2, 1, 2, c)
		c.verify(t, fmt.Sprintf("call %d", i))
		progress.Add(1)
	}
	SetSpin(DefaultSpin)
}

// TestPollQuiet checks the oversubscription guard on a fake clock: a poller
// whose burst of loads took longer than descheduled stops, and nobody polls
// until the quiet period ends; a value already there is still seen; long
// yields between bursts (other goroutines running) do not count.
func TestPollQuiet(t *testing.T) {
	defer SetSpin(DefaultSpin)()
	var clock int64 = 1e9
	var yields atomic.Int32
	p := &pool{
		clock: func() int64 { clock += int64(2 * descheduled); return clock },
		yield: func() { yields.Add(1) },
	}
	var a atomic.Int32
	if p.poll(&a, 1) {
		t.Fatal("poll saw a value nobody stored")
	}
	if yields.Load() != 0 || p.quietUntil.Load() != clock+int64(quietFor) {
		t.Fatalf("descheduled poller: %d yields, quiet until %d, want %d",
			yields.Load(), p.quietUntil.Load(), clock+int64(quietFor))
	}
	if p.poll(&a, 1) || yields.Load() != 0 {
		t.Fatalf("polled during the quiet period (%d yields)", yields.Load())
	}
	a.Store(1)
	if !p.poll(&a, 1) {
		t.Fatal("missed a value already there")
	}
	// Caught again right after the quiet period: it doubles, up to maxQuiet.
	for want := 2 * quietFor; want <= 2*maxQuiet; want *= 2 {
		clock = p.quietUntil.Load()
		if p.poll(&a, 2) || yields.Load() != 0 {
			t.Fatalf("after the quiet period: %d yields before being descheduled again", yields.Load())
		}
		if got := time.Duration(p.quietLen.Load()); got != min(want, maxQuiet) || p.quietUntil.Load() != clock+int64(got) {
			t.Fatalf("quiet period %v (until %d, now %d), want %v", got, p.quietUntil.Load(), clock, min(want, maxQuiet))
		}
	}
	// Caught after polling undisturbed for longer than calmFor: back to quietFor.
	clock = p.quietUntil.Load() + int64(calmFor)
	p.poll(&a, 2)
	if got := time.Duration(p.quietLen.Load()); got != quietFor {
		t.Fatalf("quiet period after a calm spell %v, want %v", got, quietFor)
	}

	// Bursts take 1 us, yields 9 us: the poller keeps polling for the
	// whole window, DefaultSpin / 10us bursts.
	clock = 0
	q := &pool{
		clock: func() int64 { clock += int64(time.Microsecond) / 2; return clock },
		yield: func() { yields.Add(1); clock += int64(9 * time.Microsecond) },
	}
	yields.Store(0)
	if q.poll(&a, 2) {
		t.Fatal("poll saw a value nobody stored")
	}
	if want := int32(DefaultSpin / (10 * time.Microsecond)); q.quietUntil.Load() != 0 || yields.Load() < want-1 || yields.Load() > want {
		t.Fatalf("long yields: quiet until %d, %d yields, want 0 and %d", q.quietUntil.Load(), yields.Load(), want)
	}
}
