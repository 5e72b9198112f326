//go:build vulkan && cgo

package vulkan

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/idim-go/idim/autograd"
	"github.com/idim-go/idim/autograd/devicetest"
	"github.com/idim-go/idim/fwht"
)

// EnvRequired set to 1 makes the tests fail, instead of skip, when no Vulkan
// device can be opened (CI sets it: it installs lavapipe).
const EnvRequired = "IDIM_VULKAN_REQUIRED"

// testSelection is the device the tests open: the suffix of $IDIM_DEVICE
// when it names a vulkan device, else llvmpipe (the CI device) when no GPU
// is asked for.
func testSelection() string {
	if s := os.Getenv(autograd.EnvDevice); strings.HasPrefix(s, "vulkan") {
		return strings.TrimPrefix(strings.TrimPrefix(s, "vulkan"), ":")
	}
	return "llvmpipe"
}

// open opens the test device and registers a check, run at cleanup, that
// the validation layer (when enabled) reported no error or warning and that
// every buffer was freed.
func open(t testing.TB) *Device {
	t.Helper()
	d := openUnchecked(t)
	t.Cleanup(func() {
		if err := d.Sync(); err != nil {
			t.Errorf("sync: %v", err)
		}
		if _, used := d.MemStats(); used != 0 {
			t.Errorf("%d bytes of device memory still allocated at the end of the test", used)
		}
		errs, warns, last := d.ValidationMessages()
		if err := d.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
		e2, w2, l2 := d.ValidationMessages()
		if e2 > errs || w2 > warns {
			last = l2
		}
		if e2+w2 > 0 {
			t.Errorf("validation layer: %d errors, %d warnings; last: %s", e2, w2, last)
		}
	})
	t.Logf("device: %s", d.Info())
	return d
}

// openUnchecked opens the test device without open's cleanup checks; with
// no Vulkan device the test fails when EnvRequired is 1, else it skips.
func openUnchecked(t testing.TB) *Device {
	t.Helper()
	d, err := New(testSelection())
	if err != nil {
		if os.Getenv(EnvRequired) == "1" {
			t.Fatalf("%s=1 but: %v", EnvRequired, err)
		}
		t.Skipf("no Vulkan device: %v", err)
	}
	return d
}

// needValidation skips the test unless the validation layer is enabled.
func needValidation(t *testing.T) {
	t.Helper()
	if !strings.Contains(os.Getenv("VK_INSTANCE_LAYERS"), "validation") {
		t.Skip("VK_INSTANCE_LAYERS does not enable the validation layer")
	}
}

// TestValidationCatches makes sure the debug messenger records a real
// validation error (only when the validation layer is enabled).
func TestValidationCatches(t *testing.T) {
	needValidation(t)
	d := openUnchecked(t)
	defer d.Close()
	e0, _, _ := d.ValidationMessages()
	d.invalidCopyForTest()
	e1, _, last := d.ValidationMessages()
	if e1 <= e0 {
		t.Fatalf("a zero-size copy raised no validation error (errors %d -> %d)", e0, e1)
	}
	t.Logf("caught: %.120s", last)
}

// TestLeakCaught makes sure an object left alive at Close shows up as a
// validation error (only with the validation layer).
func TestLeakCaught(t *testing.T) {
	needValidation(t)
	d := openUnchecked(t)
	x := autograd.MustFromSlice(d, []float32{1, 2}, 2)
	d.Scale(2, x, x)
	x.Release()
	d.leakForTest = true
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if e, _, last := d.ValidationMessages(); e == 0 {
		t.Fatal("a pipeline left alive at Close raised no validation error")
	} else {
		t.Logf("caught: %.100s", last)
	}
}

