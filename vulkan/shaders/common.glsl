// common.glsl: what every idim shader shares. Operands are passed as buffer
// device addresses in the push-constant block (no descriptor sets), each
// pointing at the first element of its tensor.
#extension GL_EXT_buffer_reference : require

layout(buffer_reference, std430, buffer_reference_align = 4) buffer F32 { float v[]; };
layout(buffer_reference, std430, buffer_reference_align = 4) buffer I32 { int v[]; };

// ROW is the index of this workgroup's row for kernels that run one
// workgroup per row on a (65535 x ceil(rows/65535)) grid.
#define ROW (gl_WorkGroupID.y * 65535u + gl_WorkGroupID.x)

// STRIDE is the grid-stride step of elementwise kernels (256 threads a group).
#define STRIDE (gl_NumWorkGroups.x * 256u)
