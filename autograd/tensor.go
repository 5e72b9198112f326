package autograd

import (
	"fmt"
	"strings"
)

// Tensor is an n-dimensional array of float32 values stored on a Device,
// plus what reverse-mode differentiation needs: whether it requires a
// gradient, its gradient, and the op that made it.
//
// A Tensor's data is contiguous and row-major: Len() values starting at an
// offset in a device Buffer. Reshape of a tensor returns a view that shares
// the buffer; every other op writes a new tensor.
//
// Tensors made while a Scope is active belong to that scope and are released
// when it ends; see Scope. Parameters (NewParameter) never belong to a scope.
type Tensor struct {
	dev   Device
	buf   Buffer
	off   int
	shape [MaxDims]int
	ndim  int
	size  int
	base  *Tensor // the tensor that owns buf, for views

	name         string
	requiresGrad bool
	param        bool
	grad         *Tensor
	node         *node
	graphFreed   bool // an earlier Backward freed the graph that made t

	item     [1]float32 // Item's download buffer (no allocation)
	scope    *Scope
	scopeIdx int
	released bool
}

// checkShape panics on a negative dimension or too many dimensions.
func checkShape(shape []int) int {
	if len(shape) > MaxDims {
		panic(fmt.Sprintf("autograd: shape %s has %d dimensions, at most %d allowed", dims(shape), len(shape), MaxDims))
	}
	n := 1
	for _, d := range shape {
		if d < 0 {
			panic(fmt.Sprintf("autograd: negative dimension in shape %s", dims(shape)))
		}
		n *= d
	}
	return n
}

// newTensor makes a tensor of the given shape with fresh storage. It is not
// registered in any scope.
func newTensor(dev Device, shape []int) *Tensor {
	n := checkShape(shape)
	t := getTensorStruct()
	t.dev = dev
	t.ndim = copy(t.shape[:], shape)
	t.size = n
	buf, err := dev.Alloc(n)
	if err != nil {
		panic(fmt.Errorf("autograd: allocating %s on %s: %w", dims(shape), dev.Name(), err))
	}
	t.buf = buf
	return t
}

// Empty returns a tensor of the given shape whose values are undefined.
func Empty(dev Device, shape ...int) *Tensor {
	t := newTensor(dev, shape)
	currentScopeAdd(t)
	return t
}

// Zeros returns a tensor of the given shape filled with 0.
func Zeros(dev Device, shape ...int) *Tensor { return Full(dev, 0, shape...) }

// Full returns a tensor of the given shape filled with v.
func Full(dev Device, v float32, shape ...int) *Tensor {
	t := Empty(dev, shape...)
	if t.size > 0 {
		dev.Fill(t, v)
	}
	return t
}

// FromSlice returns a tensor of the given shape holding a copy of data,
// which must have exactly as many values as the shape.
func FromSlice(dev Device, data []float32, shape ...int) (*Tensor, error) {
	if n := checkShape(shape); n != len(data) {
		return nil, fmt.Errorf("autograd: FromSlice: %d values for shape %v (%d elements)", len(data), shape, n)
	}
	t := Empty(dev, shape...)
	if t.size > 0 {
		dev.Upload(t.buf, t.off, data)
	}
	return t, nil
}

// MustFromSlice is FromSlice that panics on a length mismatch (for tests and
// literals).
func MustFromSlice(dev Device, data []float32, shape ...int) *Tensor {
	t, err := FromSlice(dev, data, shape...)
	if err != nil {
		panic(err)
	}
	return t
}

// Scalar returns a tensor of shape [] holding v.
func Scalar(dev Device, v float32) *Tensor { return Full(dev, v) }

// NewParameter returns a trainable leaf: a zero-filled tensor of the given
// shape that requires a gradient and carries a name (e.g. the HF weight name
// "encoder.layer.0.attention.self.query.weight"). Parameters never belong to
// a scope; fill one with SetData.
func NewParameter(dev Device, name string, shape ...int) *Tensor {
	t := newTensor(dev, shape)
	if t.size > 0 {
		dev.Fill(t, 0)
	}
	t.name = name
	t.param = true
	t.requiresGrad = true
	return t
}

// NewState returns a named zero-filled tensor that belongs to no scope and
// takes no gradient: optimizer moments, running statistics, anything that
// must outlive a training step. Release it when done.
func NewState(dev Device, name string, shape ...int) *Tensor {
	t := newTensor(dev, shape)
	if t.size > 0 {
		dev.Fill(t, 0)
	}
	t.name = name
	return t
}

// Device returns the device that holds t.
func (t *Tensor) Device() Device { return t.dev }

// Shape returns t's dimensions. The slice aliases t and must not be changed.
func (t *Tensor) Shape() []int { return t.shape[:t.ndim] }

// Dim returns the size of dimension i; a negative i counts from the end.
func (t *Tensor) Dim(i int) int {
	if i < 0 {
		i += t.ndim
	}
	return t.shape[i]
}

// Rank is the number of dimensions.
func (t *Tensor) Rank() int { return t.ndim }

// Len is the number of elements.
func (t *Tensor) Len() int { return t.size }

// Buffer returns the device buffer that holds t's data, which starts at
// Offset(). Devices use it; other code uses Data, SetData and Host.
func (t *Tensor) Buffer() Buffer { t.check(); return t.buf }

// Offset is where t's data starts in Buffer(), in elements.
func (t *Tensor) Offset() int { return t.off }

// Name is the parameter name ("" for other tensors).
func (t *Tensor) Name() string { return t.name }

