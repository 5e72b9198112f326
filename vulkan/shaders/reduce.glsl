// reduce.glsl: workgroup (256 threads) sum and NaN-propagating max.
shared float red[256];

float wgSum(float v) {
	uint t = gl_LocalInvocationID.x;
	red[t] = v;
	barrier();
	for (uint s = 128u; s > 0u; s >>= 1) {
		if (t < s) {
			red[t] += red[t + s];
		}
		barrier();
	}
	float r = red[0];
	barrier();
	return r;
}

float maxNaN(float a, float b) { return (b > a || isnan(b)) ? b : a; }

float wgMax(float v) {
	uint t = gl_LocalInvocationID.x;
	red[t] = v;
	barrier();
	for (uint s = 128u; s > 0u; s >>= 1) {
		if (t < s) {
			red[t] = maxNaN(red[t], red[t + s]);
		}
		barrier();
	}
	float r = red[0];
	barrier();
	return r;
}