func TestDescribe(t *testing.T) {
	infos, err := Describe()
	if err != nil {
		if os.Getenv(EnvRequired) == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	for _, i := range infos {
		t.Log(i)
		if i.Name == "" || i.Type == "" {
			t.Errorf("device %d: empty name or type: %+v", i.Index, i)
		}
	}
}

// TestMissingLoader checks that a binary without a usable loader falls back
// to the CPU with one log line, through the autograd registry.
func TestMissingLoader(t *testing.T) {
	t.Setenv(EnvLib, "/nonexistent/libvulkan.so.1")
	if _, err := New(""); err == nil || !strings.Contains(err.Error(), "/nonexistent/libvulkan.so.1") {
		t.Fatalf("New with a missing loader: err = %v, want one naming the path", err)
	}
	if _, err := Describe(); err == nil {
		t.Fatal("Describe with a missing loader: no error")
	}
	var logged []string
	defer func(f func(string, ...any)) { autograd.Logf = f }(autograd.Logf)
	autograd.Logf = func(format string, args ...any) { logged = append(logged, format) }
	// A name nobody else opens in this process (Open caches devices).
	dev, err := autograd.Open("vulkan:7")
	if err != nil {
		t.Fatal(err)
	}
	if dev != autograd.Device(autograd.CPU()) {
		t.Errorf("fallback device is %s, want cpu", dev.Name())
	}
	if len(logged) != 1 {
		t.Errorf("%d log lines, want 1: %q", len(logged), logged)
	}
}

// TestNoDriver checks the loader-present, driver-absent case: New returns
// an error (and does not crash) when the loader finds no ICD.
func TestNoDriver(t *testing.T) {
	if _, err := Describe(); err != nil {
		t.Skipf("no loader: %v", err)
	}
	t.Setenv("VK_ICD_FILENAMES", "/nonexistent/icd.json")
	t.Setenv("VK_DRIVER_FILES", "/nonexistent/icd.json")
	_, err := New("")
	if err == nil {
		t.Fatal("New found a device with no driver")
	}
	t.Logf("without a driver: %v", err)
	if _, err := New("llvmpipe"); err == nil {
		t.Fatal("New(llvmpipe) found a device with no driver")
	}
}

func TestSelection(t *testing.T) {
	ps := []physical{
		{info: DeviceInfo{Index: 0, Name: "llvmpipe (LLVM 15)", Type: "cpu", Usable: true}},
		{info: DeviceInfo{Index: 1, Name: "Intel UHD", Type: "integrated", Usable: true}},
		{info: DeviceInfo{Index: 2, Name: "Radeon RX", Type: "discrete", Usable: true}},
		{info: DeviceInfo{Index: 3, Name: "Broken", Type: "discrete", Usable: false, Why: "no bufferDeviceAddress"}},
	}
	for _, c := range []struct {
		sel  string
		want int
	}{{"", 2}, {"llvmpipe", 0}, {"lavapipe", 0}, {"0", 0}, {"1", 1}, {"intel", 1}, {"3", -1}, {"9", -1}, {"nvidia", -1}} {
		p, err := pick(ps, c.sel)
		got := p.info.Index
		if err != nil {
			got = -1
		}
		if got != c.want {
			t.Errorf("pick(%q) = %d (%v), want %d", c.sel, got, err, c.want)
		}
	}
	if _, err := pick(ps[:1], ""); err == nil {
		t.Error("pick picked a CPU software device unasked")
	}
	if _, err := pick(ps[:2], ""); err != nil {
		t.Errorf("integrated GPU not picked: %v", err)
	}
}

func TestDisable(t *testing.T) {
	t.Setenv(EnvDisable, "gemm, LayerNorm")
	d := open(t)
	if d.Supports(autograd.KGemm) || d.Supports(autograd.KLayerNorm) || !d.Supports(autograd.KSoftmax) || d.Supports("nonsense") {
		t.Errorf("Supports does not follow %s", EnvDisable)
	}
	t.Setenv(EnvDisable, "tiled_gemm")
	if d2 := open(t); d2.gemmShader != "gemm_direct" {
		t.Errorf("%s=tiled_gemm: GEMM shader %s", EnvDisable, d2.gemmShader)
	}
	t.Setenv(EnvDisable, "direct_gemm")
	if d2 := open(t); d2.gemmShader != "gemm" {
		t.Errorf("%s=direct_gemm: GEMM shader %s", EnvDisable, d2.gemmShader)
	}
}

// TestBuffers checks Upload/Download/CopyBuffer/Fill at every size and
// offset, with guard values around the written ranges, and the
// sub-allocator's reuse and coalescing.
func TestBuffers(t *testing.T) {
	d := open(t)
	const guard = -7.25
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n <= 70; n += 1 + n/8 {
		for off := 0; off < 5; off++ {
			total := n + off + 3
			b, err := d.Alloc(total)
			if err != nil {
				t.Fatal(err)
			}
			init := make([]float32, total)
			for i := range init {
				init[i] = guard
			}
			d.Upload(b, 0, init)
			src := make([]float32, n)
			for i := range src {
				src[i] = float32(rng.NormFloat64())
			}
			d.Upload(b, off, src)
			// Copy within the buffer, overlapping (forward by 1).
			c, _ := d.Alloc(total)
			d.CopyBuffer(c, 0, b, 0, total)
			d.CopyBuffer(c, off+1, c, off, n)
			got := make([]float32, total)
			d.Download(got, b, 0)
			for i, v := range got {
				want := float32(guard)
				if i >= off && i < off+n {
					want = src[i-off]
				}
				if v != want {
					t.Fatalf("n=%d off=%d: upload: got[%d] = %v, want %v", n, off, i, v, want)
				}
			}
			d.Download(got, c, 0)
			for i, v := range got {
				want := float32(guard)
				if i > off && i <= off+n {
					want = src[i-off-1]
				} else if i == off && n > 0 {
					want = src[0]
				}
				if v != want {
					t.Fatalf("n=%d off=%d: overlapping copy: got[%d] = %v, want %v", n, off, i, v, want)
				}
			}
			// Fill a view.
			full := autograd.MustFromSlice(d, make([]float32, total), total)
			d.Upload(full.Buffer(), full.Offset(), init)
			view := autograd.Slice(full, 0, off, off+n)
			d.Fill(view, 3.5)
			got = full.Data()
			for i, v := range got {
				want := float32(guard)
				if i >= off && i < off+n {
					want = 3.5
				}
				if v != want {
					t.Fatalf("n=%d off=%d: fill: got[%d] = %v, want %v", n, off, i, v, want)
				}
			}
			full.Release()
			d.Free(b)
			d.Free(c)
		}
	}
	// Many allocations of mixed sizes, freed in a scrambled order, leave
	// one coalesced free span per block.
	var bufs []autograd.Buffer
	for i := 0; i < 300; i++ {
		b, err := d.Alloc(1 + rng.IntN(100000))
		if err != nil {
			t.Fatal(err)
		}
		bufs = append(bufs, b)
	}
	big, err := d.Alloc(BlockBytes/4 + 10) // a block of its own
	if err != nil {
		t.Fatal(err)
	}
	bufs = append(bufs, big)
	rng.Shuffle(len(bufs), func(i, j int) { bufs[i], bufs[j] = bufs[j], bufs[i] })
	for _, b := range bufs {
		d.Free(b)
	}
	d.mu.Lock()
	for i, b := range d.blocks {
		if b.used != 0 || len(b.free) != 1 || b.free[0].size != b.size {
			t.Errorf("block %d: used %d, free spans %v after freeing everything", i, b.used, b.free)
		}
	}
	d.mu.Unlock()
	d.Trim()
	if held, _ := d.MemStats(); held != 0 {
		t.Errorf("Trim left %d bytes held", held)
	}
}

// TestManyUploads records more uploads than one command buffer holds
// (maxBatch), so that submits (which recycle the staging memory) fall
// between them: small ones first, then larger ones that would reach the
// staging region of an upload still waiting for its copy, and checks
// every value.
func TestManyUploads(t *testing.T) {
	d := open(t)
	var ts []*autograd.Tensor
	var want [][]float32
	add := func(n, k int) {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(k*7 + i)
		}
		ts = append(ts, autograd.MustFromSlice(d, v, n))
		want = append(want, v)
	}
	for k := 0; k < maxBatch+10; k++ {
		add(1, k)
	}
	for k := 0; k < 200; k++ {
		add(4096, k)
	}
	for i, x := range ts {
		got := x.Data()
		for j := range got {
			if got[j] != want[i][j] {
				t.Fatalf("tensor %d: [%d] = %v, want %v", i, j, got[j], want[i][j])
			}
		}
		x.Release()
	}
}

