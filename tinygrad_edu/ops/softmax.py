r"""Softmax and log-softmax along a dim, written to stay finite for huge logits.

$\mathrm{softmax}(x)_i = e^{x_i} / \sum_j e^{x_j}$. Subtracting $\max_j x_j$ first changes
nothing mathematically but keeps every $e^{\cdot} \le 1$, so logits of 1e4 do not overflow.
"""

from __future__ import annotations

from ..autograd.function import Function
from ..device import array_module


class LogSoftmax(Function):
    r"""$y = x - \log\sum_j e^{x_j}$; backward: $g - e^{y} \sum_j g_j$."""

    array_io = True

    @staticmethod
    def forward(ctx, x, dim):
        xp = array_module(x)
        ctx.dim = dim
        if x.size == 0:  # nothing to normalise (NumPy's max refuses an empty axis)
            ctx.save_for_backward(x)
            return x.copy()
        shifted = x - x.max(axis=dim, keepdims=True)
        y = shifted - xp.log(xp.exp(shifted).sum(axis=dim, keepdims=True))
        ctx.dim = dim
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        xp = array_module(y)
        return grad - xp.exp(y) * grad.sum(axis=ctx.dim, keepdims=True), None


class Softmax(Function):
    r"""$s = e^{x - \max x} / \sum_j e^{x_j - \max x}$; backward: $s \odot (g - \sum_j g_j s_j)$."""

    array_io = True

    @staticmethod
    def forward(ctx, x, dim):
        xp = array_module(x)
        ctx.dim = dim
        if x.size == 0:
            ctx.save_for_backward(x)
            return x.copy()
        e = xp.exp(x - x.max(axis=dim, keepdims=True))
        s = e / e.sum(axis=dim, keepdims=True)
        ctx.dim = dim
        ctx.save_for_backward(s)
        return s

    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        return s * (grad - (grad * s).sum(axis=ctx.dim, keepdims=True)), None
