#version 460
// ce_loss: loss[0] = scale * sum over rows with labels[r] != ignore of
// lse[r] - x[r, labels[r]], one workgroup.
#include "common.glsl"
#include "reduce.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P { F32 loss; F32 lse; F32 x; I32 labels; uint rows, n; int ignore_; float scale; } p;

void main() {
	float s = 0.0;
	for (uint r = gl_LocalInvocationID.x; r < p.rows; r += 256u) {
		int l = p.labels.v[r];
		if (l != p.ignore_) {
			s += p.lse.v[r] - p.x.v[r * p.n + uint(l)];
		}
	}
	s = wgSum(s);
	if (gl_LocalInvocationID.x == 0u) {
		p.loss.v[0] = p.scale * s;
	}
}
