package subspace

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/idim-go/idim/internal/cpu"
)

// Method is DID or SAID.
type Method int

const (
	// DID: theta_t = theta_0,t + P_t(theta_d).
	DID Method = iota
	// SAID: theta_t = theta_0,t + lambda_t * P_t(theta_{d-m}), one learned
	// lambda per wrapped tensor.
	SAID
)

func (m Method) String() string {
	switch m {
	case DID:
		return "did"
	case SAID:
		return "said"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// ParseMethod is the inverse of Method.String (case-insensitive).
func ParseMethod(s string) (Method, error) {
	switch strings.ToLower(s) {
	case "did":
		return DID, nil
	case "said":
		return SAID, nil
	}
	return 0, fmt.Errorf("subspace: unknown method %q (want did or said)", s)
}

// LambdaInit chooses SAID's initial lambda_t (DID has no lambdas).
//
// The paper's SAID, theta_t = theta_0,t + lambda_t P_t(theta_{d-m}), leaves
// the initial lambdas open. The projector's columns are normalised per
// tensor, so with every lambda_t = 1 a step in theta_{d-m} moves each
// wrapped tensor by the same norm: a 128-entry bias moves as far as a
// 1M-entry embedding. LambdaSize scales each tensor's move by its size
// instead (lambda_t = sqrt(n_t/n_max), so per-entry moves are equal across
// tensors): on idim-tiny/sentiment it is what lets SAID reach 90% of full
// fine-tuning (d=3000, lr 1e-2, 10 epochs: dev 0.786/0.746/0.749 over
// seeds 1-3 against the 0.7375 threshold), where lambda_t = 1 plateaus
// below it at every setting tried (EXPERIMENTS.md section 5).
type LambdaInit int

const (
	// LambdaOne starts every lambda_t at 1 (the zero value, for API
	// compatibility; the train and CLI layers default to LambdaSize).
	LambdaOne LambdaInit = iota
	// LambdaSize starts lambda_t at sqrt(n_t / n_max), n_t the size of
	// wrapped tensor t and n_max the largest wrapped tensor's.
	LambdaSize
)

func (l LambdaInit) String() string {
	switch l {
	case LambdaOne:
		return "one"
	case LambdaSize:
		return "size"
	}
	return fmt.Sprintf("LambdaInit(%d)", int(l))
}

// ParseLambdaInit is the inverse of LambdaInit.String (case-insensitive).
func ParseLambdaInit(s string) (LambdaInit, error) {
	switch strings.ToLower(s) {
	case "one":
		return LambdaOne, nil
	case "size":
		return LambdaSize, nil
	}
	return 0, fmt.Errorf("subspace: unknown lambda init %q (want one or size)", s)
}

// Config chooses the subspace.
type Config struct {
	Method Method
	Kind   Kind // projector family
	// D is the number of trainable values, SAID's lambdas included (so SAID
	// needs D > number of wrapped tensors).
	D    int
	Seed uint64
	// Include picks the tensors to wrap by name; nil wraps all. Tensors left
	// out stay frozen at their initial values (and still count in "all
	// params").
	Include func(name string) bool
	// Threads caps the workers used (<= 0: all of internal/cpu's).
	Threads int
	// LambdaInit sets SAID's initial lambdas (ignored for DID). The
	// zero value is LambdaOne.
	LambdaInit LambdaInit
	// Incremental keeps no copy of theta_0 (FastfoodBlock only): the
	// tensors hold theta_t, and Apply adds P_t(lambda'_t theta' -
	// lambda_t theta), the change since the last Apply, by linearity.
	// It saves 4 bytes per wrapped parameter but is not exact: every
	// Apply that changes theta rounds each value once more in float32 (a
	// random walk of about sqrt(Applies) half-ulps of the value, besides
	// the projection's own rounding of the change), so the trained
	// tensors drift from theta_0 + lambda_t P_t(theta) as an adapter
	// reloads it (exact) by that much. Tensors given a Param.Base use it
	// exactly. The base hash for adapters is taken at New.
	Incremental bool
}

// Exclude returns an Include filter that wraps every tensor whose name
// contains none of the given substrings, e.g. Exclude("embeddings").
func Exclude(substrings ...string) func(string) bool {
	return func(name string) bool {
		for _, s := range substrings {
			if strings.Contains(name, s) {
				return false
			}
		}
		return true
	}
}

// Param is one named float32 tensor in host memory.
type Param struct {
	Name  string
	Shape []int
	// Data holds the live values; Apply overwrites wrapped tensors' Data.
	Data []float32
	// Grad is the gradient of the loss with respect to Data, read by Grad
	// (nil for a tensor that gets no gradient: it contributes nothing).
	Grad []float32
	// Base optionally gives theta_0 without a copy (for example a read-only
	// mapping of a checkpoint); nil: New keeps a copy of Data.
	Base []float32
}

// TensorInfo names one wrapped tensor.
type TensorInfo struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
}

// Counts are the parameter counts of the "trainable params" line.
type Counts struct {
	Trainable int   // d (lambdas included)
	Wrapped   int64 // elements of the wrapped tensors
	All       int64 // elements of every tensor given, wrapped or frozen
}

// String is "trainable params: d || all params: D || trainable%: X".
func (c Counts) String() string {
	pct := 0.0
	if c.All > 0 {
		pct = 100 * float64(c.Trainable) / float64(c.All)
	}
	return fmt.Sprintf("trainable params: %d || all params: %d || trainable%%: %.6f", c.Trainable, c.All, pct)
}

// tensorIO moves one tensor's values and gradient between the subspace and
// wherever the tensor lives. hostData returns a slice to use in place when
// there is one; otherwise values go through putData (from a worker's
// staging buffer).
type tensorIO interface {
	hostData() ([]float32, bool)
	readData(dst []float32)
	putData(src []float32)
	// grad returns the gradient of n values: in place, or copied into
	// *staging (grown to n only then, so a host tensor never needs a
	// staging copy); ok is false when there is none.
	grad(staging *[]float32, n int) (g []float32, ok bool)
}

type hostIO struct{ data, g []float32 }

func (h hostIO) hostData() ([]float32, bool)            { return h.data, true }
func (h hostIO) readData(dst []float32)                 { copy(dst, h.data) }
func (h hostIO) putData([]float32)                      {}
func (h hostIO) grad(*[]float32, int) ([]float32, bool) { return h.g, h.g != nil }

type wrapped struct {
	info TensorInfo
	n    int
	base []float32
	proj Projector
	io   tensorIO
	big  bool // projected on the caller's goroutine with internal parallelism
}

// Subspace maps a trainable vector into a set of named tensors. Its
// methods are not safe for concurrent use (Apply and Grad parallelise
// internally over tensors, and over the elements of large Fastfood
// tensors). Config.Threads caps the workers of the loop over tensors.
type Subspace struct {
	cfg     Config
	dProj   int // length of the vector the projectors see: d (DID) or d-m (SAID)
	theta   []float32
	tensors []wrapped
	big     []int // indices into tensors
	small   []int
	counts  Counts
	workers []worker
	apply   applyTask
	grad    gradTask
	// The gradient is summed per group of tensors (fixed at New, whatever
	// the number of workers), then over groups in order: Grad returns the
	// same bits on every run and thread count.
	groups   [][]int     // small tensors of each group, in order
	bigGroup []int       // group of each big tensor (parallel to big)
	groupAcc [][]float64 // per group, length d
	blk      blockState  // blocked Fastfood tensors split over workers
	rows     rowScratch  // blockGradRows
	applied  []float32   // Incremental: the Theta the tensors hold
	baseHash string      // Incremental: BaseHash taken at New
}

type worker struct {
	ws      Workspace
	staging []float32
	u       []float32 // P_t^T g_t
	delta   []float32 // Incremental: lambda'_t theta' - lambda_t theta
}

// New wraps the tensors of params that cfg.Include selects. It keeps a copy
// of theta_0 for each (unless Param.Base gives it) and builds the
// projectors; the trainable vector starts at theta_d = 0 and, for SAID,
// lambda_t = 1 (LambdaOne: SAID's first steps then move theta_{d-m} exactly
// as DID's would) or sqrt(n_t/n_max) (LambdaSize); either way the model
// starts exactly at theta_0.
func New(cfg Config, params []Param) (*Subspace, error) {
	ios := make([]tensorIO, len(params))
	for i := range params {
		ios[i] = hostIO{params[i].Data, params[i].Grad}
	}
	return newSubspace(cfg, params, ios)
}

func newSubspace(cfg Config, params []Param, ios []tensorIO) (*Subspace, error) {
	if cfg.Method != DID && cfg.Method != SAID {
		return nil, fmt.Errorf("subspace: unknown method %v", cfg.Method)
	}
	if cfg.Kind < Fastfood || cfg.Kind > FastfoodBlock {
		return nil, fmt.Errorf("subspace: unknown projector kind %v", cfg.Kind)
	}
	if cfg.LambdaInit != LambdaOne && cfg.LambdaInit != LambdaSize {
		return nil, fmt.Errorf("subspace: unknown lambda init %v", cfg.LambdaInit)
	}
	if cfg.Incremental && cfg.Kind != FastfoodBlock {
		return nil, fmt.Errorf("subspace: Incremental needs the fastfood-block projector, not %v", cfg.Kind)
	}
	s := &Subspace{cfg: cfg}
	seen := map[string]bool{}
	var sel []int
	for i := range params {
		p := &params[i]
		if p.Name == "" {
			return nil, fmt.Errorf("subspace: parameter %d has no name", i)
		}
		if seen[p.Name] {
			return nil, fmt.Errorf("subspace: parameter %q appears twice", p.Name)
		}
		seen[p.Name] = true
		n := 1
		for _, dim := range p.Shape {
			if dim < 0 {
				return nil, fmt.Errorf("subspace: parameter %q has shape %v", p.Name, p.Shape)
			}
			n *= dim
		}
		if data, ok := ios[i].hostData(); ok && len(data) != n {
			return nil, fmt.Errorf("subspace: parameter %q: shape %v has %d elements but Data has %d", p.Name, p.Shape, n, len(data))
		}
		if p.Base != nil && len(p.Base) != n {
			return nil, fmt.Errorf("subspace: parameter %q: shape %v has %d elements but Base has %d", p.Name, p.Shape, n, len(p.Base))
		}
		if p.Grad != nil && len(p.Grad) != n {
			return nil, fmt.Errorf("subspace: parameter %q: shape %v has %d elements but Grad has %d", p.Name, p.Shape, n, len(p.Grad))
		}
		s.counts.All += int64(n)
		if n > 0 && (cfg.Include == nil || cfg.Include(p.Name)) {
			sel = append(sel, i)
			s.counts.Wrapped += int64(n)
		}
	}
	if len(sel) == 0 {
		return nil, fmt.Errorf("subspace: no parameter selected (of %d given)", len(params))
	}
	m := len(sel)
	s.dProj = cfg.D
	if cfg.Method == SAID {
		s.dProj = cfg.D - m
		if s.dProj < 1 {
			return nil, fmt.Errorf("subspace: SAID with d=%d over %d tensors: d must exceed the number of tensors (one lambda each)", cfg.D, m)
		}
	} else if cfg.D < 1 {
		return nil, fmt.Errorf("subspace: d=%d, want at least 1", cfg.D)
	}
	s.counts.Trainable = cfg.D
	s.theta = make([]float32, cfg.D)
	for t := s.dProj; t < cfg.D; t++ {
		s.theta[t] = 1 // lambda
	}
	maxN := 0
	for _, i := range sel {
		p := &params[i]
		w := wrapped{info: TensorInfo{Name: p.Name, Shape: append([]int(nil), p.Shape...)}, io: ios[i], base: p.Base}
		w.n = 1
		for _, dim := range p.Shape {
			w.n *= dim
		}
		if w.base == nil && cfg.Incremental {
			if _, ok := ios[i].hostData(); !ok {
				return nil, fmt.Errorf("subspace: Incremental: parameter %q is not in host memory", p.Name)
			}
		} else if w.base == nil {
			w.base = make([]float32, w.n)
			ios[i].readData(w.base)
		}
		proj, err := NewProjector(cfg.Kind, cfg.Seed, p.Name, s.dProj, w.n)
		if err != nil {
			return nil, err
		}
		w.proj = proj
		switch ff := proj.(type) {
		case *FastfoodProjector:
			w.big = ff.L() >= ffParallelMin
		case *FastfoodSplitProjector:
			w.big = ff.maxL >= ffParallelMin
		case *FastfoodBlockProjector:
			w.big = w.n >= blockParallelMin
		}
		maxN = max(maxN, w.n)
		s.tensors = append(s.tensors, w)
	}
	if cfg.Method == SAID && cfg.LambdaInit == LambdaSize {
		for t, w := range s.tensors {
			s.theta[s.dProj+t] = float32(math.Sqrt(float64(w.n) / float64(maxN)))
		}
	}
	for t := range s.tensors {
		if s.tensors[t].big {
			s.big = append(s.big, t)
		} else {
			s.small = append(s.small, t)
		}
	}
	// Largest first: dynamic scheduling then balances well.
	sort.SliceStable(s.small, func(a, b int) bool { return s.tensors[s.small[a]].n > s.tensors[s.small[b]].n })
	nw := cpu.Workers()
	if cfg.Threads > 0 && cfg.Threads < nw {
		nw = cfg.Threads
	}
	s.workers = make([]worker, nw)
	// Size the scratch up front so that no call allocates: worker 0 also
	// runs the big tensors.
	scratch := [2]int{}
	for t, w := range s.tensors {
		need := 0
		switch ff := w.proj.(type) {
		case *FastfoodProjector:
			need = 2 * ff.L()
		case *FastfoodSplitProjector:
			need = ff.ScratchLen()
		case *FastfoodBlockProjector:
			need = ff.f.ScratchLen()
			if s.tensors[t].big {
				// Every worker runs blocks of it.
				scratch[1] = max(scratch[1], need)
				if len(s.blk.v) < ff.l {
					s.blk.v, s.blk.gt, s.blk.acc = make([]float32, ff.l), make([]float32, ff.l), make([]float32, ff.l)
					s.blk.slots = make([]float32, blockSlots*ff.l)
				}
			}
		}
		scratch[0] = max(scratch[0], need)
		if !s.tensors[t].big {
			scratch[1] = max(scratch[1], need)
		}
	}
	for i := range s.workers {
		s.workers[i].u = make([]float32, s.dProj)
		s.workers[i].ws.a = make([]float32, scratch[min(i, 1)])
	}
	// Groups: tensors by decreasing size dealt round-robin, for balance.
	order := make([]int, len(s.tensors))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return s.tensors[order[a]].n > s.tensors[order[b]].n })
	ng := min(gradGroups, len(order))
	groupOf := make([]int, len(s.tensors))
	for k, t := range order {
		groupOf[t] = k % ng
	}
	s.groups = make([][]int, ng)
	for _, t := range order {
		if !s.tensors[t].big {
			s.groups[groupOf[t]] = append(s.groups[groupOf[t]], t)
		}
	}
	for _, t := range s.big {
		s.bigGroup = append(s.bigGroup, groupOf[t])
	}
	s.groupAcc = make([][]float64, ng)
	for g := range s.groupAcc {
		s.groupAcc[g] = make([]float64, cfg.D)
	}
	s.apply.s, s.grad.s = s, s
	if cfg.Incremental {
		s.applied = slices.Clone(s.theta)
		for i := range s.workers {
			s.workers[i].delta = make([]float32, s.dProj)
		}
		h, err := s.BaseHash() // the tensors hold theta_0 now
		if err != nil {
			return nil, fmt.Errorf("subspace: hashing the base tensors: %w", err)
		}
		s.baseHash = h
	}
	return s, nil
}

