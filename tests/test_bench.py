"""The benchmark's yardsticks must compute what they claim (timings themselves are never tested).

``bench/chain_floor.py`` compares tinygrad_edu with a bare engine and with NumPy alone; those
comparisons mean something only if all three compute the same chain and the same gradients.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.autograd.engine import topological_order

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
bare_autograd = pytest.importorskip("bare_autograd")
chain_floor = pytest.importorskip("chain_floor")


def test_the_floor_yardsticks_compute_the_same_chain_and_gradients() -> None:
    rng = np.random.default_rng(1)
    x0, w0 = (rng.standard_normal((4, 4)).astype(np.float32) for _ in range(2))

    x, w = tg.tensor(x0, requires_grad=True), tg.tensor(w0, requires_grad=True)
    out = chain_floor.chain(x, w).sum()
    out.backward()

    bx, bw = bare_autograd.BareTensor(x0), bare_autograd.BareTensor(w0)
    bare_out = chain_floor.chain(bx, bw).sum()
    bare_out.backward()

    total, gx, gw = chain_floor.numpy_only(x0, w0)

    for value in (bare_out.data, total):
        np.testing.assert_allclose(value, out.item(), rtol=1e-6)
    for grad in (bx.grad, gx):
        np.testing.assert_allclose(grad, x.grad.numpy(), rtol=1e-6, atol=1e-6)
    for grad in (bw.grad, gw):
        np.testing.assert_allclose(grad, w.grad.numpy(), rtol=1e-6, atol=1e-6)


def test_the_chain_has_200_ops() -> None:
    x = tg.randn(2, requires_grad=True)
    nodes = topological_order([chain_floor.chain(x, x)])
    assert sum(node.name() != "AccumulateGrad" for node in nodes) == 200


def test_the_conv_benchmark_runs_the_same_code_in_both_frameworks() -> None:
    bench_conv = pytest.importorskip("bench_conv")
    for impl in ("tinygrad_edu", "torch"):
        for case in ("lenet", "k3"):
            times = bench_conv.run(impl, case, repeats=1)
            assert len(times) == 1 and times[0] > 0
