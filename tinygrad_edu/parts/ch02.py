"""Chapter 02 (operations): broadcasting's shape rule, summing a gradient back, and ``sum``."""

from __future__ import annotations

from typing import Any

import numpy as np

import tinygrad_edu

from .. import shapes
from ..autograd import broadcast, engine
from ..ops import reduce
from ..ops import shape as shape_ops
from .registry import define, tests_of
from .testing import close, current, raises


@define(
    "shapes.broadcast_shapes",
    2,
    [(shapes, "broadcast_shapes"), (tinygrad_edu, "broadcast_shapes")],
    task="ch02.broadcast_shapes",
)
def broadcast_shapes(*shapes: tuple) -> tuple:
    """The shape tensors of ``shapes`` broadcast to (``torch.broadcast_shapes``).

    ``shapes``: any number of tuples of ints >= 0 (maybe none, maybe ``()``). Line them up on
    the right, padding the shorter ones with 1s on the left. In each dimension the sizes must
    be equal or 1; the result has the size that is not 1 (or 1). Returns a tuple of ints.

    Raises ``RuntimeError`` (its message says "Attempting to broadcast a dimension of length
    ...") when two sizes in one dimension differ and neither is 1. ``a @ b`` uses this rule for
    its batch dimensions, and ``tinygrad_edu.broadcast_shapes`` is this function.
    """


@define(
    "autograd.unbroadcast",
    2,
    [(broadcast, "unbroadcast"), (engine, "unbroadcast"), (shape_ops, "unbroadcast")],
    task="ch02.unbroadcast",
)
def unbroadcast(grad: Any, shape: tuple) -> Any:
    """Sum ``grad`` over the dimensions broadcasting added or stretched, so it has ``shape``.

    ``grad``: a NumPy (or CuPy) array whose shape is what ``shape`` broadcast to;
    ``shape``: a tuple, the input's shape. Returns an array of exactly ``shape`` (same dtype):

    * leading dimensions that ``shape`` does not have are summed away;
    * a dimension where ``shape`` has 1 but ``grad`` does not is summed, keeping it as 1.

    The engine calls it on every gradient whose shape differs from its input's, so ``a + b``
    with ``a``: (3,) and ``b``: (2, 3) gives ``a.grad`` of shape (3,). Use the array's own
    methods (``grad.sum(axis=..., keepdims=...)``), never ``np.`` functions (CuPy arrays).
    """


@define("ops.Sum.forward", 2, [(reduce.Sum, "forward", "staticmethod")], task="ch02.sum_forward")
def sum_forward(ctx: Any, x: Any, dims: Any, keepdim: bool) -> Any:
    """``x.sum(dim, keepdim)``'s forward, on arrays: ``Sum.forward(ctx, x, dims, keepdim)``.

    ``x``: a NumPy/CuPy array; ``dims``: None (sum everything) or a tuple of non-negative dims
    (``Tensor.sum`` has already checked and normalised ``dim``); ``keepdim``: keep each summed
    dimension as size 1. Returns the sum as an array (a 0-d array when everything is summed,
    not a NumPy scalar: wrap with ``xp.asarray`` if needed). Integers and bools sum to
    ``int64``, as in PyTorch (NumPy would give ``uint64`` for unsigned ints, a dtype PyTorch
    lacks): pass ``dtype=xp.int64`` when ``x.dtype.kind in "biu"``. For backward, store
    ``ctx.shape = x.shape``, ``ctx.dims = dims`` and ``ctx.keepdim = keepdim``.
    """


@tests_of("shapes.broadcast_shapes")
def test_broadcast_shapes_rule() -> None:
    """Broadcasting lines shapes up from the right, a missing dimension counting as 1; in each
    dimension a size of 1 stretches to the other size. Any number of shapes take part."""
    bs = current("shapes.broadcast_shapes")
    assert tuple(bs((2, 3), (3,))) == (2, 3)
    assert tuple(bs((3, 1), (1, 4))) == (3, 4)
    assert tuple(bs((5, 1, 4), (3, 1))) == (5, 3, 4)
    assert tuple(bs((2, 3), ())) == (2, 3)
    assert tuple(bs((1,), (4, 1), (2, 1, 3))) == (2, 4, 3)


