//go:build vulkan && cgo

package vulkan

/*
#cgo LDFLAGS: -ldl
#include "ivk.h"
*/
import "C"

import (
	"embed"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/idim-go/idim/autograd"
	"github.com/idim-go/idim/fwht"
)

//go:embed shaders/spv/*.spv
var spirv embed.FS

const (
	allocAlign   = 256      // bytes; sub-allocations start at multiples of this
	stagingChunk = 16 << 20 // bytes of a staging chunk
	stagingMax   = 256 << 20
	maxBatch     = 8192 // commands recorded before a forced submit
	profileCap   = 2 * maxBatch
	pushBytes    = 128
)

// instance is a loaded loader plus a VkInstance, in C memory (the debug
// callback writes into it).
type instance struct{ c *C.ivk_inst }

func loaderPath() string {
	if p := os.Getenv(EnvLib); p != "" {
		return p
	}
	return "libvulkan.so.1"
}

func openInstance() (*instance, error) {
	c := (*C.ivk_inst)(C.calloc(1, C.size_t(unsafe.Sizeof(C.ivk_inst{}))))
	var errbuf [512]C.char
	path := C.CString(loaderPath())
	defer C.free(unsafe.Pointer(path))
	if rc := C.ivk_open(path, c, &errbuf[0], C.int(len(errbuf))); rc != 0 {
		C.free(unsafe.Pointer(c))
		return nil, fmt.Errorf("vulkan: %s", C.GoString(&errbuf[0]))
	}
	return &instance{c: c}, nil
}

func (in *instance) close() {
	in.destroy()
	in.free()
}

// destroy destroys the VkInstance; free releases the C struct (after the
// message counts have been read).
func (in *instance) destroy() { C.ivk_close(in.c) }
func (in *instance) free()    { C.free(unsafe.Pointer(in.c)) }

type physical struct {
	pd   C.VkPhysicalDevice
	info DeviceInfo
	fam  int
	ts   uint32
	tper float32
}

var typeNames = map[C.uint32_t]string{0: "other", 1: "integrated", 2: "discrete", 3: "virtual", 4: "cpu"}

func (in *instance) devices() ([]physical, error) {
	var list [16]C.VkPhysicalDevice
	n := int(C.ivk_devices(in.c, &list[0], 16))
	if n < 0 {
		return nil, fmt.Errorf("vulkan: vkEnumeratePhysicalDevices failed")
	}
	dis := disabled(os.Getenv(EnvDisable))
	var out []physical
	for i := 0; i < n; i++ {
		pd := C.ivk_device_at(&list[0], C.int(i))
		var p C.ivk_props
		C.ivk_props_of(in.c, pd, &p)
		av := uint32(p.api_version)
		info := DeviceInfo{
			Index:        i,
			Name:         C.GoString(&p.name[0]),
			Type:         typeNames[p._type],
			VendorID:     uint32(p.vendor),
			APIVersion:   fmt.Sprintf("%d.%d.%d", av>>22&0x7f, av>>12&0x3ff, av&0xfff),
			DeviceLocal:  uint64(p.device_local_bytes),
			MaxAlloc:     uint64(p.max_alloc),
			MaxStorage:   uint32(p.max_storage_range),
			MaxShared:    uint32(p.max_shared),
			MaxGroup:     uint32(p.max_invocations),
			MaxPush:      uint32(p.max_push),
			SubgroupSize: uint32(p.subgroup_size),
			Float16:      p.float16 != 0,
			Float64:      p.float64 != 0,
			Int64:        p.int64 != 0,
		}
		var why []string
		if av>>22&0x7f == 1 && av>>12&0x3ff < 2 {
			why = append(why, "Vulkan < 1.2")
		}
		if p.bda == 0 {
			why = append(why, "no bufferDeviceAddress")
		}
		if p.compute_family < 0 {
			why = append(why, "no compute queue")
		}
		if info.MaxShared < 16<<10 || info.MaxGroup < 256 || uint32(p.max_group_size[0]) < 256 || info.MaxPush < pushBytes {
			why = append(why, "compute limits below 16 KiB shared / 256 invocations / 128 push bytes")
		}
		if uint32(p.max_group_count[0]) < 65535 || uint32(p.max_group_count[1]) < 65535 || uint32(p.max_group_count[2]) < 65535 {
			why = append(why, "maxComputeWorkGroupCount below 65535")
		}
		info.Usable = len(why) == 0
		info.Why = strings.Join(why, "; ")
		if info.Usable {
			for _, k := range autograd.Kernels {
				if !dis[k] {
					info.Kernels = append(info.Kernels, k)
				}
			}
		}
		out = append(out, physical{pd: pd, info: info, fam: int(p.compute_family), ts: uint32(p.timestamp_valid_bits), tper: float32(p.timestamp_period)})
	}
	return out, nil
}

