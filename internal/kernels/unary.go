package kernels

import (
	"fmt"
	"math"
)

// UnaryOp names an elementwise function y = f(x).
type UnaryOp int

// The unary operations. Their derivatives are computed by UnaryBackward.
const (
	GELU     UnaryOp = iota // x * Phi(x) = 0.5 x (1 + erf(x/sqrt 2)), exact
	GELUTanh                // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
	Tanh                    // tanh x
	ReLU                    // max(x, 0)
	Sigmoid                 // 1 / (1 + exp(-x))
	Exp                     // exp x
	Log                     // log x
	Sqrt                    // sqrt x
	Square                  // x * x
	Neg                     // -x
)

var unaryNames = [...]string{"gelu", "gelu_tanh", "tanh", "relu", "sigmoid", "exp", "log", "sqrt", "square", "neg"}

func (op UnaryOp) String() string {
	if int(op) >= 0 && int(op) < len(unaryNames) {
		return unaryNames[op]
	}
	return fmt.Sprintf("UnaryOp(%d)", int(op))
}

const (
	invSqrt2    = 0.70710678118654752440
	invSqrt2Pi  = 0.39894228040143267794 // 1/sqrt(2 pi)
	sqrt2OverPi = 0.79788456080286535588
	geluTanhC   = 0.044715
)

// Unary is
//
//	for i := range dst {
//		dst[i] = op(x[i])
//	}
//
// dst may alias x. Long slices are split over the worker pool.
func Unary(op UnaryOp, dst, x []float32) {
	x = x[:len(dst)]
	if len(dst) >= ParallelMin {
		t := getTask(unaryRange)
		t.dst, t.a, t.op = dst, x, int(op)
		run(t, len(dst), 1, 4096)
		return
	}
	unary(op, dst, x)
}

func unaryRange(t *task, lo, hi int) { unary(UnaryOp(t.op), t.dst[lo:hi], t.a[lo:hi]) }

func unary(op UnaryOp, dst, x []float32) {
	x = x[:len(dst)]
	switch op {
	case GELU:
		GELUForward(dst, x)
	case GELUTanh:
		for i, v := range x {
			u := float64(v)
			dst[i] = float32(0.5 * u * (1 + math.Tanh(sqrt2OverPi*(u+geluTanhC*u*u*u))))
		}
	case Tanh:
		for i, v := range x {
			dst[i] = float32(math.Tanh(float64(v)))
		}
	case ReLU:
		for i, v := range x {
			// v > 0 keeps NaN out of the positive branch: NaN stays NaN
			// through the else branch below only if written explicitly.
			if v > 0 {
				dst[i] = v
			} else if v != v {
				dst[i] = v
			} else {
				dst[i] = 0
			}
		}
	case Sigmoid:
		for i, v := range x {
			dst[i] = sigmoid32(v)
		}
	case Exp:
		for i, v := range x {
			dst[i] = Exp32(v)
		}
	case Log:
		for i, v := range x {
			dst[i] = float32(math.Log(float64(v)))
		}
	case Sqrt:
		for i, v := range x {
			dst[i] = float32(math.Sqrt(float64(v)))
		}
	case Square:
		for i, v := range x {
			dst[i] = v * v
		}
	case Neg:
		for i, v := range x {
			dst[i] = -v
		}
	default:
		panic("kernels: unknown unary op " + op.String())
	}
}

func sigmoid32(v float32) float32 {
	if v >= 0 {
		return 1 / (1 + Exp32(-v))
	}
	e := Exp32(v)
	return e / (1 + e)
}

// UnaryBackward is, with f the function of op,
//
//	for i := range dx {
//		dx[i] = dy[i] * f'(x[i])      // y[i] = f(x[i]) is used where cheaper
//	}
//
// GELU, GELUTanh, ReLU, Log, Sqrt(uses y), Square and Neg read x; Tanh,
// Sigmoid, Exp and Sqrt read y. Either of x and y may be nil when op does not
// read it. dx may alias dy.
func UnaryBackward(op UnaryOp, dx, x, y, dy []float32) {
	dy = dy[:len(dx)]
	if len(dx) >= ParallelMin {
		t := getTask(unaryBackwardRange)
		t.dst, t.a, t.b, t.c, t.op = dx, x, y, dy, int(op)
		run(t, len(dx), 1, 4096)
		return
	}
	unaryBackward(op, dx, x, y, dy)
}

func sub(s []float32, lo, hi int) []float32 {
	if s == nil {
		return nil
	}
	return s[lo:hi]
}

func unaryBackwardRange(t *task, lo, hi int) {
	unaryBackward(UnaryOp(t.op), t.dst[lo:hi], sub(t.a, lo, hi), sub(t.b, lo, hi), t.c[lo:hi])
}

