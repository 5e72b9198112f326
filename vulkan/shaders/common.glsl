// common.glsl: what every idim shader shares. Operands are passed as buffer
// device addresses in the push-constant block (no descriptor sets), each
// pointing at the first element of its tensor.
#extension GL_EXT_buffer_reference : require

layout(buffer_reference, std430, buffer_reference_align = 4) buffer F32 { float v[]; };
layout(buffer_reference, std430, buffer_reference_align = 4) buffer I32 { int v[]; };

// ROW is the index of this workgroup's row for kernels that run one
// workgroup per row on a (65535 x ceil(rows/65535)) grid.
#define ROW (gl_WorkGroupID.y * 65535u + gl_WorkGroupID.x)

// ELEM is the element of this invocation in elementwise kernels: 256
// threads a group on a (65535 x ceil(groups/65535)) grid, one element each
// (no grid-stride loops: see the note on llvmpipe below).
#define ELEM ((gl_WorkGroupID.y * 65535u + gl_WorkGroupID.x) * 256u + gl_LocalInvocationID.x)


// llvmpipe (lavapipe) ends a loop after 65535 iterations per invocation
// (counted over all entries of that loop statement: its infinite-loop
// guard). So no loop here may run longer: elementwise kernels do not loop,
// row kernels loop n/256 times, and the host cuts longer sums into chunks
// (Device.loopCap in vk_cgo.go).
