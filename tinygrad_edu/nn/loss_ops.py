r"""Two losses as single autograd nodes (PyTorch: ``BinaryCrossEntropyBackward0``,
``SmoothL1LossBackward0``), each with its ``reduction`` ("mean", "sum" or "none") inside.

**Binary cross-entropy** on probabilities $x \in [0, 1]$ and targets $y$:
$\ell = -w\,[y\log x + (1-y)\log(1-x)]$, with each $\log$ clamped at $-100$ so $x = 0$ or $1$
gives a large finite loss instead of ``inf``. $\partial\ell/\partial x = w\,\frac{x - y}{x(1-x)}$
(the denominator kept $\ge 10^{-12}$) and $\partial\ell/\partial y = w\,[\log(1-x) - \log x]$.

**Smooth L1 (Huber-like)** on $d = x - y$: $\ell = \frac{d^2}{2\beta}$ where $|d| < \beta$,
else $|d| - \frac\beta2$: quadratic near 0 (smooth), linear far away (robust to outliers).
$\partial\ell/\partial x = d/\beta$ or $\mathrm{sign}(d)$;
$\partial\ell/\partial y$ is its negative.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..device import array_module


def _reduce(losses, reduction):
    if reduction == "none":
        return losses
    return losses.sum() if reduction == "sum" else losses.mean()


def _grad_of_reduction(grad, losses_size, reduction):
    return grad if reduction == "sum" or reduction == "none" else grad / max(losses_size, 1)


class BinaryCrossEntropy(Function):
    r"""$-w\,[y\log x + (1-y)\log(1-x)]$, logs clamped at $-100$."""

    array_io = True

    @staticmethod
    def forward(ctx, x, y, weight, reduction):
        xp = array_module(x)
        with np.errstate(divide="ignore"):  # log(0) = -inf, then clamped to -100
            log_x = xp.maximum(xp.log(x), -100)
            log_1mx = xp.maximum(xp.log1p(-x), -100)
        losses = -(y * log_x + (1 - y) * log_1mx)
        if weight is not None:
            losses = losses * weight
        ctx.save_for_backward(x, y, weight)  # only inputs: a create_graph backward needs them
        ctx.reduction, ctx.count = reduction, x.size
        return _reduce(losses, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y, weight = ctx.saved_tensors
        xp = array_module(x)
        grad = _grad_of_reduction(grad, ctx.count, ctx.reduction)
        w = grad if weight is None else grad * weight
        need_x, need_y = ctx.needs_input_grad[:2]
        grad_x = w * (x - y) / xp.maximum(x * (1 - x), 1e-12) if need_x else None
        grad_y = None
        if need_y:
            with np.errstate(divide="ignore"):
                grad_y = w * (xp.maximum(xp.log1p(-x), -100) - xp.maximum(xp.log(x), -100))
        return grad_x, grad_y, None, None


class SmoothL1Loss(Function):
    r"""$d^2/(2\beta)$ where $|d| < \beta$, else $|d| - \beta/2$, with $d = x - y$."""

    array_io = True

    @staticmethod
    def forward(ctx, x, y, reduction, beta):
        xp = array_module(x)
        d = x - y
        small = xp.abs(d) < beta
        losses = xp.where(small, 0.5 * d * d / (beta or 1), xp.abs(d) - 0.5 * beta)
        ctx.save_for_backward(x, y, small)  # inputs, not d: a create_graph backward needs them
        ctx.reduction, ctx.beta, ctx.count = reduction, beta, d.size
        return _reduce(losses, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y, small = ctx.saved_tensors
        d = x - y
        xp = array_module(d)
        grad = _grad_of_reduction(grad, ctx.count, ctx.reduction)
        local = xp.where(small, d / (ctx.beta or 1), xp.sign(d))
        return grad * local, -(grad * local), None, None


class HuberLoss(SmoothL1Loss):
    r"""$d^2/2$ where $|d| < \delta$, else $\delta(|d| - \delta/2)$, with $d = x - y$: smooth L1
    with $\beta = \delta$, times $\delta$, so the slope far out is $\pm\delta$, not $\pm 1$."""

    @staticmethod
    def forward(ctx, x, y, reduction, delta):
        return SmoothL1Loss.forward(ctx, x, y, reduction, delta) * delta

    @staticmethod
    def backward(ctx, grad):
        return SmoothL1Loss.backward(ctx, grad * ctx.beta)
