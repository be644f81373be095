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
    python bench/bench_nn.py --impl ours --case mlp      # one measurement, printed as JSON
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIGITS = ROOT / "tinygrad_edu" / "data" / "digits.npz"
SIZES = {"mlp": (784, 256, 128, 10), "digits": (64, 256, 128, 10)}


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


def run_ours(case: str, repeats: int) -> list[float]:
    import tinygrad_edu as tg
    from tinygrad_edu import nn, optim
    from tinygrad_edu.data import DataLoader, TensorDataset

    tg.manual_seed(0)
    n_in, h1, h2, n_out = SIZES[case]
    model = nn.Sequential(nn.Linear(n_in, h1), nn.ReLU(), nn.Linear(h1, h2), nn.ReLU(),
                          nn.Linear(h2, n_out))
    loss_fn = nn.CrossEntropyLoss()
    X, y = (tg.from_numpy(a) for a in _data(case))
    if case == "mlp":
        opt = optim.SGD(model.parameters(), lr=0.01)

        def work() -> None:
            opt.zero_grad()
            loss = loss_fn(model(X), y)
            loss.backward()
            opt.step()
    else:
        opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)

        def work() -> None:
            for xb, yb in loader:
                opt.zero_grad()
                loss = loss_fn(model(xb), yb)
                loss.backward()
                opt.step()
    return _time(work, repeats)


def run_torch(case: str, repeats: int) -> list[float]:
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    torch.set_num_threads(_threads())
    torch.manual_seed(0)
    n_in, h1, h2, n_out = SIZES[case]
    model = nn.Sequential(nn.Linear(n_in, h1), nn.ReLU(), nn.Linear(h1, h2), nn.ReLU(),
                          nn.Linear(h2, n_out))
    loss_fn = nn.CrossEntropyLoss()
    X, y = (torch.from_numpy(a) for a in _data(case))
    if case == "mlp":
        opt = torch.optim.SGD(model.parameters(), lr=0.01)

        def work() -> None:
            opt.zero_grad()
            loss = loss_fn(model(X), y)
            loss.backward()
            opt.step()
    else:
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)

        def work() -> None:
            for xb, yb in loader:
                opt.zero_grad()
                loss = loss_fn(model(xb), yb)
                loss.backward()
                opt.step()
    return _time(work, repeats)


def _time(work, repeats: int) -> list[float]:
    for _ in range(max(3, repeats // 10)):  # warm up: caches, allocator, lazy imports
        work()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        work()
        times.append(time.perf_counter() - t0)
    return times


def child(impl: str, case: str, repeats: int) -> None:
    times = (run_ours if impl == "ours" else run_torch)(case, repeats)
    print(json.dumps({"impl": impl, "case": case, "median_s": statistics.median(times),
                      "min_s": min(times), "n": len(times)}))


def measure(impl: str, case: str, repeats: int) -> float:
    cmd = [sys.executable, __file__, "--impl", impl, "--case", case, "--repeats", str(repeats)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])["median_s"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--impl", choices=["ours", "torch"])
    parser.add_argument("--case", choices=list(SIZES), default=None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=None)
    args = parser.parse_args()
    default_repeats = {"mlp": 200, "digits": 10}
    if args.impl:
        case = args.case or "mlp"
        child(args.impl, case, args.repeats or default_repeats[case])
        return
    cases = [args.case] if args.case else list(SIZES)
    print(f"threads: {_threads()} (numpy BLAS and torch.set_num_threads); rounds: {args.rounds}")
    rows = []
    for case in cases:
        results: dict[str, list[float]] = {"ours": [], "torch": []}
        for r in range(args.rounds):
            order = ("ours", "torch") if r % 2 == 0 else ("torch", "ours")
            for impl in order:
                results[impl].append(measure(impl, case, args.repeats or default_repeats[case]))
        ours, torch_ = statistics.median(results["ours"]), statistics.median(results["torch"])
        rows.append((case, ours, torch_))
    unit = {"mlp": "per step", "digits": "per epoch"}
    print(f"{'case':<8} {'what':<10} {'ours (ms)':>10} {'torch (ms)':>11} {'ours/torch':>11}")
    for case, ours, torch_ in rows:
        print(f"{case:<8} {unit[case]:<10} {ours * 1e3:>10.3f} {torch_ * 1e3:>11.3f} "
              f"{ours / torch_:>10.2f}x")


if __name__ == "__main__":
    main()
