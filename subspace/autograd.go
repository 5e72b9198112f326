package subspace

import (
	"fmt"
	"sync"

	"github.com/idim-go/idim/autograd"
)

// Wrapped puts autograd parameters (a model's weights, on any Device) into
// a subspace. The model keeps using its own parameter tensors; only their
// values are managed here:
//
//	w, err := subspace.Wrap(cfg, model.Parameters())
//	fmt.Println(w.Summary())        // trainable params: d || all params: D || ...
//	opt := optim.NewAdam([]*autograd.Tensor{w.Param()}, ...)
//	for ... {
//		w.Apply()                    // theta_t = theta_0,t + P_t(theta_d) into the model
//		loss := model.Loss(batch)
//		loss.Backward()              // gradients of the wrapped tensors, consumed on the fly
//		w.Backward()                 // -> gradient of theta_d in w.Param().Grad()
//		opt.Step()
//	}
//
// Gradients are consumed as soon as they are final: Wrap registers an
// autograd gradient hook (SetGradHook) on every wrapped tensor, which, in
// the middle of loss.Backward(), turns the tensor's gradient g_t into
// u_t = P_t^T g_t (d values, added up over several Backward calls before
// one w.Backward, as for gradient accumulation) and drops g_t, so the
// wrapped tensors' gradients are never all alive at once (Grad() of a
// wrapped tensor is nil after loss.Backward()). w.Backward() sums the u_t
// in a fixed order (for one Backward per step, the same bits as
// Subspace.Grad from the gradients). Close removes the hooks.
//
// Embedding tables are not even given a dense gradient: for a big
// fastfood-block tensor of two dimensions Wrap also registers a row hook
// (autograd SetRowGradHook), so when an Embedding is the tensor's only use
// in a pass, u_t is computed from the gathered rows' gradients alone, over
// the blocks those rows touch (the same bits as from the dense gradient).
// For RoBERTa-base's word embeddings that is 154 MB never allocated and
// ~1000 of 37,700 blocks transformed per step.
//
// Values move through the tensors' device API: on the CPU device the
// wrapped tensors and their gradients are read and written in place; on
// another device each tensor is computed in a host staging buffer and
// uploaded (SetData), and each gradient downloaded (DataInto). The
// projection itself runs on the host CPU. theta_0 is kept as one host copy.
type Wrapped struct {
	s      *Subspace
	theta  *autograd.Tensor
	tens   []*autograd.Tensor // the wrapped ones, in Tensors order
	grad   []float32
	inject injector
	// u[t] = P_t^T g_t consumed by tensor t's hook since the last Backward
	// (nil slices are allocated on first use; has[t] marks a value).
	u   [][]float32
	has []bool
	us  [][]float32 // u[t] where has[t], else nil (Backward's view)
	tmp []float32
	// rowStaging holds a row-sparse gradient off the host.
	rowStaging []float32
}

// Wrap builds a subspace over the autograd parameters that cfg.Include
// selects (all when nil), named by their Name(). Every wrapped tensor is
// set to require a gradient; the rest are left as they are. theta_d is a
// new parameter "subspace.theta" of shape [d] on the first parameter's
// device (zero, with SAID's lambdas as cfg.LambdaInit sets them).
func Wrap(cfg Config, params []*autograd.Tensor) (*Wrapped, error) {
	ps, ios, err := tensorParams(params)
	if err != nil {
		return nil, err
	}
	s, err := newSubspace(cfg, ps, ios)
	if err != nil {
		return nil, err
	}
	return newWrapped(s, params)
}

func tensorParams(params []*autograd.Tensor) ([]Param, []tensorIO, error) {
	if len(params) == 0 {
		return nil, nil, fmt.Errorf("subspace: Wrap: no parameters")
	}
	var mu sync.Mutex // serialises transfers to and from devices
	ps := make([]Param, len(params))
	ios := make([]tensorIO, len(params))
	dev := params[0].Device()
	for i, t := range params {
		if t.Device() != dev {
			return nil, nil, fmt.Errorf("subspace: Wrap: parameter %q is on %s, %q on %s", t.Name(), t.Device().Name(), params[0].Name(), dev.Name())
		}
		ps[i] = Param{Name: t.Name(), Shape: append([]int(nil), t.Shape()...)}
		ios[i] = &tensorIO32{t: t, mu: &mu}
	}
	return ps, ios, nil
}

