package autograd

import "sync"

// gradHooks holds the leaves' gradient-completion hooks (SetGradHook).
var gradHooks struct {
	sync.Mutex
	m    map[*Tensor]func(*Tensor)
	uses map[*Tensor]int // Backward's count of pending contributions, reused
}

// SetGradHook registers f to run during every later Backward through t, a
// leaf, as soon as t's gradient for that Backward is final: right after
// the last recorded op that takes t as an input has pushed its gradient
// (whether or not that op contributed one). f runs on the goroutine that
// runs Backward, with recording off; it may read t.Grad() and drop it
// (ZeroGrad) to free the memory before the rest of the backward pass runs,
// and must not call Backward. f is not called for a t that the Backward
// does not reach. nil removes the hook.
func (t *Tensor) SetGradHook(f func(*Tensor)) {
	if t.node != nil {
		panic("autograd: SetGradHook on a non-leaf tensor")
	}
	gradHooks.Lock()
	defer gradHooks.Unlock()
	if f == nil {
		delete(gradHooks.m, t)
		return
	}
	if gradHooks.m == nil {
		gradHooks.m = map[*Tensor]func(*Tensor){}
		gradHooks.uses = map[*Tensor]int{}
	}
	gradHooks.m[t] = f
}

// hooksBegin counts, for every hooked leaf, the nodes of order that take it
// as an input, and reports whether there is any (then Backward calls
// hooksAfter after each node). Called with the tape locked.
func hooksBegin(order []*node) bool {
	gradHooks.Lock()
	defer gradHooks.Unlock()
	if len(gradHooks.m) == 0 {
		return false
	}
	uses := gradHooks.uses
	clear(uses)
	for _, n := range order {
		for _, in := range n.in[:n.nin] {
			if in != nil && gradHooks.m[in] != nil {
				uses[in]++
			}
		}
	}
	return len(uses) > 0
}

// hooksAfter runs the hooks of the leaves whose last pending node n was.
func hooksAfter(n *node) {
	for _, in := range n.in[:n.nin] {
		if in == nil {
			continue
		}
		gradHooks.Lock()
		c, ok := gradHooks.uses[in]
		var f func(*Tensor)
		if ok {
			if c--; c == 0 {
				delete(gradHooks.uses, in)
				f = gradHooks.m[in]
			} else {
				gradHooks.uses[in] = c
			}
		}
		gradHooks.Unlock()
		if f != nil {
			f(in)
		}
	}
}
