package optim

import (
	"fmt"
	"math"
	"strings"

	"github.com/idim-go/idim/autograd"
)

// Optimizer updates a fixed set of parameters from their gradients.
type Optimizer interface {
	// Step applies one update to every parameter that has a gradient,
	// with the learning rate LR returns, then advances the step count.
	Step()
	// Steps is the number of Step calls made (restored by Load).
	Steps() int
	// LR is the learning rate the next Step uses: the schedule's value at
	// Steps(), or the configured constant.
	LR() float32
	// SetGradScale makes the next Step (only) multiply every gradient by s
	// before using it, without changing the gradients.
	SetGradScale(s float32)
	// ClipGradNorm computes the global L2 norm of the gradients and, when
	// it is above maxNorm, sets the grad scale of the next Step to
	// maxNorm/(norm+1e-6) (see ClipCoef). It returns the norm before
	// clipping. maxNorm <= 0 only measures.
	ClipGradNorm(maxNorm float32) float32
	// ZeroGrad drops every parameter's gradient.
	ZeroGrad()
	// Params lists the parameters, groups in order.
	Params() []*autograd.Tensor
	// Save writes the optimizer state to a file (see the package doc).
	Save(path string) error
	// Load replaces the optimizer state with a file's; on error the state
	// is unchanged.
	Load(path string) error
	// Release returns the state buffers to their devices; the next Step
	// starts from fresh state (as if no step had been made).
	Release()
}

// Group is a set of parameters with their own weight decay.
type Group struct {
	Params      []*autograd.Tensor
	WeightDecay float32
}

// OneGroup puts all params in one group with the given weight decay.
func OneGroup(params []*autograd.Tensor, weightDecay float32) []Group {
	return []Group{{Params: params, WeightDecay: weightDecay}}
}

// DefaultNoDecay are the name fragments whose parameters Hugging Face
// fine-tuning scripts exempt from weight decay.
var DefaultNoDecay = []string{"bias", "LayerNorm.weight"}

// DecayGroups splits params into a group with weight decay wd and a group
// without: a parameter whose name contains any of noDecay goes to the second
// (as in HF's `not any(nd in n for nd in no_decay)`). Order within each group
// is kept; an empty group is left out.
func DecayGroups(params []*autograd.Tensor, wd float32, noDecay []string) []Group {
	var decay, none []*autograd.Tensor
	for _, p := range params {
		exempt := false
		if p != nil {
			for _, s := range noDecay {
				if s != "" && strings.Contains(p.Name(), s) {
					exempt = true
					break
				}
			}
		}
		if exempt {
			none = append(none, p)
		} else {
			decay = append(decay, p)
		}
	}
	var gs []Group
	if len(decay) > 0 {
		gs = append(gs, Group{Params: decay, WeightDecay: wd})
	}
	if len(none) > 0 {
		gs = append(gs, Group{Params: none, WeightDecay: 0})
	}
	return gs
}

// param is one parameter and its state.
type param struct {
	t     *autograd.Tensor
	name  string // key in state files
	group int
	wd    float32
	step  int                 // updates applied (PyTorch's state["step"])
	bufs  [2]*autograd.Tensor // state buffers, nil until the first update
}

// core is what every optimizer shares.
type core struct {
	kind      string   // "sgd", "adam", "adamw"
	bufNames  []string // suffixes of the state buffers, per parameter
	params    []param
	groupWD   []float32
	lr        float32
	sched     Schedule
	step      int
	gradScale float32
}

func (c *core) init(kind string, bufNames []string, groups []Group, lr float32, sched Schedule) error {
	c.kind, c.bufNames, c.lr, c.sched, c.gradScale = kind, bufNames, lr, sched, 1
	if sched == nil && !(lr >= 0 && !math.IsInf(float64(lr), 0)) {
		return fmt.Errorf("optim: %s: learning rate %v is not a finite number >= 0", kind, lr)
	}
	seen := map[*autograd.Tensor]string{}
	names := map[string]bool{}
	for gi, g := range groups {
		if !finite(g.WeightDecay) {
			return fmt.Errorf("optim: %s: group %d: weight decay %v is not finite", kind, gi, g.WeightDecay)
		}
		c.groupWD = append(c.groupWD, g.WeightDecay)
		for _, t := range g.Params {
			i := len(c.params)
			if t == nil {
				return fmt.Errorf("optim: %s: group %d: parameter %d is nil", kind, gi, i)
			}
			name := t.Name()
			if name == "" {
				name = fmt.Sprintf("#%d", i)
			}
			if prev, dup := seen[t]; dup {
				return fmt.Errorf("optim: %s: parameter %q is listed twice (also as %q)", kind, name, prev)
			}
			if names[name] {
				return fmt.Errorf("optim: %s: two parameters are named %q (state files key state by name)", kind, name)
			}
			seen[t], names[name] = name, true
			c.params = append(c.params, param{t: t, name: name, group: gi, wd: g.WeightDecay})
		}
	}
	return nil
}