// Describe lists the physical devices the Vulkan loader reports.
func Describe() ([]DeviceInfo, error) {
	in, err := openInstance()
	if err != nil {
		return nil, err
	}
	defer in.close()
	ps, err := in.devices()
	if err != nil {
		return nil, err
	}
	out := make([]DeviceInfo, len(ps))
	for i, p := range ps {
		out[i] = p.info
	}
	return out, nil
}

// pick chooses the device for a selection: "" the best hardware device,
// an index, or a substring of the name (case-insensitive).
func pick(ps []physical, sel string) (physical, error) {
	var names []string
	for _, p := range ps {
		names = append(names, fmt.Sprintf("%d: %s (%s)", p.info.Index, p.info.Name, p.info.Type))
	}
	seen := strings.Join(names, ", ")
	if seen == "" {
		seen = "none"
	}
	if sel != "" {
		if i, err := strconv.Atoi(sel); err == nil {
			if i < 0 || i >= len(ps) {
				return physical{}, fmt.Errorf("vulkan: no device %d (devices: %s)", i, seen)
			}
			if !ps[i].info.Usable {
				return physical{}, fmt.Errorf("vulkan: device %d (%s) is unusable: %s", i, ps[i].info.Name, ps[i].info.Why)
			}
			return ps[i], nil
		}
		want := strings.ToLower(sel)
		if want == "lavapipe" {
			want = "llvmpipe" // Mesa's lavapipe reports itself as llvmpipe
		}
		for _, p := range ps {
			if strings.Contains(strings.ToLower(p.info.Name), want) {
				if !p.info.Usable {
					return physical{}, fmt.Errorf("vulkan: device %q is unusable: %s", p.info.Name, p.info.Why)
				}
				return p, nil
			}
		}
		return physical{}, fmt.Errorf("vulkan: no device matching %q (devices: %s)", sel, seen)
	}
	rank := map[string]int{"discrete": 0, "integrated": 1, "virtual": 2, "other": 3}
	best := -1
	for i, p := range ps {
		r, ok := rank[p.info.Type]
		if !ok || !p.info.Usable || isSoftware(p.info.Name, p.info.Type) {
			continue
		}
		if best < 0 || r < rank[ps[best].info.Type] {
			best = i
		}
	}
	if best < 0 {
		return physical{}, fmt.Errorf("vulkan: no usable GPU (devices: %s; CPU software devices need vulkan:llvmpipe)", seen)
	}
	return ps[best], nil
}

// Device is a Vulkan compute device. It implements autograd.Device; its
// methods may be called from several goroutines (a mutex serialises them).
type Device struct {
	mu      sync.Mutex
	in      *instance
	c       *C.ivk_dev
	info    DeviceInfo
	name    string
	dis     map[string]bool
	pipes   map[string]*pipeline
	blocks  []*block
	staging []*stageChunk
	stUsed  int // chunks used in this batch (the last one partly)
	stOff   uint64
	stBytes uint64
	closed  bool
	err     error // the first failure of a submit
	// valErrs, valWarns and valLast keep the debug messenger's counts
	// after Close frees the instance.
	valErrs, valWarns int
	valLast           string
	leakForTest       bool // Close leaves the pipelines alive (tests of the leak check)
	// gemmShader is "gemm" (shared-memory tiles) on GPUs and
	// "gemm_direct" on CPU software devices.
	gemmShader string
	// loopCap bounds the iterations of any one shader loop in one
	// invocation: llvmpipe stops a loop after 65535 (its infinite-loop
	// guard), so on CPU software devices the host cuts longer sums into
	// chunks; GPUs have no such limit.
	loopCap int
	stats   Stats
	// ff holds the tables of each Fastfood projection run on the device
	// (Device.Fastfood), until ReleaseFastfood or Close.
	ff map[*fwht.Fastfood]*ffTables

	profile  bool
	tsPeriod float64
	tsMask   uint64
	profOps  []string // name of each timestamp pair in this batch
	prof     map[string]*profStat
}

