package optim

import (
	"fmt"

	"github.com/idim-go/idim/autograd"
)

// SGDConfig are the hyperparameters of SGD.
type SGDConfig struct {
	// LR is the learning rate when Schedule is nil.
	LR float32
	// Schedule, when set, gives the learning rate of each step.
	Schedule Schedule
	// Momentum (0: none), Dampening and Nesterov are as in torch.optim.SGD.
	Momentum, Dampening float32
	Nesterov            bool
}

// SGD is torch.optim.SGD. For each parameter with a gradient g:
//
//	d = gradScale*g + wd*p
//	if momentum != 0 {
//		if first step { buf = d } else { buf = momentum*buf + (1-dampening)*d }
//		if nesterov { d = d + momentum*buf } else { d = buf }
//	}
//	p += -lr * d
//
// with the device's Scale, Axpy and CopyBuffer kernels. State: one
// momentum_buffer per parameter when momentum != 0.
type SGD struct {
	core
	cfg SGDConfig
}

// NewSGD returns torch.optim.SGD over the groups' parameters.
func NewSGD(groups []Group, cfg SGDConfig) (*SGD, error) {
	if !(cfg.Momentum >= 0) || !finite(cfg.Momentum) || !finite(cfg.Dampening) {
		return nil, fmt.Errorf("optim: sgd: momentum %v and dampening %v must be finite, momentum >= 0", cfg.Momentum, cfg.Dampening)
	}
	if cfg.Nesterov && (cfg.Momentum <= 0 || cfg.Dampening != 0) {
		return nil, fmt.Errorf("optim: sgd: Nesterov momentum needs momentum > 0 and dampening 0 (have %v, %v)", cfg.Momentum, cfg.Dampening)
	}
	var bufs []string
	if cfg.Momentum != 0 {
		bufs = []string{"momentum_buffer"}
	}
	o := &SGD{cfg: cfg}
	if err := o.init("sgd", bufs, groups, cfg.LR, cfg.Schedule); err != nil {
		return nil, err
	}
	return o, nil
}

// Config returns the optimizer's hyperparameters.
func (o *SGD) Config() SGDConfig { return o.cfg }

// Step applies one SGD update to every parameter with a gradient.
func (o *SGD) Step() { o.stepParams(o.update) }

func (o *SGD) update(p *param, g *autograd.Tensor, lr, gs float32) {
	dev := p.t.Device()
	d := g
	var tmp *autograd.Tensor
	scratch := func() *autograd.Tensor {
		if tmp == nil {
			tmp = autograd.Empty(dev, p.t.Shape()...)
		}
		return tmp
	}
	if gs != 1 || p.wd != 0 {
		// d_p = g*scale (clip_grad_norm_'s in-place mul), then += wd*p.
		d = scratch()
		dev.Scale(gs, d, g)
		if p.wd != 0 {
			dev.Axpy(p.wd, p.t, d)
		}
	}
	if mom := o.cfg.Momentum; mom != 0 {
		if o.ensureState(p) {
			if err := p.bufs[0].CopyFrom(d); err != nil {
				panic(err) // same shape and device by construction
			}
		} else {
			buf := p.bufs[0]
			dev.Scale(mom, buf, buf)
			dev.Axpy(1-o.cfg.Dampening, d, buf)
		}
		if o.cfg.Nesterov {
			if d != tmp {
				t := scratch()
				if err := t.CopyFrom(d); err != nil {
					panic(err)
				}
				d = t
			}
			dev.Axpy(mom, p.bufs[0], d)
		} else {
			d = p.bufs[0]
		}
	}
	dev.Axpy(-lr, d, p.t)
	if tmp != nil {
		tmp.Release()
	}
}

// Save writes the optimizer state to path.
func (o *SGD) Save(path string) error { return o.save(path, o.hyper()) }

// Load reads the optimizer state from path.
func (o *SGD) Load(path string) error { return o.load(path, o.hyper()) }

func (o *SGD) hyper() hyper {
	return hyper{Momentum: o.cfg.Momentum, Dampening: o.cfg.Dampening, Nesterov: o.cfg.Nesterov}
}
