"""Chapter 02, operations (solutions/02_operations.ipynb): broadcasting, reductions, matmul.

The lesson is notebooks/02_operations.ipynb. Two tasks work on shapes alone (tuples in,
a tuple out, RuntimeError for shapes that do not fit); the others compute on tensors
without Python loops and are compared with the package's own operations.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import tinygrad_edu as torch
from tinygrad_edu.autograd import topological_order
from tinygrad_edu.grading.compare import as_array, mismatch
from tinygrad_edu.grading.graph_reading import (
    ALL_ASKED,
    answer,
    answered_keys,
    count_operations,
    question,
)
from tinygrad_edu.grading.tasks import Case, task

LIMIT = 3.0  # seconds per check; every answer here takes well under a millisecond


def _error_name(f: Callable, *args: object) -> str:
    """The name of the exception ``f(*args)`` raises, or what it returned instead.

    A stub's NotImplementedError goes through, so an untouched exercise is "not attempted".
    """
    try:
        result = f(*args)
    except NotImplementedError:
        raise
    except Exception as exc:
        return type(exc).__name__
    return f"no error: it returned {result!r}"


def _raises(*args: object, hidden: bool = False, name: str = "") -> Case:
    """A case in which ``name(*args)`` must raise RuntimeError."""
    call = f"{name}({', '.join(map(repr, args))})"
    return Case(
        run=lambda f: _error_name(f, *args),
        expected="RuntimeError",
        hidden=hidden,
        description=f"{call} must raise RuntimeError",
        nudge="Shapes that do not fit are an error, not a guess: sizes that differ where "
        "neither is 1 (or inner sizes that differ) cannot be combined.",
    )


def _broadcast_shapes(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    n = max((len(s) for s in shapes), default=0)
    result = [1] * n
    for shape in shapes:
        padded = (1,) * (n - len(shape)) + tuple(shape)
        for i, size in enumerate(padded):
            if size != result[i] and 1 not in (size, result[i]):
                raise RuntimeError(f"shapes {shapes} do not broadcast: {result[i]} vs {size}")
            result[i] = size if result[i] == 1 else result[i]
    return tuple(result)


def _softmax_rows(x: torch.Tensor) -> torch.Tensor:
    return x.softmax(dim=-1)


@task(
    "ch02.softmax_rows",
    points=2,
    reference=_softmax_rows,
    time_limit=LIMIT,
    hint="`x.amax(dim=-1, keepdim=True)` is each row's largest value, shaped to broadcast "
    "back against x; subtracting it changes no probability but keeps `exp` from overflowing. "
    "Then divide by the row sums (`keepdim=True` again).",
)
def softmax_rows():
    rows = "Each row becomes probabilities: positive, summing to 1 along the last dimension."
    big = ("exp(1000) overflows to inf: softmax(x) equals softmax(x - c) for any c per row, "
           "so large inputs must not reach exp as they are.")
    yield Case(args=(torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]),), nudge=rows)
    yield Case(args=(torch.tensor([[1000.0, 1001.0, 1002.0]]),), nudge=big)
    yield Case(args=(torch.tensor([[-2.0, 0.5], [3.0, 1.0], [0.0, -1.0]]),),
               nudge=rows + " A (3,) of row maxima or sums broadcasts as a row, not a column.")
    yield Case(args=(torch.tensor([4.0, -4.0, 0.0]),), hidden=True,
               nudge="A 1-D x is a single row: the last dimension is its only one.")
    yield Case(args=(torch.arange(12.0).reshape(2, 2, 3) * 30 - 100,), hidden=True,
               nudge="A 3-D x: the last dimension is the one that sums to 1. " + big)
    yield Case(
        args=(torch.tensor([[-800.0, -801.0], [5.0, 5.0]], dtype=torch.float64),), hidden=True,
        nudge="exp(-800) underflows to 0 even in float64. " + big,
    )


def _standardize_rows(x: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    mean = x.mean(dim=1, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=1, keepdim=True)
    return (x - mean) / (var + eps).sqrt()


_SQUARE = torch.tensor([[1.0, 2.0, 6.0], [0.0, -3.0, 3.0], [10.0, 20.0, 60.0]])


def _standardize_mistake(case: Case, got: object) -> str:
    """Which classic mistake gives ``got``: n - 1 in the variance, or means without keepdim."""
    x = case.args[0].numpy().astype(np.float64)
    eps = case.kwargs.get("eps", 1e-5)
    answer = as_array(got)
    if answer is None or answer.shape != x.shape:
        return ""
    mean = x.mean(axis=1, keepdims=True)
    if x.shape[1] > 1:
        unbiased = (x - mean) / np.sqrt(
            ((x - mean) ** 2).sum(1, keepdims=True) / (x.shape[1] - 1) + eps
        )
        if np.allclose(answer, unbiased, rtol=1e-4, atol=1e-4):
            return (
                "Your numbers divide by n - 1 (the unbiased variance). Standardizing uses the "
                "mean of the squared deviations: divide by n, i.e. `.mean()`, not `.var()`."
            )
    if x.shape[0] == x.shape[1]:
        wrong_mean = x.mean(axis=1)[None, :]
        if np.allclose(
            answer[:, 0],
            ((x - wrong_mean)[:, 0]) / np.sqrt(((x - wrong_mean) ** 2).mean(1) + eps),
            rtol=1e-3,
            atol=1e-3,
        ):
            return (
                "On a square x your means were subtracted along the wrong axis: a shape (rows,) "
                "mean broadcasts as a row. Keep the reduced dimension (keepdim=True)."
            )
    return ""


@task(
    "ch02.standardize_rows",
    points=2,
    reference=_standardize_rows,
    time_limit=LIMIT,
    diagnose=_standardize_mistake,
    hint="`x.mean(dim=1)` has shape (rows,), which broadcasts as a *row*: on a square x it "
    "subtracts the wrong means without any error. `keepdim=True` keeps shape (rows, 1).",
)
def standardize_rows():
    per_row = ("Each row gets its own mean and (biased) variance; a reduced (rows,) shape "
               "broadcasts as a row.")
    square = per_row + " On a square x a wrong axis raises no error."
    yield Case(args=(torch.tensor([[1.0, 2.0, 3.0, 4.0], [10.0, 10.0, 20.0, 40.0]]),),
               nudge=per_row)
    yield Case(args=(_SQUARE,), nudge=square)
    yield Case(args=(torch.tensor([[2.0, 4.0]]),), kwargs={"eps": 0.0},
               nudge="eps=0: the plain variance of [2, 4], mean squared deviation 1.")
    yield Case(args=(_SQUARE.T,), kwargs={"eps": 0.1}, hidden=True,
               nudge=square + " eps is added to the variance, under the square root.")
    yield Case(args=(torch.arange(20.0).reshape(4, 5) ** 2,), hidden=True, nudge=per_row)
    yield Case(args=(torch.tensor([[5.0, 5.0, 5.0], [1.0, 0.0, 1.0]]),), hidden=True,
               nudge="A constant row has variance 0: eps keeps the division finite.")


def _matmul_shape(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    if len(a) == 0 or len(b) == 0:
        raise RuntimeError("matmul needs tensors of at least one dimension")
    a2 = (1, *a) if len(a) == 1 else tuple(a)  # a vector on the left is a 1-row matrix
    b2 = (*b, 1) if len(b) == 1 else tuple(b)  # on the right, a 1-column matrix
    if a2[-1] != b2[-2]:
        raise RuntimeError(f"inner sizes differ: {a} @ {b}")
    batch = _broadcast_shapes(a2[:-2], b2[:-2])
    rows = () if len(a) == 1 else (a2[-2],)  # the added dimensions are dropped again
    cols = () if len(b) == 1 else (b2[-1],)
    return (*batch, *rows, *cols)


@task(
    "ch02.matmul_shape",
    points=3,
    reference=_matmul_shape,
    time_limit=LIMIT,
    hint="Make both operands matrices first: a 1-D left operand (k,) becomes (1, k), a 1-D "
    "right one (k, 1). Check the inner sizes, broadcast the leading (batch) dimensions with "
    "your broadcast_shapes, and finally drop the dimensions you added.",
)
def matmul_shape():
    inner = "(n, k) @ (k, m) is (n, m): the inner sizes meet and disappear."
    vector = "A 1-D operand acts as a matrix for the product, and its added dimension is dropped."
    batch = "Dimensions before the last two are batch dimensions: they broadcast."
    yield Case(args=((2, 3), (3, 4)), nudge=inner)
    yield Case(args=((3,), (3,)), nudge=vector + " Vector @ vector is a 0-d result.")
    yield Case(args=((2, 3), (3,)), nudge=vector)
    yield Case(args=((5, 2, 3), (3, 4)), nudge=batch)
    yield _raises((2, 3), (2, 3), name="matmul_shape")
    yield Case(args=((3,), (3, 4)), hidden=True, nudge=vector)
    yield Case(args=((4,), (2, 4, 5)), hidden=True, nudge=vector + " " + batch)
    yield Case(args=((6, 2, 4), (4,)), hidden=True, nudge=vector + " " + batch)
    yield Case(args=((7, 1, 2, 3), (5, 3, 6)), hidden=True, nudge=batch)
    yield Case(args=((1, 3), (3, 1)), hidden=True, nudge=inner)
    yield _raises((2, 2, 3), (3, 3, 4), hidden=True, name="matmul_shape")
    yield _raises((3,), (4,), hidden=True, name="matmul_shape")
    yield _raises((), (3,), hidden=True, name="matmul_shape")


def _pairwise_distances(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    diff = x.unsqueeze(1) - y.unsqueeze(0)  # (n, 1, d) - (1, m, d) -> (n, m, d)
    return (diff**2).sum(dim=-1).sqrt()


def _close_tensors(expected: object, got: object) -> str | None:
    """Like the default comparison, but allowing for the rounding of other formulas."""
    reason = mismatch(expected, got)
    if reason != "values differ":
        return reason
    want, answer = as_array(expected), as_array(got)
    if want.dtype != np.float64:  # float32: 1e-4 allows |x|^2 + |y|^2 - 2 x.y
        ok = np.allclose(answer, want, rtol=1e-4, atol=1e-4)
        return None if ok else reason
    # float64 to 1e-9, except a distance of 0, where that formula leaves sqrt(rounding)
    slack = np.where(want == 0, 1e-6, 0.0)
    ok = bool(np.all(np.abs(answer - want) <= 1e-9 * np.abs(want) + slack))
    return None if ok else reason


_POINTS = torch.tensor([[0.0, 0.0], [3.0, 4.0], [1.0, 1.0]])


@task(
    "ch02.pairwise_distances",
    points=3,
    reference=_pairwise_distances,
    compare=_close_tensors,
    time_limit=LIMIT,
    hint="Give x the shape (n, 1, d) and y the shape (1, m, d) (`unsqueeze`, or indexing "
    "with None): their difference broadcasts to (n, m, d). Square, sum over the last "
    "dimension, square root.",
)
def pairwise_distances():
    pairs = ("Every row of x against every row of y: (n, 1, d) and (1, m, d) broadcast to "
             "(n, m, d); entry [i, j] is the distance from x[i] to y[j].")
    yield Case(args=(_POINTS, _POINTS), nudge=pairs)
    yield Case(
        args=(torch.tensor([[0.0, 0.0, 0.0]]), torch.tensor([[1.0, 2.0, 2.0], [0.0, 0.0, 5.0]])),
        nudge=pairs + " Here n = 1 and m = 2: the result is (1, 2).",
    )
    yield Case(args=(torch.tensor([[1.0], [4.0]]), torch.tensor([[0.0], [2.0], [-1.0]])),
               nudge=pairs + " Here n = 2 and m = 3: the result is (2, 3).")
    rng = np.random.default_rng(2)
    x = torch.tensor(rng.standard_normal((6, 4)).astype(np.float32))
    y = torch.tensor(rng.standard_normal((5, 4)).astype(np.float32))
    yield Case(
        args=(x, y), hidden=True, description="pairwise_distances(x, y), x: (6, 4), y: (5, 4)",
        nudge=pairs,
    )
    z = torch.tensor(rng.standard_normal((3, 7)))  # float64
    yield Case(args=(z, z), hidden=True, nudge=pairs + " In float64, to float64's precision.",
               description="pairwise_distances(z, z), z: (3, 7) float64")


# --- reading a graph ---------------------------------------------------------------------------
def _graph_answers() -> dict:
    torch.manual_seed(0)
    inputs, W = torch.randn(4, 3), torch.randn(3, 2, requires_grad=True)
    b = torch.zeros(2, requires_grad=True)
    W.name, b.name = "W", "b"
    out = (inputs @ W + b).relu().sum()
    ops = [n.name() for n in topological_order([out]) if n.name() != "AccumulateGrad"]
    add = out.grad_fn.next_functions[0][0].next_functions[0][0]  # sum <- relu <- add
    leaves = [fn.variable for fn, _ in add.next_functions if fn is not None and
              fn.name() == "AccumulateGrad"]  # the leaf added straight to the (4, 2) product
    return {"operations": len(ops), "broadcast_leaf": leaves[0].name}


@task(
    "ch02.read_graph",
    points=1,
    reference=_graph_answers,
    time_limit=LIMIT,
    hint="Count the grey ellipses. The leaf whose shape differs from the (4, 2) it is added to "
    "is the one broadcasting stretches; answer with its name, e.g. 'W'.",
)
def read_graph():
    yield count_operations()
    yield Case(
        run=answer("broadcast_leaf"),
        nudge=(
            "Broadcasting stretches a missing or size-1 dimension: compare each leaf's "
            "shape with the shape it is added to."
        ),
        description=question(
            "broadcast_leaf",
            "the name of the leaf that broadcasting stretches over the batch",
        ),
    )
    yield Case(run=answered_keys, hidden=True, description=ALL_ASKED)