// Stats counts the host-device traffic of a device.
type Stats struct {
	Uploads, Downloads int    // calls
	UpBytes, DownBytes uint64 // bytes moved
	Submits            int    // command buffers submitted
	Dispatches         int    // kernels recorded
}

// Stats returns the traffic counters.
func (d *Device) Stats() Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stats
}

type pipeline struct {
	p C.VkPipeline
	l C.VkPipelineLayout
}

type block struct {
	b    C.ivk_buf
	size uint64
	free []span // sorted by offset, coalesced
	used uint64
}

type span struct{ off, size uint64 }

type stageChunk struct {
	b    C.ivk_buf
	size uint64
}

type profStat struct {
	n  int
	ns float64
}

// buffer is a sub-allocation of a block.
type buffer struct {
	blk  *block
	off  uint64 // bytes into the block
	size uint64 // bytes reserved
	n    int
	addr uint64
	dead bool
}

func (b *buffer) Len() int { return b.n }

// New opens a Vulkan device: sel "" picks the best GPU; an index or a name
// substring ("llvmpipe") picks a given device, CPU software ones included.
func New(sel string) (*Device, error) {
	in, err := openInstance()
	if err != nil {
		return nil, err
	}
	ps, err := in.devices()
	if err != nil {
		in.close()
		return nil, err
	}
	p, err := pick(ps, sel)
	if err != nil {
		in.close()
		return nil, err
	}
	d := &Device{in: in, info: p.info, name: "vulkan", dis: disabled(os.Getenv(EnvDisable)),
		pipes: map[string]*pipeline{}, prof: map[string]*profStat{}}
	d.profile = os.Getenv(EnvProfile) == "1" && p.ts > 0
	d.tsPeriod = float64(p.tper)
	d.tsMask = ^uint64(0)
	if p.ts < 64 {
		d.tsMask = 1<<p.ts - 1
	}
	qcap := 0
	if d.profile {
		qcap = profileCap
	}
	d.c = (*C.ivk_dev)(C.calloc(1, C.size_t(unsafe.Sizeof(C.ivk_dev{}))))
	var errbuf [512]C.char
	if rc := C.ivk_create_device(in.c, p.pd, C.int(p.fam), C.uint32_t(qcap), d.c, &errbuf[0], C.int(len(errbuf))); rc != 0 {
		C.ivk_destroy_device(d.c)
		C.free(unsafe.Pointer(d.c))
		in.close()
		return nil, fmt.Errorf("vulkan: %s: %s", p.info.Name, C.GoString(&errbuf[0]))
	}
	if sel != "" {
		d.name = "vulkan:" + sel
	}
	d.gemmShader, d.loopCap = "gemm", 1<<30
	if isSoftware(p.info.Name, p.info.Type) {
		d.gemmShader, d.loopCap = "gemm_direct", 32768
	}
	switch {
	case d.dis["tiled_gemm"]:
		d.gemmShader = "gemm_direct"
	case d.dis["direct_gemm"]:
		d.gemmShader = "gemm"
	}
	return d, nil
}

// Name is the device's registered name ("vulkan", "vulkan:llvmpipe").
func (d *Device) Name() string { return d.name }

// Info describes the physical device.
func (d *Device) Info() DeviceInfo { return d.info }

// Supports reports whether the device runs kernel op itself.
func (d *Device) Supports(op string) bool {
	if d.dis[op] {
		return false
	}
	for _, k := range autograd.Kernels {
		if k == op {
			return true
		}
	}
	return false
}

// ValidationMessages returns the number of validation-layer errors and
// warnings the debug messenger has seen, and the last message.
func (d *Device) ValidationMessages() (errors, warnings int, last string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return d.valErrs, d.valWarns, d.valLast
	}
	c := d.in.c
	return int(c.n_errors), int(c.n_warnings), C.GoString(&c.last[0])
}

