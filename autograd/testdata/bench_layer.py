#!/usr/bin/python3
"""Anchor for BenchmarkTransformerLayer: the same post-LN RoBERTa encoder
layer (hidden 768, 12 heads, FFN 3072, batch 8 x seq 128, dropout 0.1, exact
GELU, 8*i padding tokens in sequence i), forward + backward with a fixed
output gradient, in PyTorch on the CPU with as many threads as given.

Run: /usr/bin/python3 autograd/testdata/bench_layer.py [threads]
"""
import sys
import time

import torch
import torch.nn.functional as F

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
torch.set_num_threads(threads)
torch.manual_seed(0)
B, S, H, NH, FF = 8, 128, 768, 12, 3072
D = H // NH


def p(*shape, std=0.02):
    return (torch.randn(*shape) * std).requires_grad_()


wq, bq, wk, bk, wv, bv, wo, bo = p(H, H), p(H), p(H, H), p(H), p(H, H), p(H), p(H, H), p(H)
w1, b1, w2, b2 = p(FF, H), p(FF), p(H, FF), p(H)
g1, be1, g2, be2 = torch.ones(H, requires_grad=True), p(H), torch.ones(H, requires_grad=True), p(H)
params = [wq, bq, wk, bk, wv, bv, wo, bo, w1, b1, w2, b2, g1, be1, g2, be2]
x = torch.randn(B, S, H, requires_grad=True)
mask = torch.ones(B, S)
for i in range(B):
    if i:
        mask[i, S - 8 * i:] = 0
ext = (1.0 - mask)[:, None, None, :] * torch.finfo(torch.float32).min
seed = torch.randn(B, S, H)


def layer(x):
    def split(t):
        return t.view(B, S, NH, D).permute(0, 2, 1, 3)
    q, k, v = split(F.linear(x, wq, bq)), split(F.linear(x, wk, bk)), split(F.linear(x, wv, bv))
    s = q @ k.transpose(-1, -2) / D ** 0.5 + ext
    pr = F.dropout(torch.softmax(s, -1), 0.1, True)
    ctx = (pr @ v).permute(0, 2, 1, 3).reshape(B, S, H)
    h1 = F.layer_norm(F.dropout(F.linear(ctx, wo, bo), 0.1, True) + x, (H,), g1, be1, 1e-5)
    f = F.dropout(F.linear(F.gelu(F.linear(h1, w1, b1)), w2, b2), 0.1, True)
    return F.layer_norm(f + h1, (H,), g2, be2, 1e-5)


def step():
    for t in params + [x]:
        t.grad = None
    layer(x).backward(seed)


for _ in range(2):
    step()
n = 5
best = float("inf")
t0 = time.perf_counter()
for _ in range(n):
    t1 = time.perf_counter()
    step()
    best = min(best, time.perf_counter() - t1)
mean = (time.perf_counter() - t0) / n
print(f"torch {torch.__version__} threads={threads}: mean {mean*1e3:.1f} ms/step, best {best*1e3:.1f} ms/step")
