"""Core benchmark (issue #2): the autograd engine's overhead and a training step, vs PyTorch CPU.

* ``chain``: forward + backward of a 200-op elementwise chain (mul, add, tanh) on 4x4 float32
  tensors. Tiny tensors, so this measures per-op overhead (target: <= 0.5x PyTorch's time).
* ``mlp``: one training step of an MLP 784-256-128-10 at batch 128 written with plain tensor
  functions: forward, cross-entropy, backward, SGD update (target: <= 1.0x PyTorch's time).

Run: ``python bench/bench_core.py`` (medians of alternating runs, each in its own process).
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import compare, emit, time_it  # noqa: E402

CASES = [
    ("chain", "fwd+bwd, 200-op chain (mul, add, tanh), 4x4 float32", 0.5),
    ("mlp", "train step, MLP 784-256-128-10, batch 128 (plain functions)", 1.0),
]


def chain(x, w):
    """200 ops: (mul, add, tanh) x 66, then mul, add (works on any tensor library)."""
    y = x
    for _ in range(66):
        y = (y * w + x).tanh()
    return y * w + x  # 198 ops + 2 = 200


def chain_step(lib, x, w):
    """The chain, one sum and backward."""
    chain(x, w).sum().backward()


def mlp_setup(lib, batch=128):
    lib.manual_seed(0)
    sizes = [784, 256, 128, 10]
    params = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        bound = 1 / n_in**0.5
        w = (lib.rand(n_in, n_out) * 2 - 1) * bound
        b = (lib.rand(n_out) * 2 - 1) * bound
        params += [w.requires_grad_(), b.requires_grad_()]
    x = lib.randn(batch, 784)
    y = lib.randint(0, 10, (batch,))
    return params, x, y


def mlp_step(lib, params, x, y, lr=0.01):
    w1, b1, w2, b2, w3, b3 = params
    h = (x @ w1 + b1).relu()
    h = (h @ w2 + b2).relu()
    logits = h @ w3 + b3
    logp = logits.log_softmax(dim=1)
    loss = -logp[lib.arange(x.shape[0]), y].mean()
    for p in params:
        p.grad = None
    loss.backward()
    with lib.no_grad():
        for p in params:
            p -= lr * p.grad
    return loss


def worker(impl: str, case: str) -> None:
    if impl == "torch":
        import torch as lib

        lib.set_num_threads(os.cpu_count() or 1)
    else:
        import tinygrad_edu as lib
    if case == "chain":
        x = lib.randn(4, 4, requires_grad=True)
        w = lib.randn(4, 4, requires_grad=True)
        emit(time_it(lambda: chain_step(lib, x, w), warmup=20, iters=200))
    elif case == "mlp":
        params, x, y = mlp_setup(lib)
        emit(time_it(lambda: mlp_step(lib, params, x, y), warmup=5, iters=40))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--impl")
    parser.add_argument("--case")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.worker:
        worker(args.impl, args.case)
    else:
        compare(os.path.abspath(__file__), CASES, rounds=args.rounds)


if __name__ == "__main__":
    main()