func newWrapped(s *Subspace, params []*autograd.Tensor) (*Wrapped, error) {
	byName := make(map[string]*autograd.Tensor, len(params))
	for _, t := range params {
		byName[t.Name()] = t
	}
	w := &Wrapped{s: s, grad: make([]float32, len(s.theta))}
	for _, ti := range s.Tensors() {
		t := byName[ti.Name]
		t.SetRequiresGrad(true)
		w.tens = append(w.tens, t)
	}
	dev := params[0].Device()
	w.theta = autograd.NewParameter(dev, "subspace.theta", len(s.theta))
	if err := w.theta.SetData(s.theta); err != nil {
		return nil, err
	}
	w.u = make([][]float32, len(w.tens))
	w.has = make([]bool, len(w.tens))
	w.us = make([][]float32, len(w.tens))
	for t, tt := range w.tens {
		tt.SetGradHook(func(*autograd.Tensor) { w.consume(t) })
		if s.rowGradOK(t) {
			tt.SetRowGradHook(func(ids []int32, g *autograd.Tensor) { w.consumeRows(t, ids, g) })
		}
	}
	return w, nil
}

// consume turns wrapped tensor t's gradient into u_t += P_t^T g_t and
// drops the gradient.
func (w *Wrapped) consume(t int) {
	s := w.s
	tw := &s.tensors[t]
	wk := &s.workers[0]
	g, ok := tw.io.grad(&wk.staging, tw.n)
	if !ok {
		return
	}
	s.projectT(wk, t, w.target(t), g)
	w.added(t)
	w.tens[t].ZeroGrad()
}

// consumeRows is consume for a gradient that autograd hands over
// row-sparse (SetRowGradHook): u_t += P_t^T g_t with g_t zero but in the
// rows ids names (same bits as consume on the dense gradient).
func (w *Wrapped) consumeRows(t int, ids []int32, g *autograd.Tensor) {
	rows, ok := g.Host()
	if !ok {
		n := g.Len()
		if cap(w.rowStaging) < n {
			w.rowStaging = make([]float32, n)
		}
		rows = w.rowStaging[:n]
		g.DataInto(rows)
	}
	w.s.blockGradRows(t, w.target(t), ids, rows)
	w.added(t)
}

// target is where P_t^T g_t goes: u_t itself for the first gradient
// since the last Backward, else a temporary that added then sums in.
func (w *Wrapped) target(t int) []float32 {
	if w.u[t] == nil {
		w.u[t] = make([]float32, w.s.dProj)
	}
	if !w.has[t] {
		return w.u[t]
	}
	if w.tmp == nil {
		w.tmp = make([]float32, w.s.dProj)
	}
	return w.tmp
}

// added records the value target(t) received.
func (w *Wrapped) added(t int) {
	if !w.has[t] {
		w.has[t] = true
		return
	}
	for j, v := range w.tmp {
		w.u[t][j] += v
	}
}

// Close removes the gradient hooks Wrap put on the wrapped tensors (after
// it, their gradients stay in place and Backward reads them); the
// Wrapped can still be used.
func (w *Wrapped) Close() {
	for _, t := range w.tens {
		t.SetGradHook(nil)
		t.SetRowGradHook(nil)
	}
}

// Subspace is the host-side subspace (counts, tensors, projectors).
func (w *Wrapped) Subspace() *Subspace { return w.s }

// Param is the trainable vector as an autograd parameter of shape [d]:
// theta_d, or theta_{d-m} followed by the lambdas for SAID. Give it (alone)
// to the optimizer.
func (w *Wrapped) Param() *autograd.Tensor { return w.theta }

// Summary is "trainable params: d || all params: D || trainable%: X".
func (w *Wrapped) Summary() string { return w.s.Summary() }

