#version 460
// ce_backward: dlogits[r,j] = f*(exp(x[r,j]-lse[r]) - (j == labels[r])) with
// f = dloss[0]*scale, 0 on rows whose label is ignore.
#include "common.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P { F32 dx; F32 x; F32 lse; F32 dloss; I32 labels; uint rows, n; int ignore_; float scale; } p;

void main() {
	uint total = p.rows * p.n;
	float f = p.dloss.v[0] * p.scale;
	uint e = ELEM;
	if (e < total) {
		uint r = e / p.n, j = e % p.n;
		int l = p.labels.v[r];
		float v = 0.0;
		if (l != p.ignore_) {
			v = f * exp(p.x.v[e] - p.lse.v[r]);
			if (uint(l) == j) {
				v -= f;
			}
		}
		p.dx.v[e] = v;
	}
}