@tests_of("shapes.broadcast_shapes")
def test_broadcast_shapes_refuses() -> None:
    """Two sizes that differ where neither is 1 cannot broadcast: PyTorch raises a RuntimeError
    rather than guess, also when the clash appears only once a third shape joins."""
    bs = current("shapes.broadcast_shapes")
    with raises(RuntimeError, "broadcast"):
        bs((2, 3), (2,))
    with raises(RuntimeError, "broadcast"):
        bs((2, 1), (1, 3), (4, 1))


@tests_of("shapes.broadcast_shapes")
def test_batched_matmul_uses_it() -> None:
    """a @ b broadcasts its batch dimensions (all but the last two) with this same rule, while the
    matrix dimensions themselves must match exactly."""
    a, b = tinygrad_edu.ones(2, 1, 3, 4), tinygrad_edu.ones(5, 4, 2)
    assert tuple((a @ b).shape) == (2, 5, 3, 2)
    assert tuple(tinygrad_edu.broadcast_shapes((3, 1), (4,))) == (3, 4)
    with raises(RuntimeError, "size of tensor a"):
        tinygrad_edu.ones(2, 3, 4) @ tinygrad_edu.ones(3, 4, 2)


@tests_of("shapes.broadcast_shapes", hidden=True)
def test_broadcast_shapes_edges() -> None:
    """The rule has no special cases at its edges: it holds for any number of shapes, none included,
    and a size of 1 stretches to any other size, 0 included."""
    bs = current("shapes.broadcast_shapes")
    assert tuple(bs()) == ()
    assert tuple(bs((7,))) == (7,)
    assert tuple(bs((0,), (1,))) == (0,)
    assert tuple(bs((6, 1, 5), (1, 7, 1), (5,), (1, 1, 1, 1))) == (1, 6, 7, 5)
    with raises(RuntimeError, "broadcast"):
        bs((3,), (4,))


@tests_of("autograd.unbroadcast")
def test_unbroadcast_sums_leading_dims() -> None:
    """Broadcasting may add dimensions on the left: each input element was used once per position
    along them, so its gradient is the sum over those added dimensions."""
    ub = current("autograd.unbroadcast")
    g = np.arange(6.0).reshape(2, 3)
    close(ub(g, (3,)), [3.0, 5.0, 7.0])
    close(ub(np.ones((4, 2, 3)), (2, 3)), np.full((2, 3), 4.0))
    close(ub(g, (2, 3)), g)


@tests_of("autograd.unbroadcast")
def test_unbroadcast_keeps_stretched_ones() -> None:
    """A size-1 dimension that broadcasting stretched still exists in the input: the gradient is
    summed along it and the 1 stays, so the result has exactly the input's shape, even ()."""
    ub = current("autograd.unbroadcast")
    g = np.arange(6.0).reshape(2, 3)
    close(ub(g, (2, 1)), [[3.0], [12.0]])
    close(ub(g, (1, 3)), [[3.0, 5.0, 7.0]])
    close(ub(g, ()), 15.0)
    close(ub(np.ones((3, 2, 4)), (2, 1)), np.full((2, 1), 12.0))


@tests_of("autograd.unbroadcast")
def test_engine_unbroadcasts_gradients() -> None:
    """Every input's .grad has that input's shape, whatever the result's shape was: the engine
    relies on your unbroadcast for each input that broadcasting added to or stretched."""
    a = tinygrad_edu.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = tinygrad_edu.ones(2, 3, requires_grad=True)
    c = tinygrad_edu.tensor([[2.0], [5.0]], requires_grad=True)
    (a * b * c).sum().backward()
    close(a.grad, [7.0, 7.0, 7.0])
    close(c.grad, [[6.0], [6.0]])
    close(b.grad, [[2.0, 4.0, 6.0], [5.0, 10.0, 15.0]])