// Counts returns the parameter counts.
func (w *Wrapped) Counts() Counts { return w.s.Counts() }

// Apply reads Param() (d values) and writes theta_t into every wrapped
// tensor.
func (w *Wrapped) Apply() {
	w.theta.DataInto(w.s.theta)
	w.s.Apply()
}

// Backward turns the wrapped tensors' gradients (consumed by the hooks
// during loss.Backward, see Wrapped) into the gradient of Param(), added
// to its Grad as autograd accumulates gradients, and drops them so the
// next step starts from zero. Call it after loss.Backward(), at the values
// the last Apply wrote.
func (w *Wrapped) Backward() {
	// Gradients the hooks did not see (Close, or a Backward that reached
	// a tensor without going through its hook) are consumed now.
	for t, tt := range w.tens {
		if tt.Grad() != nil {
			w.consume(t)
		}
	}
	for t := range w.us {
		w.us[t] = nil
		if w.has[t] {
			w.us[t] = w.u[t]
		}
	}
	w.s.gradFromProjected(w.grad, w.us)
	clear(w.has)
	// <theta, g> as an op whose gradient with respect to theta is g hands
	// g to the engine, which adds it to theta's gradient.
	w.inject.g = w.grad
	out := autograd.Apply(&w.inject, w.theta)
	out.Backward()
	out.Release()
}

// SaveAdapter saves the current Param() as an adapter (see
// Subspace.SaveAdapter).
func (w *Wrapped) SaveAdapter(dir, baseCheckpointHash string) error {
	w.theta.DataInto(w.s.theta)
	return w.s.SaveAdapter(dir, baseCheckpointHash)
}

// LoadAdapterInto reads the adapter in dir and applies it to autograd
// parameters (see LoadAdapter): the tensors named in the adapter receive
// the fine-tuned values. The returned Wrapped can train further.
func LoadAdapterInto(dir string, params []*autograd.Tensor, baseCheckpointHash string) (*Wrapped, error) {
	a, err := ReadAdapter(dir)
	if err != nil {
		return nil, err
	}
	ps, ios, err := tensorParams(params)
	if err != nil {
		return nil, err
	}
	s, err := a.apply(dir, ps, ios, baseCheckpointHash)
	if err != nil {
		return nil, err
	}
	return newWrapped(s, params)
}

// tensorIO32 reads and writes one autograd tensor.
type tensorIO32 struct {
	t  *autograd.Tensor
	mu *sync.Mutex
}

func (io *tensorIO32) hostData() ([]float32, bool) { return io.t.Host() }

func (io *tensorIO32) readData(dst []float32) {
	io.mu.Lock()
	defer io.mu.Unlock()
	io.t.DataInto(dst)
}

func (io *tensorIO32) putData(src []float32) {
	io.mu.Lock()
	defer io.mu.Unlock()
	if err := io.t.SetData(src); err != nil {
		panic(err) // lengths are fixed at Wrap
	}
}

func (io *tensorIO32) grad(staging *[]float32, n int) ([]float32, bool) {
	g := io.t.Grad()
	if g == nil {
		return nil, false
	}
	if h, ok := g.Host(); ok {
		return h, true
	}
	if cap(*staging) < n {
		*staging = make([]float32, n)
	}
	st := (*staging)[:n]
	io.mu.Lock()
	defer io.mu.Unlock()
	g.DataInto(st)
	return st, true
}

// injector is the op theta -> <theta, g> (a scalar); its gradient with
// respect to theta is g.
type injector struct{ g []float32 }

func (f *injector) Forward(in []*autograd.Tensor) *autograd.Tensor {
	return autograd.Empty(in[0].Device()) // its value is never read
}

func (f *injector) Backward(_ *autograd.Tensor, in []*autograd.Tensor, _ *autograd.Tensor, needs []bool) []*autograd.Tensor {
	if !needs[0] {
		return []*autograd.Tensor{nil}
	}
	g := autograd.Empty(in[0].Device(), len(f.g))
	if err := g.SetData(f.g); err != nil {
		panic(err)
	}
	return []*autograd.Tensor{g}
}