// SetName names t (used in messages and by optimizers).
func (t *Tensor) SetName(name string) *Tensor { t.name = name; return t }

// IsParameter reports whether t was made by NewParameter.
func (t *Tensor) IsParameter() bool { return t.param }

// RequiresGrad reports whether gradients flow to t.
func (t *Tensor) RequiresGrad() bool { return t.requiresGrad }

// SetRequiresGrad makes t a leaf that collects a gradient (or stops it). It
// panics on a tensor made by an op that is part of a graph.
func (t *Tensor) SetRequiresGrad(on bool) *Tensor {
	if t.node != nil {
		panic("autograd: SetRequiresGrad on a non-leaf tensor")
	}
	t.requiresGrad = on
	return t
}

// Grad returns the gradient accumulated into t by Backward, or nil if none
// has been (or after ZeroGrad). The gradient belongs to t.
func (t *Tensor) Grad() *Tensor { return t.grad }

// ZeroGrad drops t's gradient, returning its storage to the device; the next
// Backward starts from zero.
func (t *Tensor) ZeroGrad() {
	if t.grad != nil {
		t.grad.free()
		t.grad = nil
	}
}

// ZeroGrads calls ZeroGrad on each tensor.
func ZeroGrads(ts []*Tensor) {
	for _, t := range ts {
		t.ZeroGrad()
	}
}

// IsView reports whether t shares another tensor's storage.
func (t *Tensor) IsView() bool { return t.base != nil }

func (t *Tensor) check() {
	if t.released {
		panic("autograd: use of a released tensor")
	}
}

// Data downloads t's values into a new slice.
func (t *Tensor) Data() []float32 {
	out := make([]float32, t.size)
	t.DataInto(out)
	return out
}

// DataInto downloads t's values into dst, which must have Len() elements.
func (t *Tensor) DataInto(dst []float32) {
	t.check()
	if len(dst) != t.size {
		panic(fmt.Sprintf("autograd: DataInto: %d values for tensor of shape %v", len(dst), t.Shape()))
	}
	if t.size > 0 {
		t.dev.Download(dst, t.buf, t.off)
	}
}

// Item downloads the single value of a tensor with one element.
func (t *Tensor) Item() float32 {
	if t.size != 1 {
		panic(fmt.Sprintf("autograd: Item of tensor of shape %v", t.Shape()))
	}
	t.dev.Download(t.item[:], t.buf, t.off)
	return t.item[0]
}

// SetData uploads data (Len() values) into t.
func (t *Tensor) SetData(data []float32) error {
	t.check()
	if len(data) != t.size {
		return fmt.Errorf("autograd: SetData %q: %d values for shape %v (%d elements)", t.name, len(data), t.Shape(), t.size)
	}
	if t.size > 0 {
		t.dev.Upload(t.buf, t.off, data)
	}
	return nil
}

// CopyFrom copies src's values (same number of elements, same device) into t.
func (t *Tensor) CopyFrom(src *Tensor) error {
	t.check()
	src.check()
	if src.size != t.size {
		return fmt.Errorf("autograd: CopyFrom: shapes %v and %v differ in size", t.Shape(), src.Shape())
	}
	if src.dev != t.dev {
		return fmt.Errorf("autograd: CopyFrom: tensors on devices %s and %s", t.dev.Name(), src.dev.Name())
	}
	if t.size > 0 {
		t.dev.CopyBuffer(t.buf, t.off, src.buf, src.off, t.size)
	}
	return nil
}

// Host returns t's values in place when t lives in host memory (the CPU
// device), and false otherwise. Writes through the slice change t.
func (t *Tensor) Host() ([]float32, bool) {
	t.check()
	if hb, ok := t.buf.(*hostBuffer); ok {
		return hb.data[t.off : t.off+t.size], true
	}
	return nil, false
}

// String describes t: name, shape and device.
func (t *Tensor) String() string {
	var b strings.Builder
	b.WriteString("Tensor")
	if t.name != "" {
		fmt.Fprintf(&b, " %q", t.name)
	}
	fmt.Fprintf(&b, " %v", t.Shape())
	if t.dev != nil {
		fmt.Fprintf(&b, " on %s", t.dev.Name())
	}
	return b.String()
}

// Release returns t's storage (and its gradient's) to the device right away
// and removes t from its scope. t must not be used afterwards, not even by a
// graph that Backward has yet to run through (set IDIM_AUTOGRAD_DEBUG=1 to
// catch such uses). Releasing a view releases only the view.
func (t *Tensor) Release() {
	if t.released {
		return
	}
	lockScopes()
	if t.scope != nil {
		t.scope.remove(t)
	}
	unlockScopes()
	t.free()
}

// free releases t's storage, gradient and node, and recycles the struct.
func (t *Tensor) free() {
	if t.released {
		return
	}
	if t.node != nil {
		freeNode(t.node)
		t.node = nil
	}
	if t.grad != nil {
		t.grad.free()
		t.grad = nil
	}
	if t.base == nil && t.buf != nil {
		t.dev.Free(t.buf)
	}
	putTensorStruct(t)
}

// view returns a tensor that shares t's storage, starting off elements into
// t, with the given shape.
func (t *Tensor) view(off int, shape []int) *Tensor {
	v := getTensorStruct()
	v.dev = t.dev
	v.buf = t.buf
	v.off = t.off + off
	v.ndim = copy(v.shape[:], shape)
	v.size = checkShape(shape)
	v.base = t
	if t.base != nil {
		v.base = t.base
	}
	return v
}
