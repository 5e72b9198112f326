package autograd

import (
	"fmt"
	"log"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/idim-go/idim/internal/kernels"
)

// Buffer is a block of float32 storage owned by a Device. Only the device
// that made a buffer may read it; other code moves data with the device's
// Upload, Download and CopyBuffer.
type Buffer interface {
	// Len is the number of float32 values the buffer holds (at least what
	// was asked of Alloc).
	Len() int
}

// BinaryOp and UnaryOp name the elementwise operations of Device.Binary,
// Device.Unary and Device.UnaryBackward.
type (
	BinaryOp = kernels.BinaryOp
	UnaryOp  = kernels.UnaryOp
)

// The elementwise operations.
const (
	OpAdd = kernels.Add
	OpSub = kernels.Sub
	OpMul = kernels.Mul
	OpDiv = kernels.Div

	OpGELU     = kernels.GELU
	OpGELUTanh = kernels.GELUTanh
	OpTanh     = kernels.Tanh
	OpReLU     = kernels.ReLU
	OpSigmoid  = kernels.Sigmoid
	OpExp      = kernels.Exp
	OpLog      = kernels.Log
	OpSqrt     = kernels.Sqrt
	OpSquare   = kernels.Square
	OpNeg      = kernels.Neg
)

// AdamParams are the scalars of one fused Adam/AdamW step (Device.Adam).
type AdamParams = kernels.AdamParams

// MaxDims is the largest rank a Tensor can have.
const MaxDims = 8

// GemmArgs describes a batch of row-major matrix products
//
//	for i := 0; i < Batch; i++ {
//		C_i = Alpha * op(A_i) * op(B_i) + Beta * C_i
//	}
//
// where X_i starts at X's offset plus i*StrideX elements (StrideX 0
// broadcasts one matrix over the batch), op(A_i) is M x K (A_i is stored
// K x M when TransA), op(B_i) is K x N (stored N x K when TransB), and the Ld
// fields are row strides. Beta == 0 ignores C's old contents (BLAS).
type GemmArgs struct {
	TransA, TransB            bool
	M, N, K                   int
	Alpha, Beta               float32
	A, B, C                   *Tensor
	LdA, LdB, LdC             int
	StrideA, StrideB, StrideC int
	Batch                     int
}

// Kernel names, as passed to Device.Supports. Each names one kernel method
// of Device. The memory methods (Alloc, Free, Upload, Download, CopyBuffer)
// have no name: every device implements them.
const (
	KFill                  = "fill"
	KGemm                  = "gemm"
	KBinary                = "binary"
	KUnary                 = "unary"
	KUnaryBackward         = "unary_backward"
	KAxpy                  = "axpy"
	KScale                 = "scale"
	KReduceSum             = "reduce_sum"
	KSumSquares            = "sum_squares"
	KSoftmax               = "softmax"
	KSoftmaxBackward       = "softmax_backward"
	KMaskedSoftmax         = "masked_softmax"
	KMaskedSoftmaxBackward = "masked_softmax_backward"
	KLayerNorm             = "layernorm"
	KLayerNormBackward     = "layernorm_backward"
	KGather                = "gather"
	KScatterAdd            = "scatter_add"
	KPermute               = "permute"
	KCopyRows              = "copy_rows"
	KDropout               = "dropout"
	KCrossEntropy          = "cross_entropy"
	KCrossEntropyBackward  = "cross_entropy_backward"
	KAdam                  = "adam"
)

// Kernels lists every kernel name of the Device interface.
var Kernels = []string{KFill, KGemm, KBinary, KUnary, KUnaryBackward, KAxpy, KScale,
	KReduceSum, KSumSquares, KSoftmax, KSoftmaxBackward, KMaskedSoftmax, KMaskedSoftmaxBackward, KLayerNorm,
	KLayerNormBackward, KGather, KScatterAdd, KPermute, KCopyRows, KDropout, KCrossEntropy,
	KCrossEntropyBackward, KAdam}