// TestConformance runs autograd's device suite (every op's values and
// gradients against the CPU device).
func TestConformance(t *testing.T) {
	d := open(t)
	devicetest.Run(t, autograd.WithFallback(d))
}

// TestConformanceFallback runs the suite with every kernel disabled: each
// op goes through autograd's CPU fallback, so this checks the device's
// transfers at every shape of the suite (and the fallback's one log line
// per kernel).
func TestConformanceFallback(t *testing.T) {
	t.Setenv(EnvDisable, "all")
	d := open(t)
	for _, k := range autograd.Kernels {
		if d.Supports(k) {
			t.Fatalf("%s=all but %s is supported", EnvDisable, k)
		}
	}
	logged := map[string]int{}
	defer func(f func(string, ...any)) { autograd.Logf = f }(autograd.Logf)
	autograd.Logf = func(format string, args ...any) { logged[fmt.Sprint(args[1])]++ }
	devicetest.Run(t, autograd.WithFallback(d))
	for k, n := range logged {
		if n != 1 {
			t.Errorf("fallback of %s logged %d times", k, n)
		}
	}
	if len(logged) < 10 {
		t.Errorf("only %d kernels fell back: %v", len(logged), logged)
	}
}

// TestFWHT compares the device's transform with package fwht bit for bit.
func TestFWHT(t *testing.T) {
	d := open(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 2, 4, 8, 64, 256, 1024, 4096, 8192, 1 << 15, 1 << 17} {
		rows := max(1, 3*(1<<12)/n)
		x := make([]float32, rows*n)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		tx := autograd.MustFromSlice(d, x, rows*n)
		if err := d.FWHT(tx, n); err != nil {
			t.Fatal(err)
		}
		got := tx.Data()
		tx.Release()
		if err := fwht.TransformBatch(x, n); err != nil {
			t.Fatal(err)
		}
		for i := range x {
			if got[i] != x[i] && !(math.IsNaN(float64(got[i])) && math.IsNaN(float64(x[i]))) {
				t.Fatalf("n=%d rows=%d: [%d] = %v, CPU %v", n, rows, i, got[i], x[i])
			}
		}
	}
	tx := autograd.MustFromSlice(d, make([]float32, 12), 12)
	defer tx.Release()
	if d.FWHT(tx, 3) == nil || d.FWHT(tx, 8) == nil {
		t.Error("FWHT accepted a length that is not a power of two or does not divide the tensor")
	}
}