// Close waits for the device, prints the profile under IDIM_VK_PROFILE=1 and
// destroys every Vulkan object. Buffers still allocated are freed with it.
func (d *Device) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	err := d.flushLocked()
	if d.profile {
		fmt.Fprint(os.Stderr, d.profileLocked())
	}
	for _, p := range d.pipes {
		if !d.leakForTest {
			C.ivk_destroy_pipeline(d.c, p.p, p.l)
		}
	}
	for _, b := range d.blocks {
		C.ivk_free(d.c, &b.b)
	}
	for _, s := range d.staging {
		C.ivk_free(d.c, &s.b)
	}
	d.pipes, d.blocks, d.staging, d.ff = nil, nil, nil, nil
	C.ivk_destroy_device(d.c)
	C.free(unsafe.Pointer(d.c))
	d.in.destroy()
	// Messages about objects left alive come at device and instance
	// destruction; keep the counts for ValidationMessages.
	c := d.in.c
	d.valErrs, d.valWarns, d.valLast = int(c.n_errors), int(c.n_warnings), C.GoString(&c.last[0])
	d.in.free()
	d.closed = true
	return err
}

// Sync submits the recorded work and waits for it; it returns the first
// submit error seen.
func (d *Device) Sync() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.flushLocked()
}

func (d *Device) flushLocked() error {
	if d.closed {
		return errClosed
	}
	if d.c.recording != 0 {
		d.stats.Submits++
	}
	if rc := C.ivk_submit(d.c); rc != 0 && d.err == nil {
		d.err = fmt.Errorf("vulkan: queue submit: %s (%d)", C.GoString(C.ivk_result(rc)), int(rc))
	}
	if d.profile && len(d.profOps) > 0 {
		ts := make([]uint64, 2*len(d.profOps))
		if C.ivk_timestamps(d.c, (*C.uint64_t)(unsafe.Pointer(&ts[0])), C.uint32_t(len(ts))) == 0 {
			for i, op := range d.profOps {
				s := d.prof[op]
				if s == nil {
					s = &profStat{}
					d.prof[op] = s
				}
				s.n++
				s.ns += float64((ts[2*i+1]-ts[2*i])&d.tsMask) * d.tsPeriod
			}
		}
		d.profOps = d.profOps[:0]
	}
	d.stUsed, d.stOff, d.stBytes = 0, 0, 0
	return d.err
}

// Profile returns the kernel times recorded under IDIM_VK_PROFILE=1, one
// line per kernel, the most expensive first.
func (d *Device) Profile() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.profileLocked()
}

func (d *Device) profileLocked() string {
	type row struct {
		op string
		s  *profStat
	}
	var rows []row
	total := 0.0
	for op, s := range d.prof {
		rows = append(rows, row{op, s})
		total += s.ns
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].s.ns > rows[j].s.ns })
	var b strings.Builder
	fmt.Fprintf(&b, "vulkan profile (%s): %.3f ms in %d kernels\n", d.info.Name, total/1e6, len(rows))
	for _, r := range rows {
		fmt.Fprintf(&b, "  %-26s %8d calls %12.3f ms %10.1f us/call\n", r.op, r.s.n, r.s.ns/1e6, r.s.ns/1e3/float64(r.s.n))
	}
	return b.String()
}

// ---- memory ----

// Alloc returns a buffer of n float32 values.
func (d *Device) Alloc(n int) (autograd.Buffer, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.allocLocked(n)
}

func (d *Device) allocLocked(n int) (*buffer, error) {
	if d.closed {
		return nil, errClosed
	}
	if n < 0 {
		return nil, fmt.Errorf("vulkan: Alloc(%d)", n)
	}
	size := uint64(n) * 4
	if size == 0 {
		size = 4
	}
	size = (size + allocAlign - 1) &^ (allocAlign - 1)
	if size > d.info.MaxAlloc && d.info.MaxAlloc > 0 {
		return nil, fmt.Errorf("vulkan: %d values (%d bytes) exceed the device's maxMemoryAllocationSize %d", n, size, d.info.MaxAlloc)
	}
	if uint64(n) >= 1<<32 {
		return nil, fmt.Errorf("vulkan: %d values exceed the 2^32 elements a tensor may hold", n)
	}
	for _, b := range d.blocks {
		if off, ok := b.take(size); ok {
			return &buffer{blk: b, off: off, size: size, n: n, addr: uint64(b.b.addr) + off}, nil
		}
	}
	bs := uint64(BlockBytes)
	if size > bs {
		bs = size
	}
	b := &block{size: bs}
	if rc := C.ivk_alloc(d.c, C.uint64_t(bs), 0, &b.b); rc != 0 {
		// Out of memory: drop the empty blocks and retry once.
		if d.trimLocked() > 0 {
			rc = C.ivk_alloc(d.c, C.uint64_t(bs), 0, &b.b)
		}
		if rc != 0 {
			return nil, fmt.Errorf("vulkan: allocating %d bytes of device memory: %s (%d)", bs, C.GoString(C.ivk_result(rc)), int(rc))
		}
	}
	b.free = []span{{0, bs}}
	d.blocks = append(d.blocks, b)
	off, _ := b.take(size)
	return &buffer{blk: b, off: off, size: size, n: n, addr: uint64(b.b.addr) + off}, nil
}

