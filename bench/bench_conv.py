"""Benchmark: convolutional networks with tinygrad_edu against PyTorch on the CPU.

Cases
  lenet   one training step of a LeNet-style CNN on 28x28 images, batch 64, float32:
          conv(1->6, 5x5) relu maxpool2, conv(6->16, 5x5) relu maxpool2, 256-120-84-10 MLP,
          cross-entropy, backward, SGD step (median time per step). Target: <= 1.5x PyTorch.
  k1..k7  conv2d forward + backward (input, weight and bias gradients) on (32, 16, 32, 32)
          images, 32 output channels, padding k//2, for kernel sizes 1, 3, 5, 7.

Each (implementation, case) runs in its own fresh process; the two implementations alternate
for several rounds; the table shows medians and the ratio ours/torch (``bench/harness.py``).

    python bench/bench_conv.py               # the table (2-4 minutes on 2 cores)
    python bench/bench_conv.py --rounds 3
    python bench/bench_conv.py --threads 1   # one thread each: steadier on a busy machine
    python bench/bench_conv.py --threads 1 --cpu-time   # CPU seconds: for a shared machine
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import compare, emit, time_it  # noqa: E402

KERNELS = {"k1": 1, "k3": 3, "k5": 5, "k7": 7}
CASES = [("lenet", "LeNet train step, 28x28, batch 64 (conv, pool, SGD)", 1.5)] + [
    (case, f"conv2d fwd+bwd, 32x16x32x32 -> 32 ch, {k}x{k} kernel", 2.0)
    for case, k in KERNELS.items()
]
REPEATS = {"lenet": 60, "k1": 20, "k3": 20, "k5": 20, "k7": 20}


def _threads() -> int:
    if os.environ.get("TINYGRAD_EDU_BENCH_THREADS"):
        return int(os.environ["TINYGRAD_EDU_BENCH_THREADS"])
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run(impl: str, case: str, repeats: int) -> list[float]:
    """The same code for both frameworks: tinygrad_edu mirrors torch's API."""
    import numpy as np

    if impl == "torch":
        import torch as lib

        lib.set_num_threads(_threads())
    else:
        import tinygrad_edu as lib
    nn, F = lib.nn, lib.nn.functional
    lib.manual_seed(0)
    rng = np.random.default_rng(0)
    if case == "lenet":
        model = nn.Sequential(
            nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(16 * 4 * 4, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, 10),
        )
        opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        loss_fn = nn.CrossEntropyLoss()
        x = lib.from_numpy(rng.standard_normal((64, 1, 28, 28)).astype(np.float32))
        y = lib.from_numpy(rng.integers(0, 10, 64))

        def step() -> None:
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()
    else:
        k = KERNELS[case]
        x = lib.from_numpy(rng.standard_normal((32, 16, 32, 32)).astype(np.float32))
        x.requires_grad_(True)
        w = lib.from_numpy(rng.standard_normal((32, 16, k, k)).astype(np.float32) * 0.1)
        b = lib.from_numpy(rng.standard_normal(32).astype(np.float32))
        w.requires_grad_(True)
        b.requires_grad_(True)

        def step() -> None:
            x.grad = w.grad = b.grad = None
            F.conv2d(x, w, b, padding=k // 2).sum().backward()

    if os.environ.get("TINYGRAD_EDU_BENCH_CPU_TIME"):
        return cpu_time_it(step, warmup=max(3, repeats // 10), iters=repeats)
    return time_it(step, warmup=max(3, repeats // 10), iters=repeats)


def cpu_time_it(step, warmup: int, iters: int) -> list[float]:
    """Like ``harness.time_it``, but in CPU seconds of this process (``time.process_time``).

    With one thread each, CPU time is the work done, whatever else the machine is running;
    wall time on a shared machine also counts the time spent waiting for a core.
    """
    import time

    for _ in range(warmup):
        step()
    times = []
    for _ in range(iters):
        t0 = time.process_time()
        step()
        times.append(time.process_time() - t0)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--impl", choices=["tinygrad_edu", "torch"])
    parser.add_argument("--case", choices=list(REPEATS))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cases", default=",".join(REPEATS), help="comma-separated subset")
    parser.add_argument("--threads", type=int, default=0,
                        help="threads for both (NumPy's BLAS and torch); default: every core")
    parser.add_argument("--cpu-time", action="store_true",
                        help="measure CPU time instead of wall time (use with --threads 1)")
    args = parser.parse_args()
    if args.cpu_time and not args.worker:
        os.environ["TINYGRAD_EDU_BENCH_CPU_TIME"] = "1"
    if args.threads and not args.worker:  # the workers inherit these
        os.environ["TINYGRAD_EDU_BENCH_THREADS"] = str(args.threads)
        os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
        os.environ["OMP_NUM_THREADS"] = str(args.threads)
    if args.worker:
        emit(run(args.impl, args.case, REPEATS[args.case]))
    else:
        print(f"threads: {_threads()} (NumPy's BLAS, and torch.set_num_threads)")
        wanted = args.cases.split(",")
        compare(os.path.abspath(__file__), [c for c in CASES if c[0] in wanted],
                rounds=args.rounds)


if __name__ == "__main__":
    main()