// Theta is the trainable vector (length d): theta_d for DID; theta_{d-m}
// followed by the m lambdas (in Tensors order) for SAID. The optimizer
// updates it in place; Apply reads it.
func (s *Subspace) Theta() []float32 { return s.theta }

// Lambdas is SAID's tail of Theta (one per wrapped tensor), nil for DID.
func (s *Subspace) Lambdas() []float32 {
	if s.cfg.Method != SAID {
		return nil
	}
	return s.theta[s.dProj:]
}

// Config returns the configuration the subspace was built with.
func (s *Subspace) Config() Config { return s.cfg }

// ProjDim is the input dimension of the projectors: d for DID, d-m for SAID.
func (s *Subspace) ProjDim() int { return s.dProj }

// Counts returns the parameter counts.
func (s *Subspace) Counts() Counts { return s.counts }

// Summary is Counts().String(): "trainable params: d || all params: D ||
// trainable%: X".
func (s *Subspace) Summary() string { return s.counts.String() }

// Tensors lists the wrapped tensors in Theta's lambda order.
func (s *Subspace) Tensors() []TensorInfo {
	out := make([]TensorInfo, len(s.tensors))
	for i, w := range s.tensors {
		out[i] = w.info
	}
	return out
}

// Base returns theta_0 of a wrapped tensor (read-only), or nil.
func (s *Subspace) Base(name string) []float32 {
	for _, w := range s.tensors {
		if w.info.Name == name {
			return w.base
		}
	}
	return nil
}

