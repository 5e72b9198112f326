package optim

import (
	"fmt"

	"github.com/idim-go/idim/autograd"
)

// AdamConfig are the hyperparameters of Adam and AdamW.
type AdamConfig struct {
	// LR is the learning rate when Schedule is nil.
	LR float32
	// Schedule, when set, gives the learning rate of each step.
	Schedule Schedule
	// Beta1, Beta2 and Eps are as in torch.optim.Adam; 0 means PyTorch's
	// default (0.9, 0.999, 1e-8).
	Beta1, Beta2, Eps float32
}

func (c *AdamConfig) defaults() {
	if c.Beta1 == 0 {
		c.Beta1 = 0.9
	}
	if c.Beta2 == 0 {
		c.Beta2 = 0.999
	}
	if c.Eps == 0 {
		c.Eps = 1e-8
	}
}

// Adam is torch.optim.Adam (weight decay added to the gradient, "L2") or,
// made by NewAdamW, torch.optim.AdamW (decoupled weight decay). For each
// parameter with a gradient g, with t its own step count after increment:
//
//	g = gradScale*g
//	if !decoupled { g += wd*p }           // Adam
//	if decoupled  { p *= 1 - lr*wd }      // AdamW
//	m = beta1*m + (1-beta1)*g
//	v = beta2*v + (1-beta2)*g*g
//	p -= (lr/(1-beta1^t)) * m / (sqrt(v)/sqrt(1-beta2^t) + eps)
//
// computed by the device's fused Adam kernel (see the package README for how
// its float32 rounding relates to PyTorch's). State: exp_avg (m) and
// exp_avg_sq (v) per parameter, on the parameter's device.
type Adam struct {
	core
	cfg       AdamConfig
	decoupled bool
}

// NewAdam returns torch.optim.Adam over the groups' parameters.
func NewAdam(groups []Group, cfg AdamConfig) (*Adam, error) { return newAdam("adam", groups, cfg) }

// NewAdamW returns torch.optim.AdamW over the groups' parameters.
func NewAdamW(groups []Group, cfg AdamConfig) (*Adam, error) { return newAdam("adamw", groups, cfg) }

func newAdam(kind string, groups []Group, cfg AdamConfig) (*Adam, error) {
	cfg.defaults()
	if !(cfg.Beta1 >= 0 && cfg.Beta1 < 1) || !(cfg.Beta2 >= 0 && cfg.Beta2 < 1) {
		return nil, fmt.Errorf("optim: %s: betas (%v, %v) must lie in [0, 1)", kind, cfg.Beta1, cfg.Beta2)
	}
	if !(cfg.Eps >= 0) || !finite(cfg.Eps) {
		return nil, fmt.Errorf("optim: %s: eps %v must be a finite number >= 0", kind, cfg.Eps)
	}
	o := &Adam{cfg: cfg, decoupled: kind == "adamw"}
	if err := o.init(kind, []string{"exp_avg", "exp_avg_sq"}, groups, cfg.LR, cfg.Schedule); err != nil {
		return nil, err
	}
	return o, nil
}

// Config returns the optimizer's hyperparameters (defaults filled in).
func (o *Adam) Config() AdamConfig { return o.cfg }

// Step applies one Adam/AdamW update to every parameter with a gradient.
func (o *Adam) Step() { o.stepParams(o.update) }

func (o *Adam) update(p *param, g *autograd.Tensor, lr, gs float32) {
	o.ensureState(p)
	s := applyZeroScale(g, gs)
	p.t.Device().Adam(p.t, g, p.bufs[0], p.bufs[1], autograd.AdamParams{
		LR: lr, Beta1: o.cfg.Beta1, Beta2: o.cfg.Beta2, Eps: o.cfg.Eps,
		WeightDecay: p.wd, Decoupled: o.decoupled, Step: p.step, GradScale: s,
	})
}

// Save writes the optimizer state to path.
func (o *Adam) Save(path string) error { return o.save(path, o.hyper()) }

// Load reads the optimizer state from path.
func (o *Adam) Load(path string) error { return o.load(path, o.hyper()) }

func (o *Adam) hyper() hyper {
	return hyper{Beta1: o.cfg.Beta1, Beta2: o.cfg.Beta2, Eps: o.cfg.Eps}
}
