#!/usr/bin/python3
"""PyTorch reference timing for idim's BenchmarkRoberta (transformer package).

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/torch/roberta_bench.py [--steps 5] [--threads 2]

RoBERTa-base shape (12 layers, hidden 768, 12 heads, FFN 3072, vocab 50265, 514 positions),
random weights, batch 32 x seq 128, float32, on the CPU with 2 threads. It times

  forward: eval mode under torch.no_grad(), classification logits;
  train:   train mode (dropout 0.1), forward + cross-entropy loss + backward + AdamW step.

It prints the median tokens/s after 3 warm-up steps for each, by wall clock and by the process' CPU
time (tokens/cpu-s, which a shared, loaded machine distorts less; idim's benchmark reports both). The model is the same plain torch.nn
RoBERTa as transformer/testdata/make_fixture.py (which mirrors HF's RobertaForSequenceClassification).
"""

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "transformer", "testdata"))
import make_fixture as mf  # noqa: E402

BASE = dict(mf.CONFIG, vocab_size=50265, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
            intermediate_size=3072, max_position_embeddings=514)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--only", choices=["forward", "train"], default=None)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = mf.Full(BASE, 2)
    ids = torch.randint(3, BASE["vocab_size"], (a.batch, a.seq))
    ids[:, 0] = 0
    mask = torch.ones_like(ids)
    types = torch.zeros_like(ids)
    labels = torch.randint(0, 2, (a.batch,))
    tokens = a.batch * a.seq
    print("torch %s, threads %d, batch %d x seq %d" % (torch.__version__, torch.get_num_threads(), a.batch, a.seq))

    def timeit(step):
        ts, cs = [], []
        for i in range(a.warmup + a.steps):
            t0, c0 = time.perf_counter(), time.process_time()
            step()
            ts.append(time.perf_counter() - t0)
            cs.append(time.process_time() - c0)
        return statistics.median(ts[a.warmup:]), statistics.median(cs[a.warmup:])

    if a.only in (None, "forward"):
        model.eval()

        def fwd():
            with torch.no_grad():
                model.classifier(model.roberta(ids, mask, types))

        t, c = timeit(fwd)
        print("forward: %.3f s/step, %.0f tokens/s, %.0f tokens/cpu-s" % (t, tokens / t, tokens / c))
    if a.only in (None, "train"):
        model.train()
        opt = torch.optim.AdamW([p for n, p in model.named_parameters() if not n.startswith("lm_head")], lr=1e-5)

        def train():
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model.classifier(model.roberta(ids, mask, types)), labels)
            loss.backward()
            opt.step()

        t, c = timeit(train)
        print("train: %.3f s/step, %.0f tokens/s, %.0f tokens/cpu-s" % (t, tokens / t, tokens / c))
        try:
            import resource
            print("peak RSS %.0f MiB" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
        except ImportError:
            pass


if __name__ == "__main__":
    main()
