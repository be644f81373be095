r"""Running totals along a dim: ``cumsum`` and ``cumprod``.

$y_j = \sum_{i \le j} x_i$: each $x_i$ appears in every later $y_j$, so its gradient is the sum
of the incoming gradients *from position i onwards*: a cumsum run backwards.
"""

from __future__ import annotations

from ..autograd.function import Function
from ..device import array_module


def _reverse_cumsum(g, dim):
    """$\\sum_{j \\ge i} g_j$ for every i: flip, cumsum, flip back."""
    xp = array_module(g)
    if g.ndim == 0:  # one element: its own total
        return g
    return xp.flip(xp.cumsum(xp.flip(g, dim), axis=dim), dim)


def _promoted(x, dtype):
    """PyTorch's result dtype: the one asked for, else ints and bools become int64."""
    if dtype is not None:
        return x.astype(dtype, copy=False)
    return x.astype("int64", copy=False) if x.dtype.kind in "iub" else x


class Cumsum(Function):
    r"""$y_j = \sum_{i \le j} x_i$, so $\partial L/\partial x_i = \sum_{j \ge i} g_j$."""

    array_io = True

    @staticmethod
    def forward(ctx, x, dim, dtype):
        ctx.dim = dim
        return array_module(x).cumsum(_promoted(x, dtype), axis=dim).reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        return _reverse_cumsum(grad, ctx.dim), None, None


class Cumprod(Function):
    r"""$y_j = \prod_{i \le j} x_i$, so $\partial L/\partial x_i = \sum_{j \ge i} g_j\, y_j / x_i$.

    Dividing by $x_i$ fails where $x_i = 0$; there the product of the *other* factors is
    computed directly (a short loop over the positions, only when a zero is present).
    """

    array_io = True

    @staticmethod
    def forward(ctx, x, dim, dtype):
        y = array_module(x).cumprod(_promoted(x, dtype), axis=dim).reshape(x.shape)
        ctx.dim = dim
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        xp = array_module(x)
        if x.ndim == 0:  # y = x
            return grad, None, None
        if bool((x != 0).all()):
            return _reverse_cumsum(grad * y, ctx.dim) / x, None, None
        n = x.shape[ctx.dim]
        xs, gs = xp.moveaxis(x, ctx.dim, -1), xp.moveaxis(grad, ctx.dim, -1)
        positions = xp.arange(n)
        columns = []
        for k in range(n):  # d y_j / d x_k = prod_{i <= j, i != k} x_i for j >= k, else 0
            others = xp.where(positions == k, 1, xs)  # a float x stays its dtype (NEP 50)
            partial = xp.where(positions >= k, xp.cumprod(others, axis=-1), 0)
            columns.append((gs * partial).sum(axis=-1))
        return xp.moveaxis(xp.stack(columns, axis=-1), -1, ctx.dim), None, None
