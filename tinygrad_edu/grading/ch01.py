"""Chapter 01, tensors (solutions/01_tensors.ipynb): make, describe, index and reshape tensors.

The lesson is notebooks/01_tensors.ipynb. The cases compare with the package's own
tensors, so a right answer has the right *type*, *shape*, *dtype* and values.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import tinygrad_edu as torch
from tinygrad_edu.autograd import topological_order
from tinygrad_edu.grading.graph_reading import (
    ALL_ASKED,
    answer,
    answered_keys,
    count_operations,
    question,
)
from tinygrad_edu.grading.tasks import Case, task

LIMIT = 3.0  # seconds per check; every answer here takes microseconds


def _make_grid(rows: int, cols: int) -> torch.Tensor:
    return torch.arange(rows * cols, dtype=torch.float64).reshape(rows, cols)


@task(
    "ch01.make_grid",
    points=1,
    reference=_make_grid,
    time_limit=LIMIT,
    hint="`torch.arange` counts from 0 and takes a `dtype` (without one you get int64); a "
    "reshape fills the rows one after the other.",
)
def make_grid():
    grid = ("Counting 0, 1, 2, ... in float64, laid out row after row: a reshape fills "
            "each row before the next.")
    yield Case(args=(3, 4), nudge=grid)
    yield Case(args=(1, 5), nudge=grid)
    yield Case(args=(4, 1), hidden=True, nudge=grid)
    yield Case(args=(2, 6), hidden=True, nudge=grid)


def _describe(t: torch.Tensor) -> dict:
    return {
        "shape": tuple(t.shape),
        "dtype": t.dtype,
        "device": str(t.device),
        "nbytes": t.numel() * t.dtype.itemsize,
    }


@task(
    "ch01.describe",
    points=1,
    reference=_describe,
    time_limit=LIMIT,
    hint="`t.shape`, `t.dtype` and `t.device` answer directly; the bytes are "
    "`t.numel()` elements times `t.dtype.itemsize` bytes each.",
)
def describe():
    size = "A tensor's bytes: its number of elements times the size of one element's dtype."
    yield Case(args=(torch.zeros(2, 3),), nudge=size)
    yield Case(args=(torch.tensor(3.5),), nudge="A 0-d tensor has shape () and one element.")
    yield Case(args=(torch.arange(10),), nudge="arange of ints gives int64: 8 bytes each.")
    yield Case(args=(torch.ones(4, 1, 2, dtype=torch.float64),), hidden=True, nudge=size)
    yield Case(args=(torch.tensor([True, False, True]),), hidden=True,
               nudge="A bool is stored in one byte.")
    yield Case(args=(torch.zeros(3, 0),), hidden=True, nudge="A dimension of size 0: no elements.")


def _array_then_tensor(share: Callable, dtype: type) -> torch.Tensor:
    """Hand an array to ``share``, change the array: does the tensor see it?"""
    a = np.arange(4, dtype=dtype)
    t = share(a)
    a[0] = 100
    return t


def _tensor_then_array(share: Callable) -> np.ndarray:
    """Hand an array to ``share``, change the tensor: does the array see it?"""
    a = np.arange(4.0)
    t = share(a)
    t[1] = -1.0
    return a


@task(
    "ch01.share_memory",
    points=1,
    reference=torch.from_numpy,
    time_limit=LIMIT,
    hint="`torch.tensor(a)` copies the numbers; one function of section 9 wraps the array "
    "itself instead.",
)
def share_memory():
    shared = ("Sharing memory: the tensor and the array are two views of the same numbers, so "
              "a change through one shows in the other; a copy does not see it.")
    yield Case(args=(np.array([1.0, 2.0, 3.0]),), nudge="The tensor keeps the array's dtype.")
    yield Case(
        run=lambda f: _array_then_tensor(f, np.float64),
        description="a = np.arange(4.0); t = share_memory(a); a[0] = 100; t",
        nudge=shared,
    )
    yield Case(
        run=_tensor_then_array,
        description="a = np.arange(4.0); t = share_memory(a); t[1] = -1.0; a",
        nudge=shared,
    )
    yield Case(args=(np.array([[1, 2], [3, 4]], dtype=np.int32),), hidden=True,
               nudge="The tensor keeps the array's dtype, int32 too.")
    yield Case(
        nudge=shared,
        run=lambda f: _array_then_tensor(f, np.float32),
        description="a = np.arange(4, dtype=np.float32); t = share_memory(a); a[0] = 100; t",
        hidden=True,
    )


def _last_column(m: torch.Tensor) -> torch.Tensor:
    return m[:, -1]


def _view_sees_change(f: Callable) -> list:
    m = torch.arange(6.0).reshape(2, 3)
    column = f(m)
    m[0, 2] = 100.0
    return column.tolist()


@task(
    "ch01.last_column",
    points=1,
    reference=_last_column,
    time_limit=LIMIT,
    hint="`:` keeps a whole dimension and `-1` is the last position: one index per dimension.",
)
def last_column():
    index = "One index per dimension: all rows, and the last position along the columns."
    yield Case(args=(torch.arange(12).reshape(3, 4),), nudge=index)
    yield Case(args=(torch.tensor([[1.5, 2.5]]),), nudge=index)
    yield Case(
        nudge="Basic indexing gives a view: it shares memory with m and sees later changes.",
        run=_view_sees_change,
        description="m = torch.arange(6.0).reshape(2, 3); col = last_column(m); "
        "m[0, 2] = 100.0; col.tolist()  (a view sees the change)",
    )
    yield Case(args=(torch.arange(5).reshape(5, 1),), hidden=True, nudge=index)
    yield Case(args=(torch.ones(2, 7, dtype=torch.float64) * 3,), hidden=True, nudge=index)


def _diagonal(m: torch.Tensor) -> torch.Tensor:
    k = torch.arange(min(m.shape))
    return m[k, k]


@task(
    "ch01.diagonal",
    points=2,
    reference=_diagonal,
    time_limit=LIMIT,
    hint="Index with two integer tensors of the same length, `m[rows, cols]`: it picks "
    "`m[rows[i], cols[i]]` for every i. Which rows and columns hold the diagonal?",
)
def diagonal():
    fancy = "Integer-tensor indexing pairs the index tensors up: m[rows[i], cols[i]] for each i."
    wide = fancy + " A matrix that is not square has min(rows, cols) diagonal entries."
    yield Case(args=(torch.arange(9).reshape(3, 3),), nudge=fancy)
    yield Case(args=(torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),), nudge=wide)
    yield Case(args=(torch.arange(8.0).reshape(4, 2),), nudge=wide)
    yield Case(args=(torch.tensor([[7]]),), hidden=True, nudge=fancy)
    yield Case(args=(torch.arange(30, dtype=torch.float64).reshape(6, 5),), hidden=True,
               nudge=wide)
    yield Case(args=(torch.arange(12).reshape(2, 6),), hidden=True, nudge=wide)


def _channels_last(x: torch.Tensor) -> torch.Tensor:
    return x.permute(0, 2, 3, 1)


@task(
    "ch01.channels_last",
    points=2,
    reference=_channels_last,
    time_limit=LIMIT,
    hint="`reshape(B, H, W, C)` gives the right shape but the wrong numbers: a reshape keeps "
    "the elements in their order. Moving a dimension is `permute` (its arguments: which old "
    "dimension goes to each new position).",
)
def channels_last():
    move = ("Moving a dimension reorders the elements; a reshape keeps their order and only "
            "regroups them.")
    yield Case(args=(torch.arange(24.0).reshape(2, 3, 2, 2),), nudge=move)
    yield Case(args=(torch.arange(12).reshape(1, 3, 2, 2),), nudge=move)
    yield Case(args=(torch.arange(18.0).reshape(1, 2, 3, 3),), hidden=True, nudge=move)
    yield Case(args=(torch.arange(40, dtype=torch.float64).reshape(2, 4, 1, 5),), hidden=True,
               nudge=move)


# --- reading a graph ---------------------------------------------------------------------------
def _graph_answers() -> dict:
    w = torch.tensor([0.5, -1.0], requires_grad=True)
    y = (w * torch.tensor([2.0, 3.0])).sum()
    ops = [n.name() for n in topological_order([y]) if n.name() != "AccumulateGrad"]
    return {"operations": len(ops), "output_node": y.grad_fn.name()}


@task(
    "ch01.read_graph",
    points=1,
    reference=_graph_answers,
    time_limit=LIMIT,
    hint="Count the grey ellipses; the one next to the green output box made y. Names are "
    "strings such as 'MulBackward0'.",
)
def read_graph():
    yield count_operations()
    yield Case(
        run=answer("output_node"),
        nudge=(
            "A tensor's grad_fn is the node of the operation that made it; its name ends "
            "in Backward0."
        ),
        description=question(
            "output_node",
            "the name of the operation that made y, as in y.grad_fn",
        ),
    )
    yield Case(run=answered_keys, hidden=True, description=ALL_ASKED)