func unaryBackward(op UnaryOp, dx, x, y, dy []float32) {
	dy = dy[:len(dx)]
	switch op {
	case GELU:
		GELUBackward(dx, x, dy)
	case GELUTanh:
		x = x[:len(dx)]
		for i, v := range x {
			u := float64(v)
			inner := sqrt2OverPi * (u + geluTanhC*u*u*u)
			th := math.Tanh(inner)
			d := 0.5*(1+th) + 0.5*u*(1-th*th)*sqrt2OverPi*(1+3*geluTanhC*u*u)
			dx[i] = dy[i] * float32(d)
		}
	case Tanh:
		y = y[:len(dx)]
		for i, v := range y {
			dx[i] = dy[i] * (1 - v*v)
		}
	case ReLU:
		x = x[:len(dx)]
		for i, v := range x {
			if v > 0 {
				dx[i] = dy[i]
			} else {
				dx[i] = 0
			}
		}
	case Sigmoid:
		y = y[:len(dx)]
		for i, v := range y {
			dx[i] = dy[i] * v * (1 - v)
		}
	case Exp:
		y = y[:len(dx)]
		for i, v := range y {
			dx[i] = dy[i] * v
		}
	case Log:
		x = x[:len(dx)]
		for i, v := range x {
			dx[i] = dy[i] / v
		}
	case Sqrt:
		y = y[:len(dx)]
		for i, v := range y {
			dx[i] = dy[i] * 0.5 / v
		}
	case Square:
		x = x[:len(dx)]
		for i, v := range x {
			dx[i] = dy[i] * 2 * v
		}
	case Neg:
		for i := range dx {
			dx[i] = -dy[i]
		}
	default:
		panic("kernels: unknown unary op " + op.String())
	}
}

// UnaryReads reports whether UnaryBackward for op reads x and y.
func UnaryReads(op UnaryOp) (x, y bool) {
	switch op {
	case Tanh, Sigmoid, Exp, Sqrt:
		return false, true
	case Neg:
		return false, false
	}
	return true, false
}

// Exp32 is exp(x) in float32 with a relative error below 2 ulp: x = n ln2 + r
// with |r| <= ln2/2, a degree-6 polynomial for e^r, and n added to the
// exponent. It returns +Inf above 88.72, 0 below -103.97 and NaN for NaN.
func Exp32(x float32) float32 {
	const (
		ln2Hi  = 0.693145751953125
		ln2Lo  = 1.428606765330187e-06
		log2e  = 1.4426950408889634
		maxArg = 88.72283
		minArg = -103.97208
	)
	if !(x < maxArg) {
		if x != x {
			return x
		}
		return float32(math.Inf(1))
	}
	if x < minArg {
		return 0
	}
	// Round x*log2e to the nearest integer by adding and subtracting
	// 1.5*2^23 (|x*log2e| < 2^22, so the sum has no fraction bits left).
	const magic = 12582912
	n := (x*log2e + magic) - magic
	r := x - n*ln2Hi - n*ln2Lo
	// e^r on |r| <= 0.347 by its Taylor series to r^7/5040.
	p := float32(1.0 / 5040)
	p = p*r + 1.0/720
	p = p*r + 1.0/120
	p = p*r + 1.0/24
	p = p*r + 1.0/6
	p = p*r + 0.5
	p = p*r + 1
	p = p*r + 1
	ni := int32(n)
	if ni < -126 {
		// Subnormal result: scale in two steps.
		return p * math.Float32frombits(uint32(ni+126+127)<<23) * math.Float32frombits(1<<23)
	}
	if ni > 127 {
		return p * 2 * math.Float32frombits(uint32(ni-1+127)<<23)
	}
	return p * math.Float32frombits(uint32(ni+127)<<23)
}

// normCDF32 returns Phi(x), the standard normal CDF, and the density
// phi(x) = exp(-x^2/2)/sqrt(2 pi), in float32. Phi is 0.5*(1 + erf(x/sqrt 2))
// with erf from Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7,
// about 2 float32 ulps of values near 1):
//
//	erf(z) = 1 - t*(a1 + t*(a2 + t*(a3 + t*(a4 + t*a5)))) * exp(-z^2), t = 1/(1 + p z), z >= 0
//
// For x < 0, Phi = 0.5*(1 - erf(|z|)) is taken from the product directly,
// without the cancellation of 1 - erf, so small tail values keep their
// relative accuracy. exp(-z^2) is phi up to a constant, so one exponential
// serves both results.
func normCDF32(x float32) (cdf, pdf float32) {
	const (
		p  = 0.3275911
		a1 = 0.254829592
		a2 = -0.284496736
		a3 = 1.421413741
		a4 = -1.453152027
		a5 = 1.061405429
	)
	z := float64(x) * invSqrt2
	if z < 0 {
		z = -z
	}
	e := Exp32(float32(-z * z))
	// The polynomial runs in float64 (scalar Go code costs the same), so
	// only the exponential rounds in float32.
	t := 1 / (1 + p*z)
	q := float32(0.5 * t * (a1 + t*(a2+t*(a3+t*(a4+t*a5)))) * float64(e)) // 0.5*erfc(z)
	pdf = invSqrt2Pi * e
	if x < 0 {
		return q, pdf
	}
	if x != x {
		return x, x
	}
	return 1 - q, pdf
}