// StateBytes is the memory the projectors keep (not theta_0, not the
// per-worker scratch).
func (s *Subspace) StateBytes() int64 {
	var b int64
	for _, w := range s.tensors {
		b += w.proj.StateBytes()
	}
	return b
}

func (s *Subspace) lambda(t int) float32 {
	if s.cfg.Method == SAID {
		return s.theta[s.dProj+t]
	}
	return 1
}

// Apply writes theta_t = theta_0,t + lambda_t P_t(theta) into every wrapped
// tensor (lambda_t = 1 for DID); with Config.Incremental it adds the
// change since the last Apply instead (nothing when Theta is unchanged).
func (s *Subspace) Apply() {
	if s.applied != nil && slices.Equal(s.applied, s.theta) {
		return
	}
	for _, t := range s.big {
		s.applyOne(&s.workers[0], t)
	}
	s.runSmall(&s.apply.next, &s.apply)
	if s.applied != nil {
		copy(s.applied, s.theta)
	}
}

func (s *Subspace) applyOne(w *worker, t int) {
	tw := &s.tensors[t]
	dst, inPlace := tw.io.hostData()
	if !inPlace {
		if cap(w.staging) < tw.n {
			w.staging = make([]float32, tw.n)
		}
		dst = w.staging[:tw.n]
	}
	if bp, ok := tw.proj.(*FastfoodBlockProjector); ok {
		// Fused: each block lands in the tensor while in cache.
		e := epilogue{dst: dst, base: tw.base, lam: s.lambda(t), scaled: s.cfg.Method == SAID}
		x := s.theta[:s.dProj]
		if tw.base == nil {
			// Incremental: dst += P(lambda' theta' - lambda theta).
			x = w.delta
			lam0, lam1 := 1.0, 1.0
			if s.cfg.Method == SAID {
				lam0, lam1 = float64(s.applied[s.dProj+t]), float64(s.lambda(t))
			}
			for j, v := range s.theta[:s.dProj] {
				x[j] = float32(lam1*float64(v) - lam0*float64(s.applied[j]))
			}
			e.scaled = false
		}
		if tw.big {
			s.blockApplyBig(bp, x, e)
		} else {
			a := w.ws.f32(&w.ws.a, bp.f.ScratchLen())
			v, gt, buf := a[:bp.l], a[bp.l:2*bp.l], a[2*bp.l:]
			bp.f.Prepare(v, gt, x)
			blockApplyRange(bp.f, &e, v, gt, buf, 0, bp.f.Blocks())
		}
		if !inPlace {
			tw.io.putData(dst)
		}
		return
	}
	tw.proj.Project(dst, s.theta[:s.dProj], &w.ws)
	lam, base := s.lambda(t), tw.base
	if s.cfg.Method == DID {
		for i, v := range dst {
			dst[i] = base[i] + v
		}
	} else {
		for i, v := range dst {
			// The conversion forbids a fused multiply-add, so every
			// platform writes the same bits (adapters reload exactly).
			dst[i] = base[i] + float32(lam*v)
		}
	}
	if !inPlace {
		tw.io.putData(dst)
	}
}

