package autograd

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
)

// node is one recorded op: the function that pushes the gradient of out back
// to its inputs, and what that function needs.
type node struct {
	backward func(n *node, g *Tensor)
	out      *Tensor
	in       [6]*Tensor // Apply uses at most 4; built-in ops up to 6
	nin      int
	aux      [3]*Tensor // tensors owned by the node (statistics, masks), freed with it
	ints     [2 * MaxDims]int
	f        [4]float32
	flags    [4]bool
	idx      []int32 // owned copy, capacity reused
	fn       Function
	u        uint64
	mark     uint32
}

var gradDisabled atomic.Int32

// GradEnabled reports whether ops record themselves for Backward.
func GradEnabled() bool { return gradDisabled.Load() == 0 }

// SetGradEnabled switches recording on or off and returns the previous
// setting. The setting is process-wide.
func SetGradEnabled(on bool) (prev bool) {
	if on {
		return gradDisabled.Swap(0) == 0
	}
	return gradDisabled.Swap(1) == 0
}

// NoGrad runs f with recording switched off (inference, optimizer updates),
// then restores the previous setting.
func NoGrad(f func()) {
	prev := SetGradEnabled(false)
	defer SetGradEnabled(prev)
	f()
}

// needsGrad reports whether an op on these inputs must be recorded.
func needsGrad(ins ...*Tensor) bool {
	if gradDisabled.Load() != 0 {
		return false
	}
	for _, t := range ins {
		if t != nil && t.requiresGrad {
			return true
		}
	}
	return false
}

// record makes out the result of an op with the given backward function and
// inputs (nil inputs are skipped by Backward).
func record(out *Tensor, backward func(n *node, g *Tensor), ins ...*Tensor) *node {
	n := getNode()
	n.backward = backward
	n.out = out
	n.nin = copy(n.in[:], ins)
	out.node = n
	out.requiresGrad = true
	return n
}

func getNode() *node { return popFree(&scopes.nodes) }

func freeNode(n *node) {
	for _, a := range n.aux {
		if a != nil {
			a.free()
		}
	}
	if n.out != nil && n.out.node == n {
		n.out.node = nil
	}
	idx := n.idx[:0]
	*n = node{}
	n.idx = idx
	pushFree(&scopes.nodes, n)
}

// tape holds Backward's scratch space, reused from call to call; its mutex
// serialises Backward calls.
var tape struct {
	sync.Mutex
	epoch uint32
	order []*node
	stack []stackEntry
}

type stackEntry struct {
	n    *node
	next int
}

// Backward computes the gradient of t, which must have one element, with
// respect to every leaf that requires a gradient and that t depends on, and
// adds it to their Grad. It then frees the graph: the intermediate tensors
// keep their values but become constants (their gradients are not kept).
// Backward calls are serialised; a Function's Backward must not call it.
func (t *Tensor) Backward() {
	if t.size != 1 {
		panic(fmt.Sprintf("autograd: Backward of a tensor of shape %v: give a seed gradient with BackwardWith", t.Shape()))
	}
	seed := newTensor(t.dev, t.Shape())
	t.dev.Fill(seed, 1)
	t.backward(seed)
}

// BackwardWith is Backward for a tensor of any shape, seeded with the
// gradient seed (same shape as t), which stays the caller's.
func (t *Tensor) BackwardWith(seed *Tensor) {
	if !slices.Equal(seed.Shape(), t.Shape()) {
		panic(fmt.Sprintf("autograd: BackwardWith: seed shape %v, tensor shape %v", seed.Shape(), t.Shape()))
	}
	g := newTensor(t.dev, t.Shape())
	if t.size > 0 {
		t.dev.CopyBuffer(g.buf, g.off, seed.buf, seed.off, t.size)
	}
	t.backward(g)
}

// backward runs the tape from t with g (owned by the engine) as its gradient.
func (t *Tensor) backward(g *Tensor) {
	t.check()
	if !t.requiresGrad {
		g.free()
		panic("autograd: Backward of a tensor that does not require a gradient")
	}
	if t.node == nil {
		// t is a leaf itself.
		accumGrad(t, g)
		return
	}
	tape.Lock()
	defer tape.Unlock()
	order := topoSort(t.node)
	hooked := hooksBegin(order)
	accumGrad(t, g)
	// Ops run inside a backward function (Function.Backward) are not
	// recorded.
	prev := SetGradEnabled(false)
	defer SetGradEnabled(prev)
	for i := len(order) - 1; i >= 0; i-- {
		n := order[i]
		out := n.out
		if g := out.grad; g != nil {
			n.backward(n, g)
			out.grad = nil
			g.free()
		}
		if hooked {
			hooksAfter(n)
		}
		out.requiresGrad = false
		out.graphFreed = true
		freeNode(n)
		order[i] = nil
	}
	tape.order = order[:0]
}

// topoSort lists the nodes reachable from root, each after all the nodes
// it depends on (root last).
func topoSort(root *node) []*node {
	tape.epoch++
	if tape.epoch == 0 {
		tape.epoch = 1
	}
	ep := tape.epoch
	order := tape.order[:0]
	stack := append(tape.stack[:0], stackEntry{n: root})
	root.mark = ep
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		n := top.n
		if top.next < n.nin {
			in := n.in[top.next]
			top.next++
			if in != nil && in.graphFreed {
				tape.stack = stack[:0]
				panic(fmt.Sprintf("autograd: Backward through %v, whose graph an earlier Backward already freed: add the losses and call Backward once, or Detach", in))
			}
			if in != nil && in.node != nil && in.node.mark != ep {
				in.node.mark = ep
				stack = append(stack, stackEntry{n: in.node})
			}
			continue
		}
		order = append(order, n)
		stack = stack[:len(stack)-1]
	}
	tape.stack = stack[:0]
	return order
}

// accumGrad adds contrib (an engine temporary of x's shape, not in any scope)
// to x's gradient, adopting it when x has none yet. contrib belongs to the
// engine afterwards.
func accumGrad(x *Tensor, contrib *Tensor) {
	if x == nil || !x.requiresGrad {
		contrib.free()
		return
	}
	if x.grad == nil {
		contrib.ndim = copy(contrib.shape[:], x.Shape())
		x.grad = contrib
		return
	}
	if x.size > 0 {
		x.dev.Axpy(1, contrib, x.grad)
	}
	contrib.free()
}

// gradTarget returns the tensor to write x's gradient contribution into and
// the beta to use with a kernel that computes dst = result + beta*dst: a new
// gradient with beta 0, or the existing one with beta 1. It returns nil when
// x needs no gradient.
func gradTarget(x *Tensor) (*Tensor, float32) {
	if x == nil || !x.requiresGrad {
		return nil, 0
	}
	if x.grad == nil {
		x.grad = newTensor(x.dev, x.Shape())
		return x.grad, 0
	}
	return x.grad, 1
}

// wants reports whether input x of a node needs a gradient.
func wants(x *Tensor) bool { return x != nil && x.requiresGrad }

// temp returns an engine temporary (not in any scope) of the given shape.
func temp(dev Device, shape ...int) *Tensor { return newTensor(dev, shape) }

// result returns a new op output of the given shape in the current scope.
func result(dev Device, shape ...int) *Tensor { return Empty(dev, shape...) }
