r"""The autograd Functions that ``nn`` adds to the core ops, each one node in the graph.

Each could be written with core ops (``x @ W.T + b`` is three nodes), and the result would be the
same. One node per layer is faster (one Python call instead of three) and its backward can skip
work the graph does not need, e.g. the gradient of the input images. PyTorch does the same:
``Linear`` shows up as ``AddmmBackward0``, ``cross_entropy`` as ``NllLossBackward0``, ``mse_loss``
as ``MseLossBackward0`` and ``binary_cross_entropy_with_logits`` as
``BinaryCrossEntropyWithLogitsBackward0``, reduction included.
"""
from __future__ import annotations

import math

from ..autograd.function import Function
from ..device import array_module


class Addmm(Function):
    r"""A linear layer, $Y = b + X W^T$ with $b$: (out,), $X$: (N, in), $W^T$: (in, out).

    As in PyTorch, the layer passes ``weight.t()`` (a ``TBackward0`` node in the graph), so the
    node's inputs are (bias, input, weight.t()). Backward, with $G = \partial L / \partial Y$:
    $\nabla_b = \sum_n G_n$ (b was added to every row), $\nabla_X = G W$,
    $\nabla_{W^T} = X^T G$.
    """

    array_io = True
    input_names = ("self", "mat1", "mat2")  # PyTorch's addmm(self, mat1, mat2)

    @staticmethod
    def forward(ctx, bias, x, weight_t):
        out = x @ weight_t  # BLAS reads W transposed where it lies: no copy
        out += bias
        ctx.save_for_backward(x, weight_t)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight_t = ctx.saved_tensors
        need_b, need_x, need_w = ctx.needs_input_grad
        grad_b = grad.sum(axis=0) if need_b else None
        grad_x = grad @ weight_t.T if need_x else None
        grad_w = x.T @ grad if need_w else None
        return grad_b, grad_x, grad_w


class NllLoss(Function):
    r"""Negative log-likelihood: pick $-\log p_{n, t_n}$, the log-probability of each true class.

    Forward: $\ell_n = -w_{t_n} \log p_{n, t_n}$, then the mean $\sum_n \ell_n / \sum_n w_{t_n}$,
    the sum, or every $\ell_n$ (``reduction``). Samples whose target is ``ignore_index`` count 0.
    Backward: the gradient is zero except at the picked places, where it is $-w_{t_n}$ (over the
    weight sum for the mean). Input: log-probabilities (N, C); target: class indices (N,).
    """

    array_io = True

    @staticmethod
    def forward(ctx, logp, target, weight, ignore_index, reduction):
        xp = array_module(logp)
        rows = xp.arange(logp.shape[0])
        keep = target != ignore_index
        safe = xp.where(keep, target, 0)
        w = (weight[safe] if weight is not None else xp.ones(safe.shape, logp.dtype)) * keep
        losses = -logp[rows, safe] * w
        ctx.rows, ctx.safe, ctx.w, ctx.shape, ctx.reduction = rows, safe, w, logp.shape, reduction
        if reduction == "none":
            return losses
        if reduction == "sum":
            return losses.sum()
        ctx.total = w.sum()
        return losses.sum() / ctx.total

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        scale = -ctx.w if ctx.reduction != "mean" else -ctx.w / ctx.total
        full = xp.zeros(ctx.shape, dtype=grad.dtype)
        full[ctx.rows, ctx.safe] = scale * grad  # (setitem casts to full's dtype)
        return full, None, None, None, None


class BinaryCrossEntropyWithLogits(Function):
    r"""Per-element $\ell = (1 - y)\,x + (1 + (p - 1)\,y)\,\mathrm{softplus}(-x)$, $p$ = pos_weight,
    times the class ``weight`` $w$, then reduced (mean, sum or none).

    With $p = 1$ this is $-[y \log\sigma(x) + (1-y)\log(1-\sigma(x))]$. It is computed with
    $\mathrm{softplus}(-x) = \log(1 + e^{-|x|}) + \max(-x, 0)$, where $e^{\cdot} \le 1$, so
    logits of $\pm 10^4$ give finite losses instead of ``inf``/``nan``.
    Backward: $\partial\ell/\partial x = w[(1 - y) - (1 + (p-1) y)\,\sigma(-x)]$, which for
    $p=1$, $w=1$ is the famous $\sigma(x) - y$; and
    $\partial\ell/\partial y = w[-x + (p-1)\,\mathrm{softplus}(-x)]$.
    """

    array_io = True

    @staticmethod
    def forward(ctx, x, y, weight, pos_weight, reduction):
        ctx.save_for_backward(x, y, weight, pos_weight)
        ctx.reduction = reduction
        losses = (1 - y) * x + _coef(y, pos_weight) * _softplus_neg(x)
        if weight is not None:
            losses = losses * weight
        return _reduce(losses, reduction)

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        x, y, weight, pos_weight = ctx.saved_tensors
        need_x, need_y, need_w, need_p, _ = ctx.needs_input_grad
        g = _spread(grad, x, ctx.reduction)
        if weight is not None:
            g = g * weight
        sigmoid_neg = xp.exp(-xp.logaddexp(0, x))  # sigma(-x), stable for both signs
        grad_x = g * ((1 - y) - _coef(y, pos_weight) * sigmoid_neg) if need_x else None
        grad_y = None
        if need_y:
            pw = 1 if pos_weight is None else pos_weight
            grad_y = g * (-x + (pw - 1) * _softplus_neg(x))
        grad_w = None
        if need_w:
            losses = (1 - y) * x + _coef(y, pos_weight) * _softplus_neg(x)
            grad_w = _spread(grad, x, ctx.reduction) * losses
        grad_p = g * y * _softplus_neg(x) if need_p else None
        return grad_x, grad_y, grad_w, grad_p, None


class MseLoss(Function):
    r"""Mean squared error: $\ell = \frac1n\sum_i (x_i - y_i)^2$ (or the sum, or every term).

    Backward: $\partial\ell/\partial x_i = \frac2n (x_i - y_i)$ and
    $\partial\ell/\partial y_i = -\frac2n (x_i - y_i)$.
    """

    array_io = True
    input_names = ("self", "target")

    @staticmethod
    def forward(ctx, x, y, reduction):
        ctx.save_for_backward(x, y)
        ctx.reduction = reduction
        diff = x - y
        return _reduce(diff * diff, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        diff = x - y
        g = 2 * _spread(grad, diff, ctx.reduction) * diff
        need_x, need_y, _ = ctx.needs_input_grad
        return (g if need_x else None), (-g if need_y else None), None


def _softplus_neg(x):
    r"""$\mathrm{softplus}(-x) = \log(1 + e^{-x})$, written so that it never overflows."""
    xp = array_module(x)
    return xp.log1p(xp.exp(-abs(x))) + xp.maximum(-x, 0)


def _coef(y, pos_weight):
    return 1 if pos_weight is None else 1 + (pos_weight - 1) * y


def _reduce(losses, reduction):
    if reduction == "none":
        return losses
    return losses.sum() if reduction == "sum" else losses.mean()


def _spread(grad, like, reduction):
    """The gradient of each element's loss: the incoming one, over n for a mean."""
    if reduction == "none":
        return grad
    n = math.prod(like.shape)  # (not like.size: a method on Tensors, under create_graph)
    return grad / n if reduction == "mean" else grad + 0 * like
