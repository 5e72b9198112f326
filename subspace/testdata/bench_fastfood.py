"""Anchor for BenchmarkProject/fastfood/roberta-base: the paper's projection in PyTorch.

The Fastfood map of Aghajanyan et al.'s code, written here with vectorised torch ops:
P x = (H G Pi H B pad(x))[:n] / (||G|| sqrt(n)) per tensor, L = 2^ceil(log2 n), and its
gradient by torch autograd (the paper gets P^T g the same way). One "op" is a forward
(theta_t = theta_0 + P theta for every tensor) plus the transpose (backward of <P theta, g_t>),
over the RoBERTa-base parameter set (124,647,170 parameters), as the Go benchmark does.

Run: /usr/bin/python3 -u subspace/testdata/bench_fastfood.py [threads] [d] [reps] [model]
model: roberta-base (default) or word-embeddings (its 50265 x 768 tensor alone).
"""
import math
import sys
import time

import torch


def roberta_shapes(vocab=50265, max_pos=514, hidden=768, layers=12, inter=3072, labels=2):
    s = [(vocab, hidden), (max_pos, hidden), (1, hidden), (hidden,), (hidden,)]
    for _ in range(layers):
        for _ in range(4):
            s += [(hidden, hidden), (hidden,)]
        s += [(hidden,), (hidden,), (inter, hidden), (inter,), (hidden, inter), (hidden,), (hidden,), (hidden,)]
    s += [(hidden, hidden), (hidden,), (labels, hidden), (labels,)]
    return s


def hadamard(x):
    """Unnormalised Walsh-Hadamard transform of a 1-d tensor of length 2^k (log2 L passes)."""
    n = x.numel()
    h = 1
    while h < n:
        y = x.view(-1, 2, h)
        a, b = y[:, 0, :], y[:, 1, :]
        x = torch.stack((a + b, a - b), dim=1).reshape(n)
        h *= 2
    return x


class Fastfood:
    def __init__(self, d, n, gen):
        self.n = n
        self.L = 1 << max(0, math.ceil(math.log2(max(n, d))))
        L = self.L
        self.B = torch.randint(0, 2, (L,), generator=gen).float() * 2 - 1
        self.Pi = torch.randperm(L, generator=gen)
        self.G = torch.randn(L, generator=gen)
        self.div = self.G.norm() * math.sqrt(n)

    def __call__(self, x):
        xp = torch.nn.functional.pad(x, (0, self.L - x.numel()))
        v = hadamard(xp * self.B)
        v = hadamard(v[self.Pi] * self.G)
        return v[: self.n] / self.div


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    d = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    torch.set_num_threads(threads)
    gen = torch.Generator().manual_seed(1)
    model = sys.argv[4] if len(sys.argv) > 4 else "roberta-base"
    shapes = roberta_shapes() if model == "roberta-base" else [(50265, 768)]
    sizes = [math.prod(s) for s in shapes]
    print(f"torch {torch.__version__}, {model}, threads {threads}, d {d}, tensors {len(sizes)}, params {sum(sizes)}")
    t0 = time.time()
    ffs = [Fastfood(d, n, gen) for n in sizes]
    state = sum(f.L * (4 + 8 + 4) for f in ffs)  # B float32, Pi int64, G float32
    print(f"setup {time.time() - t0:.1f} s, state {state} bytes ({state / sum(sizes):.2f} B/param)")
    theta = torch.randn(d, generator=gen).requires_grad_(True)
    maxn = max(sizes)
    shared = torch.randn(maxn, generator=gen) * 0.02  # theta_0 and the gradients, as in Go
    out = [torch.empty(n) for n in sizes]
    for rep in range(reps):
        t0, c0 = time.time(), time.process_time()
        theta.grad = None
        for f, n, o in zip(ffs, sizes, out):
            p = f(theta)
            with torch.no_grad():
                torch.add(shared[:n], p, out=o)  # theta_t = theta_0 + P theta
            (p * shared[:n]).sum().backward()  # theta.grad += P^T g_t
        print(f"rep {rep}: {time.time() - t0:.2f} s wall, {time.process_time() - c0:.2f} s cpu per forward+transpose")


if __name__ == "__main__":
    main()
