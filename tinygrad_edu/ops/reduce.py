"""Reductions: sum, mean, max and min, over everything or along ``dim``.

The backward of a reduction *spreads* the gradient back over the elements that were reduced:
equally for sum (each element counted once) and mean (each counted 1/n), and only to the winning
element(s) for max/min/amax. (var, std and norm live in ``statistics.py``.)
"""

from __future__ import annotations

from ..autograd.function import Function
from ..autograd.select import select
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
        if x.dtype.kind in "biu":  # PyTorch sums integers and bools as int64 (NumPy: uint64 too)
            return x.sum(axis=dims, keepdims=keepdim, dtype=array_module(x).int64)
        return x.sum(axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        return _expand_back(grad, ctx.shape, ctx.dims, ctx.keepdim), None, None

    def name(self) -> str:  # PyTorch: sum() is overload 0, sum(dim, keepdim) overload 1
        return "SumBackward0" if self.dims is None and not self.keepdim else "SumBackward1"


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
        return "MeanBackward0" if self.dims is None and not self.keepdim else "MeanBackward1"


class Max(Function):
    """The largest element (or the largest along ``dim``): the gradient goes to the winner.

    Over the whole tensor (MaxBackward1), ties share the gradient equally, as in PyTorch, which
    saves the input and the result for it; along a dim (MaxBackward0) the gradient goes to the
    index that ``argmax`` reports, and only that index is saved.
    """

    array_io = True
    pick = "max"
    saved_names = ("indices",)  # along a dim; over everything it saves self and result

    @classmethod
    def forward(cls, ctx, x, dim, keepdim):
        xp = array_module(x)
        ctx.shape, ctx.dim, ctx.keepdim = x.shape, dim, keepdim
        if dim is None:
            out = xp.asarray(x.max() if cls.pick == "max" else x.min())
            ctx.save_for_backward(x, out)
            return out
        if x.ndim == 0:  # a single number is its own max along dim 0
            return x.copy()
        idx = (x.argmax if cls.pick == "max" else x.argmin)(axis=dim, keepdims=True)
        ctx.save_for_backward(idx)
        out = xp.take_along_axis(x, idx, axis=dim)
        return out if keepdim else out.squeeze(dim)

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        if ctx.dim is None:
            x, out = ctx.saved_tensors
            winners = x == out
            return select(winners, grad / winners.sum(dtype=grad.dtype)), None, None
        if not ctx.shape:
            return grad, None, None
        (idx,) = ctx.saved_tensors
        if not ctx.keepdim:
            grad = xp.expand_dims(grad, ctx.dim)
        # True only at the index argmax picked along dim: the gradient goes there.
        n = ctx.shape[ctx.dim]
        positions = xp.arange(n).reshape([n if d == ctx.dim else 1 for d in range(len(ctx.shape))])
        return select(positions == idx, grad), None, None

    def name(self) -> str:
        base = self._op_name
        return f"{base}Backward1" if self.dim is None else f"{base}Backward0"


class Min(Max):
    """The smallest element (or along ``dim``): the gradient goes to the winner."""

    pick = "min"


import numpy as np  # noqa: E402  (errstate, for the reductions below)

from ..dtypes import as_float  # noqa: E402


def _kept(out, dims, keepdim):
    """A reduced result with its reduced dims back (size 1), ready to broadcast against x."""
    if dims is None or keepdim:
        return out
    return array_module(out).expand_dims(out, dims)


class Amax(Function):
    """``amax(dims)``: the largest values over ``dims``; ties share the gradient equally.

    Saved, as in PyTorch: the input and the result, to find every element equal to its max.
    """

    array_io = True
    pick = "max"

    @classmethod
    def forward(cls, ctx, x, dims, keepdim):
        ctx.dims, ctx.keepdim = dims, keepdim
        pick = x.max if cls.pick == "max" else x.min
        out = array_module(x).asarray(pick(axis=dims, keepdims=keepdim))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        xp = array_module(grad)
        if not ctx.keepdim:
            grad, out = xp.expand_dims(grad, ctx.dims), xp.expand_dims(out, ctx.dims)
        winners = x == out
        count = winners.sum(axis=ctx.dims, keepdims=True, dtype=grad.dtype)
        return select(winners, grad / count), None, None

    def name(self) -> str:
        return "AmaxBackward0" if self.pick == "max" else "AminBackward0"


class Amin(Amax):
    """``amin(dims)``: the smallest values over ``dims``; ties share the gradient equally."""

    pick = "min"


class Prod(Function):
    r"""$p = \prod_i x_i$, so $\partial p/\partial x_i = \prod_{j \ne i} x_j$.

    That product of the *others* is computed as (product of those before i) times (product of
    those after i), two running products, so a zero among the $x_j$ needs no special case.
    """

    array_io = True

    @staticmethod
    def forward(ctx, x, dim, keepdim, dtype):
        ctx.dim, ctx.keepdim = dim, keepdim
        ctx.save_for_backward(x)
        if dtype is None and x.dtype.kind in "iub":
            dtype = "int64"  # PyTorch: the product of ints is int64
        return x.prod(axis=dim, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        (x,) = ctx.saved_tensors
        flat = x.reshape(-1) if ctx.dim is None else xp.moveaxis(x, ctx.dim, -1)
        ones = xp.ones(flat.shape[:-1] + (1,), dtype=x.dtype)
        before = xp.cumprod(xp.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
        after = xp.flip(
            xp.cumprod(xp.concatenate([ones, xp.flip(flat, -1)[..., :-1]], axis=-1), axis=-1), -1)
        others = before * after
        if ctx.dim is None:
            return grad * others.reshape(x.shape), None, None, None
        g = grad if ctx.keepdim else xp.expand_dims(grad, ctx.dim)
        return g * xp.moveaxis(others, -1, ctx.dim), None, None, None

    def name(self) -> str:  # PyTorch: prod() is ProdBackward0, prod(dim) ProdBackward1
        return "ProdBackward0" if self.dim is None else "ProdBackward1"


class Logsumexp(Function):
    r"""$y = \log\sum_i e^{x_i}$ (shifted by the max, so it never overflows);
    $\partial y/\partial x_i = e^{x_i - y}$, the softmax."""

    array_io = True

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        xp = array_module(x)
        x = as_float(x)
        ctx.dims, ctx.keepdim = dims, keepdim
        top = x.max(axis=dims, keepdims=True) if x.size else xp.zeros((1,) * x.ndim, x.dtype)
        top = xp.where(xp.isinf(top), 0, top)  # all -inf (or +inf): no shift
        with np.errstate(divide="ignore"):  # log(0) = -inf for an empty or all -inf row
            out = xp.log(xp.exp(x - top).sum(axis=dims, keepdims=True)) + top
        out = out if keepdim else out.squeeze(axis=dims)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        x, out = ctx.saved_tensors
        with np.errstate(invalid="ignore"):  # a row of -inf: -inf - -inf is nan, as in torch
            return _kept(grad, ctx.dims, ctx.keepdim) * xp.exp(
                x - _kept(out, ctx.dims, ctx.keepdim)), None, None