// Device owns tensor storage and runs the kernels that the ops are built
// from. Tensor arguments of kernels are always contiguous (their data is
// Len() values from their offset in their buffer) and live on this device;
// an output never aliases an input unless the method says it may.
// Kernels may run asynchronously; Download waits for all earlier work.
//
// A device that cannot run a kernel returns false from Supports for it; the
// device returned by Open then runs that kernel on the CPU (copying its
// operands over and back) and logs one line the first time.
type Device interface {
	// Name is the name the device is registered under ("cpu", "vulkan").
	Name() string
	// Supports reports whether the device runs the kernel named op (one of
	// the K* constants) itself.
	Supports(op string) bool

	// Alloc returns a buffer of at least n float32 values with undefined
	// contents.
	Alloc(n int) (Buffer, error)
	// Free returns a buffer to the device (which may reuse it).
	Free(b Buffer)
	// Upload copies src into b starting at element off.
	Upload(b Buffer, off int, src []float32)
	// Download copies len(dst) values of b starting at element off into dst.
	Download(dst []float32, b Buffer, off int)
	// CopyBuffer copies n values from src[srcOff:] to dst[dstOff:].
	CopyBuffer(dst Buffer, dstOff int, src Buffer, srcOff, n int)

	// Fill sets every element of dst to v.
	Fill(dst *Tensor, v float32)
	// Gemm runs a batch of matrix products (see GemmArgs).
	Gemm(g GemmArgs)
	// Binary computes dst = a op b elementwise with broadcasting: a's and
	// b's shapes, aligned on the right, have either dst's size or 1 in each
	// dimension. dst may alias a or b when they have dst's shape.
	Binary(op BinaryOp, dst, a, b *Tensor)
	// Unary computes dst = op(x); dst may alias x.
	Unary(op UnaryOp, dst, x *Tensor)
	// UnaryBackward computes dx = dy * op'(x) using x or y = op(x) as
	// kernels.UnaryBackward documents (the unread one may be nil). dx may
	// alias dy.
	UnaryBackward(op UnaryOp, dx, x, y, dy *Tensor)
	// Axpy computes y += alpha*x (x and y of the same length).
	Axpy(alpha float32, x, y *Tensor)
	// Scale computes dst = alpha*x; dst may alias x.
	Scale(alpha float32, dst, x *Tensor)
	// ReduceSum views src as [outer, n, inner] and computes
	// dst[o,i] = alpha*sum_j src[o,j,i] + beta*dst[o,i] (beta 0: overwrite).
	ReduceSum(dst, src *Tensor, outer, n, inner int, alpha, beta float32)
	// SumSquares computes dst[0] = sum x^2, or adds it to dst[0] when
	// accumulate is set (global gradient norms).
	SumSquares(dst, x *Tensor, accumulate bool)
	// Softmax computes softmax (log-softmax when log) over rows of length n.
	Softmax(dst, x *Tensor, rows, n int, log bool)
	// SoftmaxBackward computes dx from y = softmax(x) (or log_softmax) and
	// dy; for softmax the result is multiplied by alpha. dx may alias dy.
	SoftmaxBackward(dx, y, dy *Tensor, rows, n int, log bool, alpha float32)
	// MaskedSoftmax is kernels.MaskedSoftmax: scores [batch, heads, q, k],
	// mask [batch, k] (nil: none), scaled by scale.
	MaskedSoftmax(dst, x, mask *Tensor, batch, heads, q, k int, scale float32)
	// MaskedSoftmaxBackward is kernels.MaskedSoftmaxBackward: dx from the
	// output y and dy (rows whose keys are all masked get 0). dx may alias
	// dy.
	MaskedSoftmaxBackward(dx, y, dy, mask *Tensor, batch, heads, q, k int, scale float32)
	// LayerNorm is kernels.LayerNorm; gamma and beta may be nil.
	LayerNorm(y, mean, rstd, x, gamma, beta *Tensor, rows, n int, eps float32)
	// LayerNormBackward is kernels.LayerNormBackward; dx, dgamma, dbeta and
	// gamma may be nil.
	LayerNormBackward(dx, dgamma, dbeta, dy, x, mean, rstd, gamma *Tensor, rows, n int)
	// Gather copies rows: dst[i,:] = table[idx[i],:] (idx in range).
	Gather(dst, table *Tensor, idx []int32)
	// ScatterAdd adds rows: dst[idx[i],:] += src[i,:], repeated indices
	// summing.
	ScatterAdd(dst, src *Tensor, idx []int32)
	// Permute writes src (contiguous, shape src.Shape()) with its axes
	// reordered: dst axis d is src axis perm[d].
	Permute(dst, src *Tensor, perm [MaxDims]int)
	// CopyRows copies rows blocks of cols values:
	// dst[dstOff+r*dstLd+c] (+)= src[srcOff+r*srcLd+c]; offsets are relative
	// to each tensor's own start.
	CopyRows(dst *Tensor, dstOff, dstLd int, src *Tensor, srcOff, srcLd, rows, cols int, accumulate bool)
	// Dropout is kernels.Dropout with offset 0; dst may alias x.
	Dropout(dst, x *Tensor, p float32, seed uint64)
	// CrossEntropy is kernels.CrossEntropy over logits [rows, n].
	CrossEntropy(loss, lse, logits *Tensor, labels []int32, ignore int32, scale float32)
	// CrossEntropyBackward is kernels.CrossEntropyBackward; dloss holds
	// the gradient of the loss (one value).
	CrossEntropyBackward(dlogits, logits, lse, dloss *Tensor, labels []int32, ignore int32, scale float32)
	// Adam is one fused Adam/AdamW step on param with its gradient and
	// moment buffers (all the same length).
	Adam(param, grad, m, v *Tensor, p AdamParams)
}

