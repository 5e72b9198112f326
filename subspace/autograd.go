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
//		loss.Backward()              // gradients of the wrapped tensors
//		w.Backward()                 // -> gradient of theta_d in w.Param().Grad()
//		opt.Step()
//	}
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
	return w, nil
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

// Backward turns the wrapped tensors' gradients into the gradient of
// Param(), added to its Grad as autograd accumulates gradients, and then
// drops the wrapped tensors' gradients (ZeroGrad) so the next step starts
// from zero. Call it after loss.Backward(), at the values the last Apply
// wrote.
func (w *Wrapped) Backward() {
	w.s.Grad(w.grad)
	for _, t := range w.tens {
		t.ZeroGrad()
	}
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
