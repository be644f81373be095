r"""Spread and size: variance, standard deviation and the vector p-norm.

Each is one node, as in PyTorch (VarBackward0, StdBackward0, LinalgVectorNormBackward0), so its
backward can treat the point where the value is 0 the way PyTorch does: a constant feature has
std 0 and the zero vector has norm 0, and there the gradient is 0 (the formula alone would
divide by 0 and give nan).
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function
from ..autograd.select import select
from ..device import array_module


def _restore(grad, dims, keepdim):
    """Give ``grad`` back the reduced dimensions (size 1) so it broadcasts against the input."""
    if keepdim or dims is None:
        return grad
    return array_module(grad).expand_dims(grad, dims)


def _count(x, dims) -> int:
    """How many elements each reduced value summarises."""
    if dims is None:
        return math.prod(x.shape)
    return math.prod(x.shape[d] for d in dims)


class Var(Function):
    r"""$v = \frac{1}{n - c}\sum_i (x_i - \bar x)^2$, so $\partial v/\partial x_i =
    \frac{2}{n - c}(x_i - \bar x)$ ($c$ = ``correction``; 1 is Bessel's, the default)."""

    array_io = True

    @staticmethod
    def forward(ctx, x, dims, correction, keepdim):
        ctx.dims, ctx.correction, ctx.keepdim = dims, correction, keepdim
        ctx.save_for_backward(x)
        centred = x - x.mean(axis=dims, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):  # n <= correction: inf, as in torch
            return (centred * centred).sum(axis=dims, keepdims=keepdim) / max(
                _count(x, dims) - correction, 0
            )

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return _var_backward(ctx, grad, x), None, None, None


def _var_backward(ctx, grad, x):
    centred = x - x.mean(axis=ctx.dims, keepdims=True)
    dof = _count(x, ctx.dims) - ctx.correction
    scale = 2.0 / dof if dof else math.inf  # no degrees of freedom: inf, as in torch
    return scale * _restore(grad, ctx.dims, ctx.keepdim) * centred


class Std(Function):
    r"""$s = \sqrt{v}$, so $\partial s/\partial x_i = \frac{1}{2s}\,\partial v/\partial x_i$,
    taken as 0 where $s = 0$ (as in PyTorch; saved: the input and the result)."""

    array_io = True

    @staticmethod
    def forward(ctx, x, dims, correction, keepdim):
        out = array_module(x).sqrt(Var.forward(ctx, x, dims, correction, keepdim))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            grad_var = select(out != 0, grad / (2 * out))
        return _var_backward(ctx, grad_var, x), None, None, None


class Norm(Function):
    r"""The vector p-norm $\|x\|_p = (\sum_i |x_i|^p)^{1/p}$ over ``dims``.

    $\partial \|x\|_p / \partial x_i = \mathrm{sign}(x_i)\,|x_i|^{p-1} / \|x\|_p^{p-1}$, with
    PyTorch's special cases: $p = 2$ gives $x_i / \|x\|$; $p = \infty$ shares the gradient
    among the entries of largest $|x_i|$; and at a zero norm the gradient is 0.
    """

    array_io = True

    @staticmethod
    def forward(ctx, x, p, dims, keepdim):
        ctx.p, ctx.dims, ctx.keepdim = p, dims, keepdim
        xp = array_module(x)
        a = abs(x)
        if p == float("inf"):
            out = a.max(axis=dims, keepdims=keepdim)
        elif p == -float("inf"):
            out = a.min(axis=dims, keepdims=keepdim)
        elif p == 0:
            out = (x != 0).sum(axis=dims, keepdims=keepdim).astype(x.dtype)
        elif p == 1:
            out = a.sum(axis=dims, keepdims=keepdim)
        elif p == 2:
            out = xp.sqrt((x * x).sum(axis=dims, keepdims=keepdim))
        else:
            out = ((a**p).sum(axis=dims, keepdims=keepdim)) ** (1 / p)
        out = xp.asarray(out)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, norm = ctx.saved_tensors
        xp = array_module(grad)
        p = ctx.p
        grad, norm = _restore(grad, ctx.dims, ctx.keepdim), _restore(norm, ctx.dims, ctx.keepdim)
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == 0:
                return xp.zeros_like(x), None, None, None
            if p == 1:
                return grad * xp.sign(x), None, None, None
            if p == 2:
                return grad * select(norm != 0, x / norm), None, None, None
            if abs(p) == float("inf"):
                winners = abs(x) == norm
                count = winners.sum(axis=ctx.dims, keepdims=True, dtype=grad.dtype)
                return xp.sign(x) * select(winners, grad / count), None, None, None
            if p < 1:
                scaled = select(x != 0, xp.sign(x) * abs(x) ** (p - 1))
            elif p < 2:
                scaled = xp.sign(x) * abs(x) ** (p - 1)
            else:
                scaled = x * abs(x) ** (p - 2)
            return scaled * select(norm != 0, grad / norm ** (p - 1)), None, None, None

    def name(self) -> str:
        return "LinalgVectorNormBackward0"