var registry = struct {
	sync.Mutex
	open   map[string]func() (Device, error)
	opened map[string]Device
}{open: map[string]func() (Device, error){}, opened: map[string]Device{}}

// Register makes a device available to Open under name. Devices call it from
// an init function; registering a name twice panics.
func Register(name string, open func() (Device, error)) {
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.open[name]; dup {
		panic("autograd: device " + name + " registered twice")
	}
	registry.open[name] = open
}

// Devices lists the registered device names, sorted.
func Devices() []string {
	registry.Lock()
	defer registry.Unlock()
	return slices.Sorted(maps.Keys(registry.open))
}

// EnvDevice is the environment variable Open reads when no name is given.
const EnvDevice = "IDIM_DEVICE"

// Open returns the device called name, opening it on first use (later calls
// return the same device). An empty name means $IDIM_DEVICE, and "cpu" when
// that is unset. A device other than the CPU comes wrapped so that kernels it
// does not support run on the CPU (see Device).
func Open(name string) (Device, error) {
	if name == "" {
		name = strings.TrimSpace(os.Getenv(EnvDevice))
	}
	if name == "" {
		name = "cpu"
	}
	registry.Lock()
	defer registry.Unlock()
	if d, ok := registry.opened[name]; ok {
		return d, nil
	}
	open, ok := registry.open[name]
	if !ok {
		return nil, fmt.Errorf("autograd: no device %q (registered: %s)", name, strings.Join(slices.Sorted(maps.Keys(registry.open)), ", "))
	}
	d, err := open()
	if err != nil {
		return nil, fmt.Errorf("autograd: opening device %q: %w", name, err)
	}
	if _, isCPU := d.(*CPUDevice); !isCPU {
		d = WithFallback(d)
	}
	registry.opened[name] = d
	return d, nil
}

// Logf is where the package writes its few log lines (CPU fallbacks). It
// defaults to log.Printf.
var Logf = log.Printf
