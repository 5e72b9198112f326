package kernels

// CrossEntropy is the softmax cross-entropy of rows logits of length n
// against integer labels, skipping rows whose label is ignore:
//
//	for r := 0; r < rows; r++ {
//		lse[r] = log(sum_j exp(logits[r,j]))
//		if labels[r] != ignore {
//			s += lse[r] - logits[r,labels[r]]
//		}
//	}
//	loss[0] = scale * s
//
// Labels other than ignore must lie in [0, n); the caller checks them.
func CrossEntropy(loss, lse, logits []float32, labels []int32, rows, n int, ignore int32, scale float32) {
	t := getTask(lseRows)
	t.dst, t.a, t.n = lse, logits, n
	run(t, rows, n, grainFor(n))
	var s float64
	for r := 0; r < rows; r++ {
		if l := labels[r]; l != ignore {
			s += float64(lse[r]) - float64(logits[r*n+int(l)])
		}
	}
	loss[0] = scale * float32(s)
}

func lseRows(t *task, lo, hi int) {
	n := t.n
	for r := lo; r < hi; r++ {
		t.dst[r] = logSumExp(t.a[r*n : r*n+n])
	}
}

// CrossEntropyBackward is the gradient of CrossEntropy given the gradient
// g[0] of loss:
//
//	for each row r and column j:
//		if labels[r] == ignore {
//			dlogits[r,j] = 0
//		} else {
//			dlogits[r,j] = g[0]*scale * (exp(logits[r,j]-lse[r]) - (j == labels[r]))
//		}
func CrossEntropyBackward(dlogits, logits, lse []float32, labels []int32, g []float32, rows, n int, ignore int32, scale float32) {
	t := getTask(crossEntropyBackwardRows)
	t.dst, t.a, t.b, t.idx, t.n, t.i0, t.f0 = dlogits, logits, lse, labels, n, ignore, g[0]*scale
	run(t, rows, n, grainFor(n))
}

func crossEntropyBackwardRows(t *task, lo, hi int) {
	n := t.n
	for r := lo; r < hi; r++ {
		d := t.dst[r*n : r*n+n]
		l := t.idx[r]
		if l == t.i0 {
			for j := range d {
				d[j] = 0
			}
			continue
		}
		expSum(d, t.a[r*n:r*n+n], nil, 1, t.b[r])
		for j := range d {
			d[j] *= t.f0
		}
		d[l] -= t.f0
	}
}