// Grad sets dst (length d) to the gradient of the loss with respect to
// Theta, given the gradients of the wrapped tensors at the values Apply
// wrote: sum_t P_t^T g_t (DID), or lambda_t P_t^T g_t for theta_{d-m} and
// <P_t theta_{d-m}, g_t> = <theta_{d-m}, P_t^T g_t> for lambda_t (SAID).
// Tensors without a gradient contribute nothing.
func (s *Subspace) Grad(dst []float32) {
	if len(dst) != len(s.theta) {
		panic(fmt.Sprintf("subspace: Grad into %d values, want d=%d", len(dst), len(s.theta)))
	}
	for _, acc := range s.groupAcc {
		clear(acc)
	}
	for k, t := range s.big {
		s.gradOne(&s.workers[0], t, s.groupAcc[s.bigGroup[k]])
	}
	s.grad.next.Store(0)
	cpu.Parallel(len(s.workers), 1, len(s.workers), &s.grad)
	s.sumGroups(dst)
}

// gradGroups is the number of partial sums of the gradient.
const gradGroups = 16

func (s *Subspace) gradOne(w *worker, t int, acc []float64) {
	tw := &s.tensors[t]
	g, ok := tw.io.grad(&w.staging, tw.n)
	if !ok {
		return
	}
	s.projectT(w, t, w.u, g)
	s.accumulate(t, w.u, acc)
}

