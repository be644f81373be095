"""``repr(tensor)`` is PyTorch's, character for character (module name aside).

Learners compare what they see with PyTorch tutorials, so the format matters: ``4.`` for whole
floats, 4 decimals otherwise, scientific notation for wide ranges, aligned columns, rows that
wrap at 80 characters, ``...`` past 1000 elements, and the ``dtype=`` / ``requires_grad=True`` /
``grad_fn=<...>`` suffixes.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

import tinygrad_edu as tg


def normalise(text: str) -> str:
    return text.replace("tinygrad_edu.", "torch.")


def _arange_float(T: Any, n: int) -> Any:
    return T.arange(n).float() if n else T.tensor([])


# Each case builds the same tensor with T = torch or T = tinygrad_edu.
CASES: dict[str, Callable[[Any], Any]] = {
    # ----------------------------------------------------------------------- values
    "ints": lambda T: T.tensor([1, 2, 3]),
    "negative ints": lambda T: T.tensor([-10, 2, 300]),
    "int matrix": lambda T: T.tensor([[1, -2], [30, 4]]),
    "floats with decimals": lambda T: T.tensor([0.1, 2.5, -3.25]),
    "whole floats": lambda T: T.tensor([1.0, 2.0, 3.0]),
    "whole negative floats": lambda T: T.tensor([-1.0, 20.0, 300.0]),
    "floats needing 4 decimals": lambda T: T.tensor([1.23456, 0.5]),
    "negative floats": lambda T: T.tensor([-0.5, -1.75, 2.0]),
    "float zero": lambda T: T.tensor([0.0, 0.0]),
    "negative zero": lambda T: T.tensor([-0.0, 1.0]),
    "sci: small": lambda T: T.tensor([1e-5, 1.0]),
    "sci: large": lambda T: T.tensor([1e9, 1.0]),
    "sci: wide range": lambda T: T.tensor([0.001, 10.0]),
    "sci: large whole": lambda T: T.tensor([1e10, 2.0]),
    "big but not sci": lambda T: T.tensor([12345.678, 1000.5]),
    "all tiny": lambda T: T.tensor([1e-6, 2e-6]),
    "1e8 boundary": lambda T: T.tensor([1e8, 1.0]),
    "inf and nan": lambda T: T.tensor([float("inf"), float("nan"), 1.5]),
    "inf whole": lambda T: T.tensor([float("inf"), -float("inf"), 2.0]),
    "only nan": lambda T: T.tensor([float("nan")]),
    "zero and nan": lambda T: T.tensor([0.0, float("nan")]),
    "zero and inf": lambda T: T.tensor([0.0, float("inf")]),
    "nan and sci": lambda T: T.tensor([float("nan"), 1e10, 0.5]),
    "zero and tiny": lambda T: T.tensor([0.0, 1e-5]),
    "-inf and decimals": lambda T: T.tensor([-float("inf"), 0.25]),
    "bool": lambda T: T.tensor([True, False, True]),
    "bool matrix": lambda T: T.tensor([[True], [False]]),
    # ------------------------------------------------------------------------ shapes
    "0-d float": lambda T: T.tensor(3.5),
    "0-d whole float": lambda T: T.tensor(2.0),
    "0-d int": lambda T: T.tensor(7),
    "0-d bool": lambda T: T.tensor(True),
    "empty float": lambda T: T.tensor([]),
    "empty int": lambda T: T.tensor([], dtype=T.int64),
    "empty 2-D": lambda T: T.zeros(0, 3),
    "empty 2-D int": lambda T: T.zeros(2, 0, dtype=T.int64),
    "one element": lambda T: T.tensor([5.0]),
    "2-D": lambda T: T.tensor([[1.5, 2.0], [3.0, -4.25]]),
    "3-D": lambda T: T.arange(24).reshape(2, 3, 4),
    "3-D floats": lambda T: (T.arange(12).reshape(2, 3, 2).float() / 3),
    "4-D": lambda T: T.arange(16).reshape(2, 2, 2, 2),
    "column": lambda T: T.tensor([[1.0], [2.5], [3.0]]),
    # ------------------------------------------------------------------------ dtypes
    "float64": lambda T: T.tensor([1.0, 2.5], dtype=T.float64),
    "float64 whole": lambda T: T.tensor([1.0, 2.0], dtype=T.float64),
    "float64 0-d": lambda T: T.tensor(1.5, dtype=T.float64),
    "int32": lambda T: T.tensor([1, 2], dtype=T.int32),
    "uint8": lambda T: T.tensor([1, 200], dtype=T.uint8),
    "float16": lambda T: T.tensor([1.5, 2.0], dtype=T.float16),
    "int64 explicit": lambda T: T.tensor([1, 2], dtype=T.int64),
    "dtype suffix wraps to a new line": lambda T: T.tensor(
        [1.2573e-07, -1.3210e-07, 6.4042e-07, 1.0490e-07], dtype=T.float64),
    "two suffixes, the second wraps": lambda T: T.tensor(
        [1.2573e-07, -1.3210e-07, 6.4042e-07], dtype=T.float64, requires_grad=True),
    # ------------------------------------------------------------------------ autograd
    "requires_grad": lambda T: T.tensor([1.0, 2.0], requires_grad=True),
    "requires_grad float64": lambda T: T.tensor([1.0, 2.0], dtype=T.float64, requires_grad=True),
    "requires_grad 0-d": lambda T: T.tensor(1.0, requires_grad=True),
    "PowBackward0": lambda T: T.tensor([2.0, 3.0], requires_grad=True) ** 2,
    "SumBackward0": lambda T: T.tensor([2.0, 3.0], requires_grad=True).sum(),
    "MulBackward0": lambda T: T.tensor([2.0, 3.0], requires_grad=True) * 3,
    "AddBackward0": lambda T: T.tensor([2.0, 3.0], requires_grad=True) + 1,
    "SubBackward0": lambda T: T.tensor([2.0, 3.0], requires_grad=True) - 1,
    "DivBackward0": lambda T: T.tensor([2.0, 3.0], requires_grad=True) / 2,
    "NegBackward0": lambda T: -T.tensor([2.0, 3.0], requires_grad=True),
    "ExpBackward0": lambda T: T.tensor([0.0, 1.0], requires_grad=True).exp(),
    "MeanBackward0": lambda T: T.tensor([2.0, 3.0], requires_grad=True).mean(),
    "TanhBackward0": lambda T: T.tensor([0.0, 1.0], requires_grad=True).tanh(),
    "ReluBackward0": lambda T: T.tensor([-1.0, 1.0], requires_grad=True).relu(),
    "grad_fn with float64": lambda T: T.tensor([1.0], dtype=T.float64, requires_grad=True) * 2,
    "no_grad result": lambda T: _no_grad_result(T),
    "detached": lambda T: (T.tensor([2.0], requires_grad=True) * 2).detach(),
    # ------------------------------------------------------------------- long and summarised
    "long row wraps at 80": lambda T: _arange_float(T, 30) / 7,
    "long int row wraps": lambda T: T.arange(40) * 1000,
    "long whole float row": lambda T: _arange_float(T, 25),
    "2-D long rows": lambda T: (T.arange(40).reshape(2, 20).float() / 3),
    "exactly 1000 elements": lambda T: T.arange(1000),
    "1001 elements summarised": lambda T: T.arange(1001),
    "summarised floats": lambda T: _arange_float(T, 2000) / 3,
    "summarised 2-D": lambda T: T.arange(2000).reshape(40, 50),
    "summarised 3-D": lambda T: T.arange(3000).reshape(10, 20, 15).float(),
    "summarised with requires_grad": lambda T: T.ones(1200, requires_grad=True),
}


def _no_grad_result(T: Any) -> Any:
    x = T.tensor([2.0], requires_grad=True)
    with T.no_grad():
        return x * 2


@pytest.mark.parametrize("name", list(CASES))
def test_repr_matches_pytorch(name: str) -> None:
    expected = normalise(repr(CASES[name](torch)))
    got = normalise(repr(CASES[name](tg)))
    assert got == expected, f"{name}:\n--- PyTorch:\n{expected}\n--- tinygrad_edu:\n{got}"


@pytest.mark.parametrize("name", list(CASES))
def test_str_is_repr(name: str) -> None:
    t = CASES[name](tg)
    assert str(t) == repr(t)


def test_rows_never_exceed_80_characters() -> None:
    for n in (30, 100, 500):
        text = repr(tg.arange(n).float() / 7)
        assert max(len(line) for line in text.splitlines()) <= 80, text


def test_summary_uses_dots() -> None:
    text = repr(tg.arange(1001))
    assert "..." in text and "1000" in text and "500" not in text


@pytest.mark.parametrize("name", [
    "PowBackward0", "SumBackward0", "MulBackward0", "AddBackward0", "SubBackward0",
    "DivBackward0", "NegBackward0", "ExpBackward0", "MeanBackward0", "TanhBackward0",
    "ReluBackward0",
])
def test_grad_fn_names_match_pytorch(name: str) -> None:
    ours, theirs = CASES[name](tg), CASES[name](torch)
    assert ours.grad_fn.name() == theirs.grad_fn.name() == name


def test_more_grad_fn_names() -> None:
    x = tg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    tx = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    pairs = {
        "x ** y (tensor)": (lambda T, a: a**a),
        "sum(dim)": (lambda T, a: a.sum(dim=0)),
        "mean(dim)": (lambda T, a: a.mean(dim=1)),
        "max()": (lambda T, a: a.max()),
        "max(dim)": (lambda T, a: a.max(dim=0).values),
        "reshape": (lambda T, a: a.reshape(4)),
        "view": (lambda T, a: a.view(4)),
        "unsqueeze": (lambda T, a: a.unsqueeze(0)),
        "squeeze": (lambda T, a: a.unsqueeze(0).squeeze(0)),
        "permute": (lambda T, a: a.permute(1, 0)),
        "transpose": (lambda T, a: a.transpose(0, 1)),
        "expand": (lambda T, a: a[:1].expand(3, 2)),
        "x[0]": (lambda T, a: a[0]),
        "x[:, 1:]": (lambda T, a: a[:, 1:]),
        "x[[0, 1]]": (lambda T, a: a[[0, 1]]),
        "sigmoid": (lambda T, a: a.sigmoid()),
        "log": (lambda T, a: a.log()),
        "sqrt": (lambda T, a: a.sqrt()),
        "abs": (lambda T, a: a.abs()),
        "clamp": (lambda T, a: a.clamp(0, 1)),
        "maximum": (lambda T, a: T.maximum(a, a)),
        "softmax": (lambda T, a: a.softmax(1)),
        "log_softmax": (lambda T, a: a.log_softmax(1)),
        "cat": (lambda T, a: T.cat([a, a])),
        "stack": (lambda T, a: T.stack([a, a])),
        "where": (lambda T, a: T.where(a > 2, a, a)),
        "clone": (lambda T, a: a.clone()),
        "to(float64)": (lambda T, a: a.to(T.float64)),
        "batched matmul": (lambda T, a: a.expand(2, 2, 2) @ a),
        "2-D @ 2-D": (lambda T, a: a @ a),
        "1-D @ 1-D": (lambda T, a: a[0] @ a[1]),
        "2-D @ 1-D": (lambda T, a: a @ a[0]),
        "x[..., 0]": (lambda T, a: a[..., 0]),
        "x[None]": (lambda T, a: a[None]),
    }
    mismatches = {}
    for what, fn in pairs.items():
        ours, theirs = fn(tg, x).grad_fn.name(), fn(torch, tx).grad_fn.name()
        if ours != theirs:
            mismatches[what] = (theirs, ours)
    # the documented differences, and nothing else
    assert mismatches == EXPECTED_NAME_DIFFERENCES, mismatches


# Known differences, (PyTorch's name, ours): none left. (A batched matmul is built as PyTorch
# builds it, an UnsafeView over Mm/Bmm; tests/test_torch_parity.py checks every op form.)
EXPECTED_NAME_DIFFERENCES: dict[str, tuple[str, str]] = {}


def test_numpy_float_formatting_does_not_leak() -> None:
    """np.float32 reprs (np.float32(0.1)) must never appear in a tensor's repr."""
    text = repr(tg.tensor([0.1, 0.2]) * 3)
    assert "np." not in text and "float32(" not in text


