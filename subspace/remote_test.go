package subspace

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/autograd"
)

// remoteDevice keeps its storage out of reach of Tensor.Host (as a GPU
// would), so Wrapped must go through Upload and Download. Only the methods
// the wrapper's path needs are implemented; the embedded CPU device's
// kernels are never reached with its buffers.
type remoteDevice struct {
	autograd.Device
	uploads, downloads int
}

type remoteBuffer struct{ data []float32 }

func (b *remoteBuffer) Len() int { return len(b.data) }

func (d *remoteDevice) Name() string         { return "remote-test" }
func (d *remoteDevice) Supports(string) bool { return false }
func (d *remoteDevice) Free(autograd.Buffer) {}
func (d *remoteDevice) Alloc(n int) (autograd.Buffer, error) {
	return &remoteBuffer{data: make([]float32, n)}, nil
}
func (d *remoteDevice) Upload(b autograd.Buffer, off int, src []float32) {
	d.uploads++
	copy(b.(*remoteBuffer).data[off:], src)
}
func (d *remoteDevice) Download(dst []float32, b autograd.Buffer, off int) {
	d.downloads++
	copy(dst, b.(*remoteBuffer).data[off:])
}
func (d *remoteDevice) CopyBuffer(dst autograd.Buffer, dstOff int, src autograd.Buffer, srcOff, n int) {
	copy(dst.(*remoteBuffer).data[dstOff:dstOff+n], src.(*remoteBuffer).data[srcOff:srcOff+n])
}
func (d *remoteDevice) Fill(t *autograd.Tensor, v float32) {
	data := t.Buffer().(*remoteBuffer).data[t.Offset() : t.Offset()+t.Len()]
	for i := range data {
		data[i] = v
	}
}

// gradSetter is an op x -> scalar whose gradient with respect to x is a
// given vector: it gives a remote tensor a gradient without kernels.
type gradSetter struct{ g []float32 }

func (f *gradSetter) Forward(in []*autograd.Tensor) *autograd.Tensor {
	return autograd.Empty(in[0].Device())
}

func (f *gradSetter) Backward(_ *autograd.Tensor, in []*autograd.Tensor, _ *autograd.Tensor, _ []bool) []*autograd.Tensor {
	g := autograd.Empty(in[0].Device(), in[0].Shape()...)
	g.SetData(f.g)
	return []*autograd.Tensor{g}
}

// TestWrappedRemoteDevice: on a device without host memory the wrapper
// uploads theta_t and downloads gradients, with the same results as the
// host path.
func TestWrappedRemoteDevice(t *testing.T) {
	dev := &remoteDevice{Device: autograd.CPU()}
	r := rand.New(rand.NewPCG(6, 6))
	m := newMLP(r, 6, 5, 3, 7)
	ps := m.params(r)
	var tens []*autograd.Tensor
	for _, p := range ps {
		tn := autograd.NewParameter(dev, p.Name, p.Shape...)
		tn.SetData(p.Data)
		if _, ok := tn.Host(); ok {
			t.Fatal("remote tensor has host memory")
		}
		tens = append(tens, tn)
	}
	cfg := Config{Method: SAID, Kind: Fastfood, D: 30, Seed: 4, Include: Exclude("emb")}
	w, err := Wrap(cfg, tens)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(cfg, ps)
	if err != nil {
		t.Fatal(err)
	}
	theta := make([]float32, 30)
	for j := range theta {
		theta[j] = float32(r.NormFloat64())
	}
	copy(s.Theta(), theta)
	w.Param().SetData(theta)
	up := dev.uploads
	w.Apply()
	s.Apply()
	if dev.uploads-up < 5 {
		t.Fatalf("%d uploads for 5 wrapped tensors", dev.uploads-up)
	}
	for i, p := range ps {
		got := tens[i].Data()
		for k := range got {
			if math.Float32bits(got[k]) != math.Float32bits(p.Data[k]) {
				t.Fatalf("%s[%d]: remote %g host %g", p.Name, k, got[k], p.Data[k])
			}
		}
	}
	// Gradients: the same random g on both paths. The wrapper's hooks
	// download each gradient during its Backward.
	down := dev.downloads
	for i, p := range ps {
		for k := range p.Grad {
			p.Grad[k] = float32(r.NormFloat64())
		}
		if i == 0 {
			continue // emb is frozen
		}
		out := autograd.Apply(&gradSetter{g: p.Grad}, tens[i])
		out.Backward()
		out.Release()
	}
	want := make([]float32, 30)
	s.Grad(want)
	w.Backward()
	if dev.downloads-down < 5 {
		t.Fatalf("%d downloads for 5 gradients", dev.downloads-down)
	}
	got := w.Param().Grad().Data()
	for j := range want {
		if math.Float32bits(got[j]) != math.Float32bits(want[j]) { // Grad is deterministic
			t.Fatalf("theta grad[%d]: remote %g host %g", j, got[j], want[j])
		}
	}
}