// take reserves size bytes (first fit).
func (b *block) take(size uint64) (uint64, bool) {
	for i, s := range b.free {
		if s.size >= size {
			off := s.off
			if s.size == size {
				b.free = append(b.free[:i], b.free[i+1:]...)
			} else {
				b.free[i] = span{s.off + size, s.size - size}
			}
			b.used += size
			return off, true
		}
	}
	return 0, false
}

// give returns a range, merging it with its neighbours.
func (b *block) give(off, size uint64) {
	i := sort.Search(len(b.free), func(i int) bool { return b.free[i].off > off })
	b.free = append(b.free, span{})
	copy(b.free[i+1:], b.free[i:])
	b.free[i] = span{off, size}
	if i+1 < len(b.free) && b.free[i].off+b.free[i].size == b.free[i+1].off {
		b.free[i].size += b.free[i+1].size
		b.free = append(b.free[:i+1], b.free[i+2:]...)
	}
	if i > 0 && b.free[i-1].off+b.free[i-1].size == b.free[i].off {
		b.free[i-1].size += b.free[i].size
		b.free = append(b.free[:i], b.free[i+1:]...)
	}
	b.used -= size
}

// Free returns a buffer to its block. Work already recorded that reads or
// writes it still runs before any later use of the memory (every command
// waits for the previous ones).
func (d *Device) Free(ab autograd.Buffer) {
	b, ok := ab.(*buffer)
	if !ok || b == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.freeLocked(b)
}

func (d *Device) freeLocked(b *buffer) {
	if b.dead || d.closed {
		return
	}
	b.dead = true
	b.blk.give(b.off, b.size)
}

// Trim releases the device memory of blocks that hold no buffer.
func (d *Device) Trim() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.flushLocked() == nil {
		d.trimLocked()
	}
}

func (d *Device) trimLocked() int {
	if C.ivk_submit(d.c) != 0 {
		return 0
	}
	n := 0
	keep := d.blocks[:0]
	for _, b := range d.blocks {
		if b.used == 0 {
			C.ivk_free(d.c, &b.b)
			n++
		} else {
			keep = append(keep, b)
		}
	}
	d.blocks = keep
	return n
}

// MemStats reports the device memory held in blocks and the bytes in use.
func (d *Device) MemStats() (held, used uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, b := range d.blocks {
		held += b.size
		used += b.used
	}
	return
}

var errClosed = fmt.Errorf("vulkan: device closed")

// live panics when the device is closed or b has been freed (a kernel on
// such memory would corrupt other tensors or crash the driver), and when
// [off, off+n) is not inside b.
func (d *Device) live(b *buffer, off, n int) {
	if d.closed {
		panic(errClosed)
	}
	if b.dead {
		panic("vulkan: use of a freed buffer")
	}
	if off < 0 || n < 0 || off+n > b.n {
		panic(fmt.Sprintf("vulkan: range [%d, %d) outside a buffer of %d values", off, off+n, b.n))
	}
}

// stage reserves size bytes of staging memory for this batch, submitting
// the batch first when the staging memory of a batch would exceed stagingMax.
func (d *Device) stage(size uint64) (*stageChunk, uint64, error) {
	if d.stBytes+size > stagingMax && d.stBytes > 0 {
		if err := d.flushLocked(); err != nil {
			return nil, 0, err
		}
	}
	size = (size + 15) &^ 15
	for d.stUsed < len(d.staging) {
		c := d.staging[d.stUsed]
		if d.stOff+size <= c.size {
			off := d.stOff
			d.stOff += size
			d.stBytes += size
			return c, off, nil
		}
		d.stUsed++
		d.stOff = 0
	}
	cs := uint64(stagingChunk)
	if size > cs {
		cs = size
	}
	c := &stageChunk{size: cs}
	if rc := C.ivk_alloc(d.c, C.uint64_t(cs), 1, &c.b); rc != 0 {
		return nil, 0, fmt.Errorf("vulkan: allocating %d bytes of staging memory: %s (%d)", cs, C.GoString(C.ivk_result(rc)), int(rc))
	}
	d.staging = append(d.staging, c)
	d.stUsed = len(d.staging) - 1
	d.stOff = size
	d.stBytes += size
	return c, 0, nil
}

