"""Run one program on tinygrad_edu and on PyTorch and compare everything it produces.

A *program* is a function ``program(lib)`` written once against the torch API (``lib`` is
``tinygrad_edu`` or ``torch``). It returns a tensor, or a tuple/list/dict of tensors and plain
values. :func:`same` runs it on both, and compares, item by item: shape, dtype, values (nan and
inf included), ``requires_grad`` and the ``grad_fn`` name. If PyTorch raises, we must raise the
same exception type.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

import tinygrad_edu as tg


def _flatten(result: Any, prefix: str = "result") -> list:
    if isinstance(result, dict):
        return [item for k, v in result.items() for item in _flatten(v, f"{prefix}[{k!r}]")]
    if isinstance(result, (tuple, list)) and not hasattr(result, "_fields"):
        return [item for i, v in enumerate(result) for item in _flatten(v, f"{prefix}[{i}]")]
    if hasattr(result, "_fields"):  # max(dim) results
        return _flatten(tuple(result), prefix)
    return [(prefix, result)]


def _describe(x: Any) -> Any:
    if isinstance(x, (tg.Tensor, torch.Tensor)):
        node = x.grad_fn
        name = None if node is None else (
            node.name() if isinstance(x, tg.Tensor) else type(node).__name__
        )
        if isinstance(x, torch.Tensor):
            array = x.detach().cpu().numpy() if not x._is_zerotensor() else np.zeros(x.shape)
        else:
            array = x.detach().numpy()
        return {
            "shape": tuple(x.shape),
            "dtype": str(x.dtype).split(".")[-1],
            "values": np.array(array, copy=True),
            "requires_grad": x.requires_grad,
            "grad_fn": name,
        }
    return x


def run(program: Callable, lib: Any) -> Any:
    """``program(lib)``, flattened into (path, description) pairs, or the exception raised."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = program(lib)
        except Exception as exc:  # noqa: BLE001  the exception type is part of the contract
            return exc
    return [(path, _describe(x)) for path, x in _flatten(result)]


def same(program: Callable, rtol: float = 1e-5, atol: float = 1e-6, check_names: bool = True,
         what: str = "") -> None:
    """Assert that tinygrad_edu and PyTorch agree on ``program``."""
    ours, theirs = run(program, tg), run(program, torch)
    label = what or getattr(program, "__name__", "program")
    if isinstance(theirs, Exception):
        assert isinstance(ours, Exception), (
            f"{label}: PyTorch raises {type(theirs).__name__} ({theirs}); we returned {ours}")
        assert isinstance(ours, type(theirs)) or type(theirs) in type(ours).__mro__, (
            f"{label}: PyTorch raises {type(theirs).__name__} ({theirs}); "
            f"we raise {type(ours).__name__} ({ours})")
        return
    if isinstance(ours, Exception):
        raise AssertionError(f"{label}: PyTorch works, we raise {type(ours).__name__}: {ours}")
    assert len(ours) == len(theirs), f"{label}: {len(theirs)} results expected, got {len(ours)}"
    for (path, a), (_, b) in zip(ours, theirs):
        where = f"{label}: {path}"
        if not isinstance(b, dict):
            if isinstance(b, float) and math.isnan(b):
                assert isinstance(a, float) and math.isnan(a), f"{where}: expected nan, got {a}"
            else:
                assert a == b, f"{where}: expected {b!r} (PyTorch), got {a!r}"
            continue
        assert isinstance(a, dict), f"{where}: expected a tensor, got {a!r}"
        for key in ("shape", "dtype", "requires_grad"):
            assert a[key] == b[key], f"{where}: {key}: expected {b[key]} (PyTorch), got {a[key]}"
        if check_names:
            assert a["grad_fn"] == b["grad_fn"], (
                f"{where}: grad_fn: expected {b['grad_fn']} (PyTorch), got {a['grad_fn']}")
        np.testing.assert_allclose(a["values"], b["values"], rtol=rtol, atol=atol,
                                   err_msg=f"{where}: values differ from PyTorch's")


def grad_of(lib: Any, loss: Any, *leaves: Any) -> tuple:
    """Backward from ``loss`` and return each leaf's ``.grad`` (or None)."""
    loss.backward()
    return tuple(leaf.grad for leaf in leaves)