def test_repr_of_cpu_tensor_has_no_device_suffix() -> None:
    assert "device" not in repr(tg.ones(2))


def test_repr_does_not_copy_huge_tensors() -> None:
    """Summarising must not format a million numbers (it would take seconds)."""
    import time

    big = tg.from_numpy(np.arange(1_000_000, dtype=np.float32))
    start = time.perf_counter()
    text = repr(big)
    assert time.perf_counter() - start < 1.0
    assert "..." in text


@settings(max_examples=40, deadline=None)
@given(shape=array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5),
       scale=st.sampled_from([1e-6, 1e-3, 1.0, 10.0, 1e3, 1e5, 1e9]),
       kind=st.sampled_from(["float32", "float64", "whole", "int64", "bool", "specials"]),
       seed=st.integers(0, 2**32 - 1))
def test_repr_matches_pytorch_on_random_tensors(shape: tuple, scale: float, kind: str,
                                                seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape) * scale
    if kind == "whole":
        a = np.round(a)
    elif kind == "int64":
        a = np.round(a).astype(np.int64)
    elif kind == "bool":
        a = a > 0
    elif kind == "specials" and a.size:
        a.ravel()[rng.integers(0, a.size)] = rng.choice([np.inf, -np.inf, np.nan, 0.0])
    dtype = {"float64": np.float64, "int64": np.int64, "bool": np.bool_}.get(kind, np.float32)
    a = np.asarray(a).astype(dtype)
    expected = normalise(repr(torch.from_numpy(a.copy())))
    got = normalise(repr(tg.from_numpy(a.copy())))
    assert got == expected, f"{kind} {shape} x{scale}:\n--- PyTorch:\n{expected}\n--- ours:\n{got}"


def test_dtypes_and_shapes_print_pytorchs_names_verbatim() -> None:
    """A pasted beginner program prints ``torch.float32`` and ``torch.Size([2, 3])``: no
    renaming needed to compare (``import tinygrad_edu as torch`` stands in for torch)."""
    for make in (lambda T: T.ones(2, 3), lambda T: T.tensor([1, 2]), lambda T: T.tensor([True])):
        ours, theirs = make(tg), make(torch)
        assert repr(ours.dtype) == repr(theirs.dtype) and str(ours.dtype) == str(theirs.dtype)
        assert repr(ours.shape) == repr(theirs.shape) and str(ours.size()) == str(theirs.size())
    assert repr(tg.tensor([1, 2], dtype=tg.int32)) == repr(torch.tensor([1, 2], dtype=torch.int32))
    assert f"{tg.float16}" == f"{torch.float16}"
