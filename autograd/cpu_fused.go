package autograd

import "github.com/idim-go/idim/internal/kernels"

// BiasGELU is kernels.BiasGELU (see FusedDevice).
func (d *CPUDevice) BiasGELU(dst, pre, bias *Tensor, rows, n int) {
	kernels.BiasGELU(host(dst), host(pre), host(bias), rows, n)
}

// ResidualLayerNorm is kernels.ResidualLayerNorm (see FusedDevice).
func (d *CPUDevice) ResidualLayerNorm(y, s, mean, rstd, x, bias, res, gamma, beta *Tensor, rows, n int, p float32, seed uint64, eps float32) {
	kernels.ResidualLayerNorm(host(y), host(s), host(mean), host(rstd), host(x), host(bias), host(res), host(gamma), host(beta), rows, n, p, seed, eps)
}
