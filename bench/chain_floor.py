"""How low can the 200-op chain go? PyTorch, tinygrad_edu, a bare engine, and NumPy alone.

Issue #2 asks for the chain (``bench_core.py``) in <= 0.5x PyTorch's time. This script shows
where that budget sits, each line timed in its own process, alternating, medians of rounds:

* ``torch``         PyTorch 2.13 CPU: the reference;
* ``tinygrad_edu``  the course's engine, with every semantic issue #2 asks for;
* ``bare``          ``bare_autograd.py``: the least Python an autograd can run, no features;
* ``numpy``         only the array operations the chain needs (forward and backward), no Python
                    graph at all: what any NumPy-based engine pays, whatever its design.

Run: ``python bench/chain_floor.py [--rounds 5]``.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_core import chain  # noqa: E402
from harness import alternate, emit, time_it  # noqa: E402

IMPLS = ("torch", "tinygrad_edu", "bare", "numpy")
TRIPLES = 66  # chain() is (mul, add, tanh) x 66, then mul, add: 200 ops


def numpy_only(x, w):
    """The chain's array work, written out by hand: forward, then the backward products/sums."""
    ys, y = [], x
    for _ in range(TRIPLES):
        t = np.tanh(y * w + x)
        ys.append((y, t))
        y = t
    out = y * w + x
    g = np.broadcast_to(np.ones((), np.float32), out.shape)  # d sum / d out
    gx, gw, gy = g, g * y, g * w  # last add and mul
    for y, t in reversed(ys):
        g = gy * (1 - t * t)  # tanh
        gx = gx + g  # add: x's share
        gw, gy = gw + g * y, g * w  # mul: w's share, and y's
    return out.sum(), gx + gy, gw


def worker(impl: str) -> None:
    if impl == "numpy":
        rng = np.random.default_rng(0)
        x, w = (rng.standard_normal((4, 4)).astype(np.float32) for _ in range(2))
        emit(time_it(lambda: numpy_only(x, w), warmup=20, iters=300))
        return
    if impl == "bare":
        import bare_autograd as lib

        x, w = lib.randn(4, 4), lib.randn(4, 4)
    else:
        lib = __import__(impl)
        x, w = lib.randn(4, 4, requires_grad=True), lib.randn(4, 4, requires_grad=True)

    def step():
        x.grad = w.grad = None
        chain(x, w).sum().backward()

    emit(time_it(step, warmup=20, iters=300))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--impl")
    parser.add_argument("--case", default="chain")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if args.worker:
        worker(args.impl)
        return
    medians = alternate(__file__, IMPLS, "chain", args.rounds)
    torch_s = medians["torch"]
    print(f"200-op chain fwd+bwd, 4x4 float32: medians of {args.rounds} alternating rounds")
    print(f"{'':<14} {'time':>10} {'vs PyTorch':>11}")
    for impl, s in medians.items():
        print(f"{impl:<14} {s * 1e3:>7.3f} ms {s / torch_s:>10.2f}x")
    print(f"{'0.5x budget':<14} {torch_s * 0.5e3:>7.3f} ms {0.5:>10.2f}x")


if __name__ == "__main__":
    main()