// batchFull submits when the command buffer has grown long.
func (d *Device) batchFull() {
	if int(d.c.ncmds) >= maxBatch {
		d.flushLocked()
	}
}

// Upload copies src into b from element off (recorded; the copy happens
// in order with the kernels).
func (d *Device) Upload(ab autograd.Buffer, off int, src []float32) {
	if len(src) == 0 {
		return
	}
	b := ab.(*buffer)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.live(b, off, len(src))
	d.uploadLocked(b, off, src)
}

func (d *Device) uploadLocked(b *buffer, off int, src []float32) {
	d.stats.Uploads++
	d.stats.UpBytes += uint64(len(src)) * 4
	for len(src) > 0 {
		n := min(len(src), stagingMax/8)
		size := uint64(n) * 4
		// A submit resets the staging memory, so it must not come
		// between reserving the region and recording the copy from it.
		d.batchFull()
		c, so, err := d.stage(size)
		if err != nil {
			panic(err)
		}
		C.ivk_memcpy_to(c.b._map, C.uint64_t(so), unsafe.Pointer(&src[0]), C.uint64_t(size))
		C.ivk_copy(d.c, c.b.buf, C.uint64_t(so), b.blk.b.buf, C.uint64_t(b.off+uint64(off)*4), C.uint64_t(size))
		src = src[n:]
		off += n
	}
}

// Download copies len(dst) values from b at element off, after all
// recorded work.
func (d *Device) Download(dst []float32, ab autograd.Buffer, off int) {
	if len(dst) == 0 {
		return
	}
	b := ab.(*buffer)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.live(b, off, len(dst))
	d.stats.Downloads++
	d.stats.DownBytes += uint64(len(dst)) * 4
	for len(dst) > 0 {
		n := min(len(dst), stagingMax/8)
		size := uint64(n) * 4
		c, so, err := d.stage(size)
		if err != nil {
			panic(err)
		}
		C.ivk_copy(d.c, b.blk.b.buf, C.uint64_t(b.off+uint64(off)*4), c.b.buf, C.uint64_t(so), C.uint64_t(size))
		if err := d.flushLocked(); err != nil {
			panic(err)
		}
		C.ivk_memcpy_from(unsafe.Pointer(&dst[0]), c.b._map, C.uint64_t(so), C.uint64_t(size))
		dst = dst[n:]
		off += n
	}
}

// CopyBuffer copies n values from src[srcOff:] to dst[dstOff:]; the ranges
// may overlap.
func (d *Device) CopyBuffer(adst autograd.Buffer, dstOff int, asrc autograd.Buffer, srcOff, n int) {
	if n <= 0 {
		return
	}
	dst, src := adst.(*buffer), asrc.(*buffer)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.live(dst, dstOff, n)
	d.live(src, srcOff, n)
	d.copyLocked(dst, dstOff, src, srcOff, n)
}

func (d *Device) copyLocked(dst *buffer, dstOff int, src *buffer, srcOff, n int) {
	so, do, size := src.off+uint64(srcOff)*4, dst.off+uint64(dstOff)*4, uint64(n)*4
	if so == do && src.blk == dst.blk {
		return
	}
	if src.blk == dst.blk && so < do+size && do < so+size {
		// vkCmdCopyBuffer forbids overlapping regions: go through a
		// temporary.
		tmp, err := d.allocLocked(n)
		if err != nil {
			panic(err)
		}
		d.batchFull()
		C.ivk_copy(d.c, src.blk.b.buf, C.uint64_t(so), tmp.blk.b.buf, C.uint64_t(tmp.off), C.uint64_t(size))
		C.ivk_copy(d.c, tmp.blk.b.buf, C.uint64_t(tmp.off), dst.blk.b.buf, C.uint64_t(do), C.uint64_t(size))
		d.freeLocked(tmp)
		return
	}
	d.batchFull()
	C.ivk_copy(d.c, src.blk.b.buf, C.uint64_t(so), dst.blk.b.buf, C.uint64_t(do), C.uint64_t(size))
}

