"""Benchmark harness: time one case in a fresh process per framework, alternating, and compare.

NumPy (OpenBLAS threads) and PyTorch (OpenMP threads) slow each other down when they share a
process on a small machine, so each measurement runs in its own subprocess:

    python bench/<script>.py --worker --impl tinygrad_edu --case chain

prints one JSON line of per-iteration times; the driver runs the two frameworks in turn for
several rounds and reports medians and the ratio ours/PyTorch.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

IMPLS = ("tinygrad_edu", "torch")


def time_it(
    step: Callable[[], object], warmup: int, iters: int, sync: Callable = lambda: None
) -> list[float]:
    """Run ``step`` ``warmup`` times, then return ``iters`` wall times in seconds."""
    for _ in range(warmup):
        step()
    sync()
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        step()
        sync()
        times.append(time.perf_counter() - t0)
    return times


def emit(times: list[float]) -> None:
    print(json.dumps({"times": times}))


def run_worker(script: str, impl: str, case: str, extra: list[str] | None = None) -> list[float]:
    cmd = [sys.executable, script, "--worker", "--impl", impl, "--case", case, *(extra or [])]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False, env=worker_env())
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])["times"]


def worker_env() -> dict:
    """The workers' environment: OpenBLAS's own kernel choice, unless told to keep the override.

    Some machines set OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE to work around old OpenBLAS bugs; on a
    current NumPy they only force a slower kernel, which would make NumPy look slower than it is.
    Set TINYGRAD_EDU_BENCH_KEEP_BLAS_ENV=1 to keep them.
    """
    env = dict(os.environ)
    if not env.get("TINYGRAD_EDU_BENCH_KEEP_BLAS_ENV"):
        env.pop("OPENBLAS_CORETYPE", None)
        env.pop("OPENBLAS_L2_SIZE", None)
    return env


def blas_info() -> str:
    """Which BLAS kernel NumPy runs in a worker (printed with the results)."""
    code = (
        "import numpy, json\n"
        "try:\n"
        "    from threadpoolctl import threadpool_info\n"
        "    keys = ('internal_api', 'architecture', 'num_threads')\n"
        "    print(json.dumps([{k: i.get(k) for k in keys} for i in threadpool_info()]))\n"
        "except ImportError:\n"
        "    print('threadpoolctl not installed')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=worker_env()
    )
    return out.stdout.strip() or out.stderr.strip()[-300:]


def alternate(script: str, impls: tuple[str, ...], case: str, rounds: int) -> dict[str, float]:
    """Time ``case`` for each impl, in turn (order reversed every other round): medians."""
    samples: dict[str, list[float]] = {impl: [] for impl in impls}
    for r in range(rounds):
        for impl in impls if r % 2 == 0 else impls[::-1]:
            samples[impl].append(statistics.median(run_worker(script, impl, case)))
    return {impl: statistics.median(times) for impl, times in samples.items()}


def compare(script: str, cases: list[tuple[str, str, float]], rounds: int = 3) -> list[dict]:
    """For each (case, description, target ratio): alternate the frameworks and print a table."""
    rows = []
    for case, description, target in cases:
        medians = alternate(script, IMPLS, case, rounds)
        ours, theirs = medians["tinygrad_edu"], medians["torch"]
        rows.append(
            {
                "case": case,
                "description": description,
                "tinygrad_edu_s": ours,
                "torch_s": theirs,
                "ratio": ours / theirs,
                "target": target,
            }
        )
    print(f"NumPy BLAS in the workers: {blas_info()}")
    print(f"{'case':<12} {'tinygrad_edu':>14} {'PyTorch':>12} {'ratio':>7} {'target':>7}  what")
    for row in rows:
        ok = "ok" if row["ratio"] <= row["target"] else "MISS"
        print(
            f"{row['case']:<12} {_fmt(row['tinygrad_edu_s']):>14} {_fmt(row['torch_s']):>12} "
            f"{row['ratio']:>6.2f}x {row['target']:>6.2f}x  {row['description']} [{ok}]"
        )
    return rows


def _fmt(seconds: float) -> str:
    return f"{seconds * 1e3:.3f} ms" if seconds < 1 else f"{seconds:.2f} s"