@tests_of("autograd.unbroadcast", hidden=True)
def test_unbroadcast_dtype_and_zero_size() -> None:
    """Summing a gradient back changes its shape only: its dtype stays the gradient's, and a sum
    over an empty dimension is 0, the sum of nothing."""
    ub = current("autograd.unbroadcast")
    g = np.ones((2, 3), dtype=np.float32)
    out = ub(g, (3,))
    assert out.dtype == np.float32, f"dtype {out.dtype}, expected float32"
    close(ub(np.ones((0, 3)), (3,)), [0.0, 0.0, 0.0])
    close(ub(np.ones((2, 1, 3)), (1, 1)), [[6.0]])
    x = tinygrad_edu.ones(1, 3, requires_grad=True)
    (x.expand(4, 3) * 2).sum().backward()
    close(x.grad, [[8.0, 8.0, 8.0]])


def _sum(x: Any, dims: Any, keepdim: bool) -> Any:
    ctx = object.__new__(reduce.Sum)
    out = current("ops.Sum.forward")(ctx, x, dims, keepdim)
    assert ctx.shape == x.shape and ctx.dims == dims and ctx.keepdim == keepdim, (
        "store ctx.shape, ctx.dims and ctx.keepdim for backward"
    )
    return out


@tests_of("ops.Sum.forward")
def test_sum_forward_dims() -> None:
    """dims=None sums everything into a 0-d array (still an array); given dims, only those are
    summed, and keepdim leaves each summed dimension in place with size 1."""
    x = np.arange(24.0).reshape(2, 3, 4)
    close(_sum(x, None, False), x.sum())
    close(_sum(x, (1,), False), x.sum(axis=1))
    close(_sum(x, (0, 2), True), x.sum(axis=(0, 2), keepdims=True))
    assert np.asarray(_sum(x, None, False)).shape == ()


@tests_of("ops.Sum.forward")
def test_tensor_sum_uses_it() -> None:
    """x.sum(dim, keepdim) runs your forward (negative dims arrive already made non-negative), and
    its result must carry on into backward as any other tensor."""
    x = tinygrad_edu.arange(6.0).reshape(2, 3).requires_grad_()
    s = x.sum(dim=1, keepdim=True)
    close(s, [[3.0], [12.0]])
    s.sum().backward()
    close(x.grad, np.ones((2, 3)))
    close(x.sum(-1), [3.0, 12.0])
    assert x.sum().ndim == 0 and float(x.sum()) == 15.0


@tests_of("ops.Sum.forward")
def test_sum_forward_integers_and_bools_give_int64() -> None:
    """PyTorch sums integers and bools as int64, whatever their width or sign, so a sum cannot
    overflow a small type; NumPy's own choice differs for unsigned ints."""
    for dtype in (np.uint8, np.int8, np.int32, np.bool_):
        out = _sum(np.ones((2, 3), dtype=dtype), (1,), False)
        assert out.dtype == np.int64, f"a {np.dtype(dtype).name} sum gave {out.dtype}, not int64"
        close(out, [3, 3])


@tests_of("ops.Sum.forward", hidden=True)
def test_sum_forward_dtypes_and_empty() -> None:
    """A float sum keeps its float dtype, an integer one is int64 as before, and a sum over an empty
    dimension is 0, the sum of nothing."""
    x = np.ones((2, 0, 3), dtype=np.float32)
    close(_sum(x, (1,), False), np.zeros((2, 3)))
    assert _sum(x, (1,), False).dtype == np.float32
    close(_sum(np.arange(6).reshape(2, 3), (0,), True), [[3, 5, 7]])
    assert tinygrad_edu.tensor([[1, 2], [3, 4]]).sum(0).dtype is tinygrad_edu.int64