// TestProfile checks that IDIM_VK_PROFILE=1 times each kernel.
func TestProfile(t *testing.T) {
	t.Setenv(EnvProfile, "1")
	d := open(t)
	if !d.profile {
		t.Skip("the device's compute queue has no timestamps")
	}
	x := autograd.MustFromSlice(d, make([]float32, 4096), 64, 64)
	defer x.Release()
	y := autograd.Empty(d, 64, 64)
	defer y.Release()
	d.Gemm(autograd.GemmArgs{M: 64, N: 64, K: 64, Alpha: 1, A: x, B: x, C: y, LdA: 64, LdB: 64, LdC: 64, Batch: 1})
	d.Softmax(y, y, 64, 64, false)
	d.Softmax(y, y, 64, 64, true)
	if err := d.Sync(); err != nil {
		t.Fatal(err)
	}
	p := d.Profile()
	t.Log(p)
	for _, want := range []string{d.gemmShader + " ", "softmax ", "2 calls"} {
		if !strings.Contains(p, want) {
			t.Errorf("profile lacks %q", want)
		}
	}
}

// TestBeyondStorageRange uses a tensor larger than lavapipe's
// maxStorageBufferRange (128 MiB): buffer device addresses reach all of it.
func TestBeyondStorageRange(t *testing.T) {
	if testing.Short() {
		t.Skip("a 160 MiB tensor")
	}
	d := open(t)
	const rows, n = 40 << 10, 1024 // 40M values, 160 MiB
	if uint64(rows*n*4) <= uint64(d.Info().MaxStorage) {
		t.Logf("maxStorageBufferRange %d is not exceeded", d.Info().MaxStorage)
	}
	x := autograd.Full(d, 1, rows, n)
	defer x.Release()
	last := autograd.Slice(x, 0, rows-1, rows)
	d.Scale(3, last, last)
	g := autograd.Empty(d, 2, n)
	defer g.Release()
	d.Gather(g, x, []int32{rows - 1, 0})
	got := g.Data()
	for j, v := range got {
		want := float32(3)
		if j >= n {
			want = 1
		}
		if v != want {
			t.Fatalf("[%d] = %v, want %v", j, v, want)
		}
	}
	s := autograd.Empty(d, 1)
	defer s.Release()
	d.SumSquares(s, x, false)
	if v, want := s.Item(), float32(rows*n-n+9*n); math.Abs(float64(v-want)) > 1e-5*float64(want) {
		t.Errorf("sum of squares over 160 MiB: %v, want %v", v, want)
	}
}

// TestMisuse checks the errors and panics for bad ranges and use after
// Free or Close.
func TestMisuse(t *testing.T) {
	d := openUnchecked(t)
	mustPanic := func(what, want string, f func()) {
		t.Helper()
		defer func() {
			r := recover()
			if r == nil || !strings.Contains(fmt.Sprint(r), want) {
				t.Errorf("%s: recovered %v, want a panic containing %q", what, r, want)
			}
		}()
		f()
	}
	b, err := d.Alloc(10)
	if err != nil {
		t.Fatal(err)
	}
	mustPanic("upload past the end", "outside", func() { d.Upload(b, 5, make([]float32, 6)) })
	mustPanic("download past the end", "outside", func() { d.Download(make([]float32, 11), b, 0) })
	mustPanic("copy past the end", "outside", func() { d.CopyBuffer(b, 8, b, 0, 3) })
	d.Free(b)
	mustPanic("upload to a freed buffer", "freed", func() { d.Upload(b, 0, make([]float32, 1)) })
	if _, err := d.Alloc(-1); err == nil {
		t.Error("Alloc(-1) succeeded")
	}
	x := autograd.MustFromSlice(d, make([]float32, 4), 4)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := d.Alloc(1); err == nil {
		t.Error("Alloc after Close succeeded")
	}
	mustPanic("kernel after Close", "closed", func() { d.Scale(2, x, x) })
	mustPanic("fill after Close", "closed", func() { d.Fill(x, 1) })
}
