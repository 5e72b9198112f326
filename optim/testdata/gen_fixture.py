#!/usr/bin/python3
"""Writes optim/testdata/torch_fixture.json: parameters, gradients and the
parameters and optimizer state after every step of torch.optim.SGD, Adam and
AdamW (single-tensor code path, foreach=False), with clip_grad_norm_ and a
parameter whose gradient is None in some steps.

Run with Debian's python3-torch:  /usr/bin/python3 optim/testdata/gen_fixture.py
Go tests read the JSON and never need Python."""
import json
import os

import numpy as np
import torch

torch.manual_seed(0)
rng = np.random.default_rng(12345)

SHAPES = [("encoder.dense.weight", [3, 5]), ("encoder.dense.bias", [7]), ("LayerNorm.weight", [4])]
STEPS = 6


def f32(a):
    return [float(np.float32(x)) for x in np.asarray(a, dtype=np.float32).ravel()]


def grads_for(step, i, n):
    # Magnitudes from 1e-9 to 10 so that eps matters for some elements.
    scale = np.float32(10.0) ** rng.integers(-9, 2, size=n).astype(np.float32)
    return (rng.standard_normal(n).astype(np.float32) * scale).astype(np.float32)


INIT = [rng.standard_normal(int(np.prod(s))).astype(np.float32) for _, s in SHAPES]
# Gradient of parameter i at step s; None: no gradient that step.
GRADS = []
for s in range(STEPS):
    row = []
    for i, (_, shape) in enumerate(SHAPES):
        n = int(np.prod(shape))
        g = grads_for(s, i, n)
        if i == 1 and s in (2, 3):
            g = None  # the bias gets no gradient in steps 2 and 3
        if i == 2 and s == 0:
            g = None  # LayerNorm.weight first gets a gradient at step 1
        row.append(g)
    GRADS.append(row)


def run(case):
    params = [torch.nn.Parameter(torch.tensor(x.reshape(s))) for x, (_, s) in zip(INIT, SHAPES)]
    groups = [{"params": [params[i] for i in g["params"]], "weight_decay": g["wd"]} for g in case["groups"]]
    kind = case["kind"]
    if kind == "sgd":
        opt = torch.optim.SGD(groups, lr=case["lr"], momentum=case["momentum"], dampening=case["dampening"],
                              nesterov=case["nesterov"], foreach=False)
    elif kind == "adam":
        opt = torch.optim.Adam(groups, lr=case["lr"], betas=(case["beta1"], case["beta2"]), eps=case["eps"], foreach=False)
    else:
        opt = torch.optim.AdamW(groups, lr=case["lr"], betas=(case["beta1"], case["beta2"]), eps=case["eps"], foreach=False)
    steps = []
    for s in range(STEPS):
        for p, g in zip(params, GRADS[s]):
            p.grad = None if g is None else torch.tensor(g.reshape(p.shape))
        rec = {}
        if case["clip"] > 0:
            rec["norm"] = float(torch.nn.utils.clip_grad_norm_(params, case["clip"]))
        opt.step()
        rec["params"] = [f32(p.detach().numpy()) for p in params]
        state = []
        for p in params:
            st = opt.state.get(p, {})
            if kind == "sgd":
                b = st.get("momentum_buffer")
                state.append(None if b is None else {"momentum_buffer": f32(b.numpy())})
            else:
                state.append(None if not st else {"exp_avg": f32(st["exp_avg"].numpy()),
                                                  "exp_avg_sq": f32(st["exp_avg_sq"].numpy()),
                                                  "step": int(st["step"].item())})
        rec["state"] = state
        steps.append(rec)
    out = dict(case)
    out["steps"] = steps
    return out


def exact(x):
    return float(np.float32(x))


ALL = [{"params": [0, 1, 2], "wd": 0.0}]
CASES = [
    dict(name="sgd", kind="sgd", lr=0.1, momentum=0.0, dampening=0.0, nesterov=False, clip=0.0, groups=ALL),
    dict(name="sgd_momentum_wd", kind="sgd", lr=0.05, momentum=0.9, dampening=0.0, nesterov=False, clip=0.0,
         groups=[{"params": [0], "wd": 0.01}, {"params": [1, 2], "wd": 0.0}]),
    dict(name="sgd_nesterov_wd_clip", kind="sgd", lr=0.05, momentum=0.9, dampening=0.0, nesterov=True, clip=1.0,
         groups=[{"params": [0, 1, 2], "wd": 0.1}]),
    dict(name="sgd_dampening", kind="sgd", lr=0.05, momentum=0.5, dampening=0.25, nesterov=False, clip=0.0, groups=ALL),
    # Typical hyperparameters (Python doubles, not float32 values).
    dict(name="adam_l2", kind="adam", lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, clip=0.0,
         groups=[{"params": [0], "wd": 0.01}, {"params": [1, 2], "wd": 0.0}]),
    dict(name="adamw", kind="adamw", lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, clip=0.0,
         groups=[{"params": [0], "wd": 0.01}, {"params": [1, 2], "wd": 0.0}]),
    dict(name="adamw_clip", kind="adamw", lr=2e-3, beta1=0.9, beta2=0.98, eps=1e-6, clip=1.0,
         groups=[{"params": [0, 2], "wd": 0.1}, {"params": [1], "wd": 0.0}]),
    # Hyperparameters that are float32 values, so that only the kernel's
    # arithmetic differs from PyTorch's.
    dict(name="adamw_f32exact", kind="adamw", lr=exact(2.0 ** -9), beta1=0.875, beta2=1 - 2.0 ** -10,
         eps=2.0 ** -26, clip=0.0, groups=[{"params": [0, 1, 2], "wd": 0.0625}]),
    dict(name="adam_f32exact", kind="adam", lr=exact(2.0 ** -9), beta1=0.875, beta2=1 - 2.0 ** -10,
         eps=2.0 ** -26, clip=0.0, groups=[{"params": [0, 1, 2], "wd": 0.0625}]),
]

fixture = {
    "magic": "idim-optim-fixture",
    "version": 1,
    "generator": "optim/testdata/gen_fixture.py, torch " + torch.__version__ + ", numpy " + np.__version__,
    "params": [{"name": n, "shape": s, "init": f32(x)} for (n, s), x in zip(SHAPES, INIT)],
    "grads": [[None if g is None else f32(g) for g in row] for row in GRADS],
    "cases": [run(c) for c in CASES],
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_fixture.json")
with open(path, "w") as f:
    json.dump(fixture, f, separators=(",", ":"))
    f.write("\n")
print("wrote", path)
