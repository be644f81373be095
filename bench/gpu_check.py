"""GPU check (issue #4): the ``gpu`` tests, then tinygrad_edu on CuPy timed against PyTorch CUDA.

1. ``pytest -m gpu tests/``: every device rule and op family on the real GPU.
2. Two timings, forward + backward, medians over several runs, ratio ours / PyTorch:
   * ``matmul chain``: 10 x (4096x4096 matmul, tanh), float32: big kernels, where CuPy's
     cuBLAS does the work and Python overhead vanishes (expect a ratio near 1);
   * ``mlp step``: the core benchmark's training step (784-256-128-10, cross-entropy via
     log_softmax + picking the target entries, SGD with plain tensor ops) at batch 4096.

Run on a GPU machine: ``python bench/gpu_check.py`` (about a minute; ``--skip-tests`` to time only).
Without a GPU it prints "no GPU: skipped" and exits 0. Exit status 1 if the gpu tests fail.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEADLINE_S = 170  # the whole check stays under 3 minutes


def timed(step: Callable[[], Any], sync: Callable[[], None], warmup: int, iters: int,
          budget_s: float) -> list[float]:
    """Wall times of ``step`` (after ``warmup`` runs), synchronising the GPU around each."""
    for _ in range(warmup):
        step()
    sync()
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < iters and (not times or time.perf_counter() - start < budget_s):
        t0 = time.perf_counter()
        step()
        sync()
        times.append(time.perf_counter() - t0)
    return times


# ------------------------------------------------------------------------------------ cases
def chain_case(lib: Any, dev: Any, n: int = 4096, depth: int = 10) -> Callable[[], Any]:
    """fwd+bwd of x -> tanh(x @ W1) -> ... -> tanh(. @ W10) -> sum."""
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((n, n), dtype=np.float32), device=dev)
    ws = [lib.tensor((rng.standard_normal((n, n), dtype=np.float32) / np.sqrt(n)).astype(
        np.float32), device=dev).requires_grad_() for _ in range(depth)]

    def step() -> Any:
        h = x
        for w in ws:
            h = (h @ w).tanh()
        loss = h.sum()
        loss.backward()
        for w in ws:
            w.grad = None
        return loss

    return step


def mlp_case(lib: Any, dev: Any, batch: int = 4096, lr: float = 0.01) -> Callable[[], Any]:
    """One training step of an MLP 784-256-128-10 with plain tensor ops (no nn module)."""
    rng = np.random.default_rng(0)
    sizes = [784, 256, 128, 10]
    params = []
    for n_in, n_out in zip(sizes, sizes[1:], strict=False):
        bound = 1 / np.sqrt(n_in)
        for shape in ((n_in, n_out), (n_out,)):
            init = rng.uniform(-bound, bound, shape).astype(np.float32)
            params.append(lib.tensor(init, device=dev).requires_grad_())
    x = lib.tensor(rng.standard_normal((batch, 784), dtype=np.float32), device=dev)
    y = lib.tensor(rng.integers(0, 10, batch), device=dev)
    rows = lib.arange(batch, device=dev)
    w1, b1, w2, b2, w3, b3 = params

    def step() -> Any:
        h = (x @ w1 + b1).relu()
        h = (h @ w2 + b2).relu()
        logp = (h @ w3 + b3).log_softmax(dim=1)
        loss = -logp[rows, y].mean()  # cross-entropy: pick each row's target log-probability
        loss.backward()
        with lib.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad = None
        return loss

    return step


CASES = [
    ("matmul chain", "fwd+bwd, 10 x (4096x4096 matmul + tanh), float32", chain_case, 2, 8),
    ("mlp step", "train step, MLP 784-256-128-10, batch 4096, SGD", mlp_case, 10, 50),
]


# ------------------------------------------------------------------------------------ driver
def run_gpu_tests() -> int:
    print("== pytest -m gpu tests/", flush=True)
    cmd = [sys.executable, "-m", "pytest", "-m", "gpu", "-q", "-p", "no:cacheprovider",
           str(ROOT / "tests")]
    try:
        done = subprocess.run(cmd, cwd=ROOT, timeout=120)
    except subprocess.TimeoutExpired:
        print("gpu tests: TIMED OUT after 120 s")
        return 1
    # 5: no tests collected (none marked gpu): not a failure of the device code
    print(f"gpu tests: {'passed' if done.returncode in (0, 5) else 'FAILED'}", flush=True)
    return 0 if done.returncode in (0, 5) else 1


def torch_cuda() -> Any:
    try:
        import torch
    except ImportError:
        return None
    return torch if torch.cuda.is_available() else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-tests", action="store_true", help="only time, no pytest")
    args = parser.parse_args()
    start = time.perf_counter()

    import tinygrad_edu as tg

    if not tg.cuda.is_available():
        try:
            tg.zeros(1, device="cuda")
            why = "unknown"
        except RuntimeError as exc:
            why = str(exc).split(". ")[0]
        print(f"no GPU: skipped ({why})")
        return 0

    import cupy

    status = 0 if args.skip_tests else run_gpu_tests()
    torch = torch_cuda()
    name = torch.cuda.get_device_name(0) if torch else f"CuPy device {cupy.cuda.Device(0).id}"
    print(f"\n== timings on {name} (CuPy {cupy.__version__}"
          f"{', PyTorch ' + torch.__version__ if torch else ', no PyTorch CUDA to compare'})")
    print(f"{'case':14} {'tinygrad_edu':>14} {'torch':>10} {'ours/torch':>11}  what")
    for case, what, make, warmup, iters in CASES:
        left = DEADLINE_S - (time.perf_counter() - start)
        if left < 20:
            print(f"{case:14} skipped: the check's 3-minute budget is spent")
            continue
        ours = statistics.median(timed(make(tg, "cuda"), tg.cuda.synchronize, warmup, iters,
                                       budget_s=left / 4))
        theirs = None
        if torch is not None:
            theirs = statistics.median(timed(make(torch, "cuda"), torch.cuda.synchronize, warmup,
                                             iters, budget_s=left / 4))
            torch.cuda.empty_cache()
        cupy.get_default_memory_pool().free_all_blocks()
        ratio = f"{ours / theirs:10.2f}x" if theirs else f"{'-':>11}"
        theirs_ms = f"{theirs * 1e3:8.2f}ms" if theirs else f"{'-':>10}"
        print(f"{case:14} {ours * 1e3:12.2f}ms {theirs_ms} {ratio}  {what}", flush=True)
    if torch is not None:  # same numbers in, same loss out (both float32 on the GPU)
        ours, theirs = mlp_case(tg, "cuda", batch=256)().item(), mlp_case(torch, "cuda", 256)()
        theirs = theirs.item()
        verdict = "ok" if abs(ours - theirs) < 1e-4 else "MISMATCH"
        print(f"mlp first-step loss: tinygrad_edu {ours:.6f}, torch {theirs:.6f}: {verdict}")
        status = status or int(verdict != "ok")
    print(f"\ngpu check finished in {time.perf_counter() - start:.0f} s")
    return status


if __name__ == "__main__":
    sys.exit(main())
