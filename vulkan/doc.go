// Package vulkan is idim's optional GPU device: an autograd.Device that runs
// the kernels as Vulkan compute shaders.
//
// The real device is built with -tags vulkan (and cgo); every other build
// gets a stub with the same API whose New returns ErrNotBuilt, so the
// default build stays pure Go. Either way the package registers the device
// names "vulkan", "vulkan:llvmpipe", "vulkan:lavapipe" and "vulkan:0" ..
// "vulkan:7" with autograd (blank-import it). Opening one of them through
// autograd.Open never fails for want of a GPU: where there is no loader, no
// driver or no suitable device, it logs one line saying why and returns the
// CPU device.
//
// # Loading and selection
//
// libvulkan.so.1 is opened at run time with dlopen ($IDIM_VULKAN_LIB names
// another path, which the tests use to check the fallback), and every Vulkan
// function is called through vkGetInstanceProcAddr: nothing links against
// the loader. New("") picks a discrete GPU, else an integrated one, else a
// virtual one; CPU software devices (Mesa's llvmpipe/lavapipe) only when
// asked for by name (New("llvmpipe")) or by index (New("0")). Describe lists
// every device the loader reports, with the limits that matter here and the
// kernels the device would run.
//
// # Memory and execution
//
// Tensors live in device-local memory, sub-allocated from blocks of
// BlockBytes (a bigger tensor gets a block of its own), and shaders reach
// them by buffer device address (Vulkan 1.2 bufferDeviceAddress), passed in
// push constants with the scalars: there are no descriptor sets, no
// alignment rules for views, and maxStorageBufferRange (128 MiB on lavapipe)
// does not limit a tensor; the limit is maxMemoryAllocationSize for one
// block (Describe shows it) and 2^32 elements for the index arithmetic; a
// row of a row-wise kernel (softmax, layernorm, cross-entropy) may hold up to
// 2^24 values.
// Upload and Download go through host-visible staging memory. Kernels are
// recorded into one command buffer, each separated from the previous by a
// full compute/transfer memory barrier, and submitted when the host needs a
// result (Download, Sync) or the batch grows large. IDIM_VK_PROFILE=1 adds
// timestamps around every command and prints per-kernel times on Close
// (Profile returns them).
//
// # Kernels
//
// Elementwise shaders run one invocation per element (no grid-stride
// loops), row-wise ones one 256-thread workgroup per row with tree
// reductions in shared memory, long row sums in two stages. The GEMM on GPUs
// is gemm.comp (64x64 tiles of C per workgroup through shared memory, 4x4
// per thread); on CPU software devices gemm_direct.comp (register-blocked,
// no barriers, which llvmpipe runs slowly). llvmpipe also ends any shader
// loop after 65535 iterations per invocation, so on such devices the host
// cuts GEMM K, column sums, layernorm parameter gradients and scatter lists
// into parts. ScatterAdd needs no float atomics: the host groups the indices
// by destination row and one thread per (row, column) adds the source rows
// in index order, the CPU's order, so the sums are bit-identical. Dropout
// computes the CPU's splitmix64 counter hash in 32-bit halves: same masks.
//
// One GLSL compute shader per kernel lives in shaders/*.comp and is compiled
// by `go generate` (glslc, validated with spirv-val) into shaders/spv,
// which is embedded. Every Device kernel is implemented; IDIM_VK_DISABLE
// (comma-separated kernel names, e.g. "gemm,layernorm", or "all") makes
// Supports report them unsupported so that autograd runs them on the CPU;
// it also takes the features "tiled_gemm" and "direct_gemm" (see EnvDisable).
// FWHT transforms rows in place on the device (bit-identical to package
// fwht); Fastfood computes fwht.Fastfood's P x and P^T y (bit-identical to
// Apply and ApplyT) from tables of B, G and Pi kept on the device (4d + 8L
// bytes, until ReleaseFastfood or Close).
package vulkan

//go:generate sh shaders/gen.sh