// projectT sets u = P_t^T g (big blocked tensors split over the workers).
func (s *Subspace) projectT(w *worker, t int, u, g []float32) {
	tw := &s.tensors[t]
	if bp, ok := tw.proj.(*FastfoodBlockProjector); ok && tw.big {
		s.blockGradBig(bp, u, g)
	} else {
		tw.proj.ProjectT(u, g, &w.ws)
	}
}

// accumulate adds tensor t's share of the theta gradient, given
// u = P_t^T g_t, to acc.
func (s *Subspace) accumulate(t int, u []float32, acc []float64) {
	if s.cfg.Method == DID {
		for j, v := range u {
			acc[j] += float64(v)
		}
		return
	}
	lam := float64(s.lambda(t))
	var dl float64
	for j, v := range u {
		acc[j] += lam * float64(v)
		dl += float64(s.theta[j]) * float64(v)
	}
	acc[s.dProj+t] += dl
}

// gradFromProjected is Grad from precomputed u_t = P_t^T g_t (nil: the
// tensor has no gradient), summed in Grad's order, so with the same u_t it
// returns Grad's bits.
func (s *Subspace) gradFromProjected(dst []float32, us [][]float32) {
	for _, acc := range s.groupAcc {
		clear(acc)
	}
	for k, t := range s.big {
		if us[t] != nil {
			s.accumulate(t, us[t], s.groupAcc[s.bigGroup[k]])
		}
	}
	for g, ts := range s.groups {
		for _, t := range ts {
			if us[t] != nil {
				s.accumulate(t, us[t], s.groupAcc[g])
			}
		}
	}
	s.sumGroups(dst)
}

