"""Reductions: sum, mean, max and min, over everything or along ``dim``.

The backward of a reduction *spreads* the gradient back over the elements that were reduced:
equally for sum (each element counted once) and mean (each counted 1/n), and only to the winning
element for max/min.
"""

from __future__ import annotations

from ..autograd.function import Function
from ..device import array_module


def _expand_back(grad, shape, dims, keepdim):
    """Give ``grad`` back the reduced dimensions (size 1), then broadcast it to ``shape``."""
    xp = array_module(grad)
    if dims is not None and not keepdim:
        grad = xp.expand_dims(grad, dims)
    return xp.broadcast_to(grad, shape)


class Sum(Function):
    r"""$s = \sum_i x_i$, so $\partial s/\partial x_i = 1$: every element gets the gradient."""

    array_io = True

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        return x.sum(axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        return _expand_back(grad, ctx.shape, ctx.dims, ctx.keepdim), None, None

    def name(self) -> str:
        return "SumBackward0" if self.dims is None else "SumBackward1"


class Mean(Function):
    r"""$m = \frac{1}{n}\sum_i x_i$, so $\partial m/\partial x_i = 1/n$."""

    array_io = True

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        out = x.mean(axis=dims, keepdims=keepdim)
        ctx.n = x.size // max(out.size, 1) if x.size else 1
        return out

    @staticmethod
    def backward(ctx, grad):
        return _expand_back(grad / ctx.n, ctx.shape, ctx.dims, ctx.keepdim), None, None

    def name(self) -> str:
        return "MeanBackward0" if self.dims is None else "MeanBackward1"


class Max(Function):
    """The largest element (or the largest along ``dim``): the gradient goes to the winner.

    Over the whole tensor, ties share the gradient equally (as PyTorch does); along a dim, the
    gradient goes to the index that ``argmax`` reports.
    """

    array_io = True
    pick = "max"

    @classmethod
    def forward(cls, ctx, x, dim, keepdim):
        xp = array_module(x)
        ctx.shape, ctx.dim, ctx.keepdim = x.shape, dim, keepdim
        if dim is None:
            out = x.max() if cls.pick == "max" else x.min()
            ctx.save_for_backward(x == out)
            return out
        idx = (x.argmax if cls.pick == "max" else x.argmin)(axis=dim, keepdims=True)
        ctx.save_for_backward(idx)
        out = xp.take_along_axis(x, idx, axis=dim)
        return out if keepdim else out.squeeze(dim)

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        (saved,) = ctx.saved_tensors
        if ctx.dim is None:
            return grad * saved / saved.sum(), None, None
        if not ctx.keepdim:
            grad = xp.expand_dims(grad, ctx.dim)
        # One-hot along dim: True only at the index argmax picked; the grad goes there.
        n = ctx.shape[ctx.dim]
        positions = xp.arange(n).reshape([n if d == ctx.dim else 1 for d in range(len(ctx.shape))])
        return (positions == saved) * grad, None, None

    def name(self) -> str:
        base = type(self).__name__
        return f"{base}Backward1" if self.dim is None else f"{base}Backward0"


class Min(Max):
    """The smallest element (or along ``dim``): the gradient goes to the winner."""

    pick = "min"
