package autograd

import "sync"

// gradHooks holds the leaves' gradient-completion hooks (SetGradHook).
var gradHooks struct {
	sync.Mutex
	m    map[*Tensor]func(*Tensor)
	rows map[*Tensor]func(ids []int32, g *Tensor) // SetRowGradHook
	uses map[*Tensor]int                          // Backward's count of pending contributions, reused
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
	gradHooks.m[t] = f
}

func init() {
	gradHooks.m = map[*Tensor]func(*Tensor){}
	gradHooks.rows = map[*Tensor]func([]int32, *Tensor){}
	gradHooks.uses = map[*Tensor]int{}
}

// SetRowGradHook registers f to take the place of t's gradient, for a leaf
// t of shape [rows, dim] that Embedding gathers from, whenever the
// gradient would be row-sparse: when, in a Backward, the Embedding op is
// the only op that gives t a gradient (t has no gradient yet, and no other
// op of the pass takes t as an input), Embedding's backward calls f(ids, g)
// instead of materialising t's gradient: g ([len(ids), dim]) holds the
// gradient of row ids[i] in its row i; rows that ids repeats add up (in
// the order of ids, which is how the dense gradient would sum them, from
// zero), and every other row's gradient is zero. ids and g are valid
// during the call only. t's gradient then stays nil (its SetGradHook hook,
// if any, still runs, and sees none). In every other case the gradient is
// materialised as usual. f runs like a SetGradHook hook (on the Backward's
// goroutine, recording off, must not call Backward). nil removes the hook.
//
// Dense gradients of large embedding tables (RoBERTa's 50265 x 768 words:
// 154 MB for the 1024 rows a batch touches) need not exist when the
// gradient is consumed at once (subspace.Wrap).
func (t *Tensor) SetRowGradHook(f func(ids []int32, g *Tensor)) {
	if t.node != nil {
		panic("autograd: SetRowGradHook on a non-leaf tensor")
	}
	gradHooks.Lock()
	defer gradHooks.Unlock()
	if f == nil {
		delete(gradHooks.rows, t)
		return
	}
	gradHooks.rows[t] = f
}

// rowGradHook returns t's row hook when the contribution of the calling
// op (one of t's pending uses in this Backward) is t's whole gradient.
func rowGradHook(t *Tensor) func([]int32, *Tensor) {
	if t.grad != nil {
		return nil
	}
	gradHooks.Lock()
	defer gradHooks.Unlock()
	f := gradHooks.rows[t]
	if f == nil || gradHooks.uses[t] != 1 {
		return nil
	}
	return f
}

// hooksBegin counts, for every hooked leaf (either hook), the nodes of order that take it
// as an input, and reports whether there is any (then Backward calls
// hooksAfter after each node). Called with the tape locked.
func hooksBegin(order []*node) bool {
	gradHooks.Lock()
	defer gradHooks.Unlock()
	uses := gradHooks.uses
	clear(uses)
	if len(gradHooks.m) == 0 && len(gradHooks.rows) == 0 {
		return false
	}
	for _, n := range order {
		for _, in := range n.in[:n.nin] {
			if in != nil && (gradHooks.m[in] != nil || gradHooks.rows[in] != nil) {
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