func (s *Subspace) sumGroups(dst []float32) {
	for j := range dst {
		var v float64
		for _, acc := range s.groupAcc {
			v += acc[j]
		}
		dst[j] = float32(v)
	}
}

// runSmall runs task over the small tensors, every worker pulling the next
// tensor from a shared counter.
func (s *Subspace) runSmall(next *atomic.Int64, task cpu.Task) {
	if len(s.small) == 0 {
		return
	}
	next.Store(0)
	cpu.Parallel(len(s.workers), 1, len(s.workers), task)
}

type applyTask struct {
	s    *Subspace
	next atomic.Int64
}

func (a *applyTask) Run(worker, _, _ int) {
	s := a.s
	for {
		k := int(a.next.Add(1) - 1)
		if k >= len(s.small) {
			return
		}
		s.applyOne(&s.workers[worker], s.small[k])
	}
}

type gradTask struct {
	s    *Subspace
	next atomic.Int64
}

// Run processes whole groups, pulled from a shared counter.
func (g *gradTask) Run(worker, _, _ int) {
	s := g.s
	for {
		k := int(g.next.Add(1) - 1)
		if k >= len(s.groups) {
			return
		}
		for _, t := range s.groups[k] {
			s.gradOne(&s.workers[worker], t, s.groupAcc[k])
		}
	}
}
