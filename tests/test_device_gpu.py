"""The device rules and every op family on a real GPU, through CuPy.

Marked ``gpu``: ``pytest -m gpu`` runs them (``bench/gpu_check.py`` does, on a GPU machine). They
skip cleanly where CuPy or a GPU is missing. The rules themselves live once, in
:class:`test_device_semantics.DeviceSemantics`; here they run against the real backend, plus a few
checks only a real GPU can make.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from test_api_devices import OPS as API_OPS
from test_api_devices import check_op_on_gpu
from test_device_semantics import DeviceSemantics, close, host, on_cuda

import tinygrad_edu as tg
from tinygrad_edu.device import backend, scatter_add

pytestmark = pytest.mark.gpu


@pytest.fixture(scope="module")
def real_cuda() -> Any:
    pytest.importorskip("cupy", reason="CuPy is not installed (pip install -e '.[gpu]')")
    if not tg.cuda.is_available():
        pytest.skip("CuPy sees no CUDA GPU on this machine")
    return backend("cuda")


class TestOnCupy(DeviceSemantics):
    """Every rule of DeviceSemantics, on CuPy."""

    @pytest.fixture
    def cuda_backend(self, real_cuda: Any) -> Any:
        return real_cuda

    def test_cuda_tensors_hold_cupy_arrays(self) -> None:
        import cupy

        x = tg.randn(3, device="cuda")
        assert type(x.array) is cupy.ndarray and x.array.device.id == 0
        assert type((x * 2).sum().array) is cupy.ndarray  # 0-d results stay on the GPU

    @pytest.mark.parametrize("dtype", [np.float32, np.float64])
    def test_scatter_add_adds_repeats(self, dtype: Any) -> None:
        """Index backward's path: np.add.at on the CPU, cupyx.scatter_add on the GPU."""
        import cupy

        target = cupy.zeros(4, dtype=dtype)
        scatter_add(target, cupy.asarray([1, 1, 3, 1]), cupy.ones(4, dtype=dtype))
        np.testing.assert_array_equal(target.get(), [0, 3, 0, 1])

    def test_mlp_training_step_matches_the_cpu(self) -> None:
        """The benchmark's MLP step (784-256-128-10, cross-entropy, SGD) on both devices."""
        rng = np.random.default_rng(0)
        shapes = [(784, 256), (256,), (256, 128), (128,), (128, 10), (10,)]
        init = [(rng.standard_normal(s) * 0.05).astype(np.float32) for s in shapes]
        x = rng.standard_normal((64, 784)).astype(np.float32)
        y = rng.integers(0, 10, 64)
        results = {}
        for dev in ("cpu", "cuda"):
            params = [tg.tensor(a, device=dev, requires_grad=True) for a in init]
            w1, b1, w2, b2, w3, b3 = params
            xs, ys = tg.tensor(x, device=dev), tg.tensor(y, device=dev)
            for _ in range(3):
                h = (xs @ w1 + b1).relu()
                h = (h @ w2 + b2).relu()
                logp = (h @ w3 + b3).log_softmax(dim=1)
                loss = -logp[tg.arange(64, device=dev), ys].mean()
                loss.backward()
                with tg.no_grad():
                    for p in params:
                        p -= 0.1 * p.grad
                        p.grad = None
            results[dev] = (loss.item(), [host(p) for p in params])
            if dev == "cuda":
                for p in params:
                    on_cuda(p, "a parameter after SGD steps")
        assert abs(results["cpu"][0] - results["cuda"][0]) < 1e-4
        for i, (c, g) in enumerate(zip(results["cpu"][1], results["cuda"][1], strict=True)):
            close(g, c, f"parameter {i} after 3 SGD steps on cuda vs cpu")

    def test_synchronize_waits_for_queued_work(self) -> None:
        a = tg.randn(2048, 2048, device="cuda")
        b = a @ a  # queued; synchronize returns once it is done
        tg.cuda.synchronize()
        assert b.shape == (2048, 2048) and np.isfinite(b.sum().item())


@pytest.mark.parametrize("name, fn, arrays", API_OPS, ids=[o[0] for o in API_OPS])
def test_api_ops_of_issue_15_on_cupy(real_cuda: Any, name: str, fn: Any, arrays: list) -> None:
    """The ops added for the beginner canon (sin, sort, gather, einsum, ...) on CuPy."""
    check_op_on_gpu(name, fn, arrays)
