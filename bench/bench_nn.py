"""Benchmark: training with tinygrad_edu.nn/optim/data against PyTorch on the CPU.

Cases
  mlp     one training step of an MLP 784-256-128-10 (ReLU), batch 128, float32:
          forward, cross-entropy, backward, SGD step (median time per step);
  digits  one epoch over the 8x8 digits training split (1,438 images), MLP 64-256-128-10,
          batch 32, shuffled DataLoader, SGD with momentum (median time per epoch).

Each (implementation, case) runs in its own fresh process; the two implementations alternate,
for several rounds, and the table reports the median over rounds and the ratio ours/torch.
PyTorch gets as many threads as NumPy's BLAS has cores (``torch.set_num_threads``).

    python bench/bench_nn.py                 # the table (1-3 minutes on 2 cores)
    python bench/bench_nn.py --rounds 3

The process handling and the table come from ``bench/harness.py``, shared with bench_core.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import compare, emit, time_it  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DIGITS = ROOT / "tinygrad_edu" / "data" / "digits.npz"
SIZES = {"mlp": (784, 256, 128, 10), "digits": (64, 256, 128, 10)}
CASES = [
    ("mlp", "train step, MLP 784-256-128-10, batch 128 (nn + optim.SGD)", 1.0),
    ("digits", "one epoch over the digits, 64-256-128-10, batch 32, SGD momentum", 1.0),
]
REPEATS = {"mlp": 200, "digits": 10}


def _threads() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _data(case: str):
    """The same inputs for both implementations, as NumPy arrays."""
    import numpy as np

    rng = np.random.default_rng(0)
    if case == "mlp":
        return rng.standard_normal((128, 784)).astype(np.float32), rng.integers(0, 10, 128)
    with np.load(DIGITS) as f:
        images, targets = f["images"], f["targets"]
    order = rng.permutation(len(targets))[360:]  # a training split of 1,438 images
    return (images[order].reshape(-1, 64).astype(np.float32) / 16, targets[order].astype(np.int64))


def run(impl: str, case: str, repeats: int) -> list[float]:
    """The same training code for both frameworks: tinygrad_edu mirrors torch's API."""
    if impl == "torch":
        import torch as lib
        import torch.utils.data  # noqa: F401  (torch loads utils.data lazily)

        lib.set_num_threads(_threads())
    else:
        import tinygrad_edu as lib
        import tinygrad_edu.utils.data  # noqa: F401
    nn, data = lib.nn, lib.utils.data
    lib.manual_seed(0)
    n_in, h1, h2, n_out = SIZES[case]
    model = nn.Sequential(nn.Linear(n_in, h1), nn.ReLU(), nn.Linear(h1, h2), nn.ReLU(),
                          nn.Linear(h2, n_out))
    loss_fn = nn.CrossEntropyLoss()
    X, y = (lib.from_numpy(a) for a in _data(case))
    if case == "mlp":
        opt = lib.optim.SGD(model.parameters(), lr=0.01)
        batches = [(X, y)]
    else:
        opt = lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        batches = data.DataLoader(data.TensorDataset(X, y), batch_size=32, shuffle=True)

    def work() -> None:
        for xb, yb in batches:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()

    return time_it(work, warmup=max(3, repeats // 10), iters=repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--impl", choices=["tinygrad_edu", "torch"])
    parser.add_argument("--case", choices=list(SIZES))
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if args.worker:
        emit(run(args.impl, args.case, REPEATS[args.case]))
    else:
        print(f"threads: {_threads()} (NumPy's BLAS, and torch.set_num_threads)")
        compare(os.path.abspath(__file__), CASES, rounds=args.rounds)


if __name__ == "__main__":
    main()