// fillLocked records vkCmdFillBuffer of size bytes at byte offset off.
func (d *Device) fillLocked(b *buffer, off, size uint64, bits uint32) {
	if d.closed {
		panic(errClosed)
	}
	d.batchFull()
	C.ivk_fill(d.c, b.blk.b.buf, C.uint64_t(off), C.uint64_t(size), C.uint32_t(bits))
}

// invalidCopyForTest records a copy of zero bytes, which the validation
// layer reports as an error (VUID-VkBufferCopy-size-01988): the tests use it
// to check that the messenger sees validation errors.
func (d *Device) invalidCopyForTest() {
	d.mu.Lock()
	defer d.mu.Unlock()
	b, err := d.allocLocked(4)
	if err != nil {
		panic(err)
	}
	C.ivk_copy(d.c, b.blk.b.buf, 0, b.blk.b.buf, 16, 0)
	d.flushLocked()
	d.freeLocked(b)
}

// ---- dispatch ----

// push builds a push-constant block: addresses (8 bytes, 8-aligned) and
// 32-bit scalars in the order the shader declares them.
type push struct {
	b [pushBytes]byte
	n int
}

func (p *push) addr(a uint64) *push {
	p.n = (p.n + 7) &^ 7
	binary.LittleEndian.PutUint64(p.b[p.n:], a)
	p.n += 8
	return p
}

func (p *push) u32(vs ...int) *push {
	for _, v := range vs {
		binary.LittleEndian.PutUint32(p.b[p.n:], uint32(v))
		p.n += 4
	}
	return p
}

func (p *push) f32(vs ...float32) *push {
	for _, v := range vs {
		binary.LittleEndian.PutUint32(p.b[p.n:], math.Float32bits(v))
		p.n += 4
	}
	return p
}

func (d *Device) pipeline(name string) *pipeline {
	if p := d.pipes[name]; p != nil {
		return p
	}
	code, err := spirv.ReadFile("shaders/spv/" + name + ".spv")
	if err != nil {
		panic(fmt.Sprintf("vulkan: no shader %s: %v", name, err))
	}
	p := &pipeline{}
	if rc := C.ivk_pipeline(d.c, unsafe.Pointer(&code[0]), C.size_t(len(code)), pushBytes, &p.p, &p.l); rc != 0 {
		panic(fmt.Sprintf("vulkan: creating the %s pipeline: %s (%d)", name, C.GoString(C.ivk_result(rc)), int(rc)))
	}
	d.pipes[name] = p
	return p
}

// dispatch records shader name over a grid of workgroups.
func (d *Device) dispatch(name string, gx, gy, gz int, p *push) {
	if gx == 0 || gy == 0 || gz == 0 {
		return
	}
	if d.closed {
		panic(errClosed)
	}
	pl := d.pipeline(name)
	d.batchFull()
	d.stats.Dispatches++
	prof := 0
	if d.profile {
		prof = 1
	}
	if C.ivk_dispatch(d.c, pl.p, pl.l, unsafe.Pointer(&p.b[0]), pushBytes, C.uint32_t(gx), C.uint32_t(gy), C.uint32_t(gz), C.int(prof)) != 0 {
		d.profOps = append(d.profOps, name)
	}
}

// elems dispatches an elementwise shader over n elements, one invocation
// each (ELEM in shaders/common.glsl).
func (d *Device) elems(name string, n int, p *push) {
	g := (n + 255) / 256
	d.dispatch(name, min(g, 65535), (g+65534)/65535, 1, p)
}

// rows dispatches a one-workgroup-per-row shader.
func (d *Device) rows(name string, rows int, p *push) {
	if rows == 0 {
		return
	}
	d.dispatch(name, min(rows, 65535), (rows+65534)/65535, 1, p)
}

// addr is the device address of t's first element (0 for nil).
func addr(t *autograd.Tensor) uint64 {
	if t == nil {
		return 0
	}
	return t.Buffer().(*buffer).addr + uint64(t.Offset())*4
}

// ints uploads int32 values into a temporary buffer (freed by the caller
// after recording the kernel that reads it).
func (d *Device) ints(v []int32) *buffer {
	b, err := d.allocLocked(max(len(v), 1))
	if err != nil {
		panic(err)
	}
	if len(v) > 0 {
		d.uploadLocked(b, 0, unsafe.Slice((*float32)(unsafe.Pointer(&v[0])), len(v)))
	}
	return b
}
