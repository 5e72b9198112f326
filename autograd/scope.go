package autograd

import (
	"os"
	"sync"
)

// Scope collects the tensors made while it is active so that they can all be
// released at once, returning their storage to the device's pool. A training
// step that runs inside one reusable Scope allocates (almost) nothing once
// the pool is warm:
//
//	var step autograd.Scope
//	for batch := range batches {
//		step.Begin()
//		loss := model.Loss(batch) // every intermediate tensor joins step
//		loss.Backward()           // frees the graph; parameter grads stay
//		fmt.Println(loss.Item())
//		opt.Step()
//		step.End()                // releases every tensor made since Begin
//	}
//
// Scopes nest: Begin makes the scope current, End restores the one that was
// current before. Tensors made by ops, Empty, Zeros, Full and FromSlice join
// the current scope; parameters and gradients never do. Keep moves tensors
// out of a scope (to the enclosing one, or to none) so that they survive End.
// Using a tensor after its scope ended is a bug that this package does not
// detect (the storage may already hold another tensor's values).
//
// The current scope is process-wide: build graphs from one goroutine at a
// time (the kernels themselves run in parallel).
type Scope struct {
	tensors []*Tensor
	parent  *Scope
	active  bool

	keepStack []*Tensor
}

var scopes struct {
	sync.Mutex
	current *Scope
	free    []*Tensor // recycled Tensor structs
	nodes   []*node   // recycled nodes
}

func lockScopes()   { scopes.Lock() }
func unlockScopes() { scopes.Unlock() }

// NewScope returns a new scope that is already active (Begin has been called).
func NewScope() *Scope {
	s := new(Scope)
	s.Begin()
	return s
}

// Begin makes s the current scope. Beginning an active scope panics.
func (s *Scope) Begin() {
	scopes.Lock()
	defer scopes.Unlock()
	if s.active {
		panic("autograd: Scope.Begin on an active scope")
	}
	s.active = true
	s.parent = scopes.current
	scopes.current = s
}

// End releases every tensor of s (and their gradients and graph nodes) and
// makes the enclosing scope current again. s can Begin again afterwards.
// Ending a scope that is not the current one panics.
func (s *Scope) End() {
	scopes.Lock()
	if scopes.current != s {
		scopes.Unlock()
		panic("autograd: Scope.End on a scope that is not the current one")
	}
	scopes.current = s.parent
	s.parent = nil
	s.active = false
	ts := s.tensors
	s.tensors = s.tensors[:0]
	for _, t := range ts {
		t.scope = nil
	}
	scopes.Unlock()
	// Free views first so that no view outlives its base in the free list
	// order (they share nothing that matters, but it keeps the pool tidy).
	for i, t := range ts {
		if t.base != nil {
			t.free()
			ts[i] = nil
		}
	}
	for i, t := range ts {
		if t != nil {
			t.free()
			ts[i] = nil
		}
	}
}

// Len is the number of tensors that s holds.
func (s *Scope) Len() int {
	scopes.Lock()
	defer scopes.Unlock()
	return len(s.tensors)
}

// Keep moves the tensors out of s into the scope that was current when s
// began (or into none), so that they survive s.End. What a kept tensor needs
// moves with it: the tensor whose storage a view shares, and, while the
// tensor is still part of a graph (Backward has not run through it), every
// tensor of s that the graph leading to it uses.
func (s *Scope) Keep(ts ...*Tensor) {
	scopes.Lock()
	defer scopes.Unlock()
	stack := s.keepStack[:0]
	stack = append(stack, ts...)
	for len(stack) > 0 {
		t := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if t == nil || t.scope != s {
			continue
		}
		s.remove(t)
		if s.parent != nil {
			s.parent.add(t)
		}
		if t.base != nil {
			stack = append(stack, t.base)
		}
		if n := t.node; n != nil {
			stack = append(stack, n.in[:n.nin]...)
		}
	}
	s.keepStack = stack[:0]
}

func (s *Scope) add(t *Tensor) {
	t.scope = s
	t.scopeIdx = len(s.tensors)
	s.tensors = append(s.tensors, t)
}

// remove takes t out of s (scopes lock held).
func (s *Scope) remove(t *Tensor) {
	i := t.scopeIdx
	last := len(s.tensors) - 1
	if i > last || s.tensors[i] != t {
		return
	}
	s.tensors[i] = s.tensors[last]
	s.tensors[i].scopeIdx = i
	s.tensors[last] = nil
	s.tensors = s.tensors[:last]
	t.scope = nil
}

// currentScopeAdd puts t into the current scope, if any.
func currentScopeAdd(t *Tensor) {
	scopes.Lock()
	if s := scopes.current; s != nil {
		s.add(t)
	}
	scopes.Unlock()
}

func getTensorStruct() *Tensor {
	t := popFree(&scopes.free)
	*t = Tensor{}
	return t
}

// popFree takes the most recently recycled struct off the list *free (one
// of scopes' lists), or makes a new one.
func popFree[T any](free *[]*T) *T {
	scopes.Lock()
	n := len(*free)
	if n == 0 {
		scopes.Unlock()
		return new(T)
	}
	t := (*free)[n-1]
	(*free)[n-1] = nil
	*free = (*free)[:n-1]
	scopes.Unlock()
	return t
}

// pushFree puts t on the list *free (one of scopes' lists) unless that
// holds maxFreeStructs already.
func pushFree[T any](free *[]*T, t *T) {
	scopes.Lock()
	if len(*free) < maxFreeStructs {
		*free = append(*free, t)
	}
	scopes.Unlock()
}

// maxFreeStructs bounds the recycled Tensor structs (and nodes) kept
// around.
const maxFreeStructs = 1 << 14

// RecycleTensors lets released Tensor structs be reused. When it is false,
// every use of a released tensor (for example one whose Scope has ended)
// panics with "use of a released tensor" instead of reading another
// tensor's data, at the price of one allocation per tensor. It is false
// when the environment variable IDIM_AUTOGRAD_DEBUG is set at start-up;
// tests may set it directly.
var RecycleTensors = os.Getenv("IDIM_AUTOGRAD_DEBUG") == ""

func putTensorStruct(t *Tensor) {
	dev := t.dev
	*t = Tensor{released: true, dev: dev}
	if !RecycleTensors {
		return
	}
	pushFree(&scopes.free, t)
}