func finite(f float32) bool { return !math.IsNaN(float64(f)) && !math.IsInf(float64(f), 0) }

// Steps is the number of Step calls made.
func (c *core) Steps() int { return c.step }

// LR is the learning rate of the next Step.
func (c *core) LR() float32 {
	if c.sched != nil {
		return c.sched.LR(c.step)
	}
	return c.lr
}

// SetGradScale sets the gradient multiplier of the next Step.
func (c *core) SetGradScale(s float32) { c.gradScale = s }

// takeGradScale returns the grad scale for this Step and resets it to 1.
func (c *core) takeGradScale() float32 {
	s := c.gradScale
	c.gradScale = 1
	return s
}

// stepParams is one Step: every parameter with a gradient has its step
// count advanced and then, if it has elements, update applied with this
// Step's learning rate and grad scale (an empty one only gets its state).
func (c *core) stepParams(update func(p *param, g *autograd.Tensor, lr, gs float32)) {
	lr := c.LR()
	gs := c.takeGradScale()
	for i := range c.params {
		p := &c.params[i]
		g := p.t.Grad()
		if g == nil {
			continue
		}
		p.step++
		if p.t.Len() == 0 {
			c.ensureState(p)
			continue
		}
		update(p, g, lr, gs)
	}
	c.step++
}

// ClipGradNorm measures the gradients' global norm and sets the grad scale
// of the next Step to clip it to maxNorm.
func (c *core) ClipGradNorm(maxNorm float32) float32 {
	norm := GradNorm(c.Params())
	if maxNorm > 0 {
		c.gradScale = ClipCoef(norm, maxNorm)
	}
	return norm
}

// ZeroGrad drops the gradients.
func (c *core) ZeroGrad() {
	for i := range c.params {
		c.params[i].t.ZeroGrad()
	}
}

// Params lists the parameters.
func (c *core) Params() []*autograd.Tensor {
	ts := make([]*autograd.Tensor, len(c.params))
	for i := range c.params {
		ts[i] = c.params[i].t
	}
	return ts
}

// Release frees the state buffers and resets the step counts.
func (c *core) Release() {
	for i := range c.params {
		c.params[i].releaseState()
	}
	c.step = 0
	c.gradScale = 1
}

func (p *param) releaseState() {
	for j, b := range p.bufs {
		if b != nil {
			b.Release()
			p.bufs[j] = nil
		}
	}
	p.step = 0
}

// newState returns a zero-filled state buffer shaped like p. It is made
// with NewParameter because that is the one constructor whose tensors never
// join the caller's autograd.Scope (a Step inside a scope must not have its
// state freed when the scope ends); it is not trainable.
func (p *param) newState(suffix string) *autograd.Tensor {
	s := autograd.NewParameter(p.t.Device(), p.name+"."+suffix, p.t.Shape()...)
	s.SetRequiresGrad(false)
	return s
}

// ensureState allocates the state buffers if needed and reports whether
// they were just made.
func (c *core) ensureState(p *param) bool {
	if p.bufs[0] != nil {
		return false
	}
	for j, s := range c.bufNames {
		p.bufs[j] = p.newState(s)
	}
	return true
}

// applyZeroScale handles a grad scale of exactly 0, which the fused Adam
// kernel cannot express (its GradScale 0 means 1): the gradient is scaled
// in place, as torch.nn.utils.clip_grad_norm_ would, and 1 is returned.
func applyZeroScale(g *autograd.Tensor, s float32) float32 {
	if s != 0 {
		return s
	}
	if g.Len() > 0 {
		g.Device().Scale(0, g, g)
	}
	return 1
}
