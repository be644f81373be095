"""Choosing between values: maximum, minimum, clamp, where.

Their gradients *route* the incoming gradient to whichever input was chosen. (Comparisons such as
``a < b`` return bool tensors and have no gradient; they live on Tensor itself.)
"""

from __future__ import annotations

from ..autograd.function import Function
from ..device import array_module


class Maximum(Function):
    """``max(a, b)`` elementwise: the gradient goes to the larger input (split evenly on ties)."""

    array_io = True
    elementwise = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return array_module(a).maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        share = (a > b) + 0.5 * (a == b)
        return grad * share, grad * (1 - share)


class Minimum(Function):
    """``min(a, b)`` elementwise: the gradient goes to the smaller input (split evenly on ties)."""

    array_io = True
    elementwise = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return array_module(a).minimum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        share = (a < b) + 0.5 * (a == b)
        return grad * share, grad * (1 - share)


class Clamp(Function):
    """Clip ``x`` into [low, high]: the gradient passes where x was inside (edges included)."""

    array_io = True
    input_names = ("self", "min", "max")

    @staticmethod
    def forward(ctx, x, low, high):
        ctx.save_for_backward(x)
        ctx.low, ctx.high = low, high
        return array_module(x).clip(x, low, high)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        inside = True
        if ctx.low is not None:
            inside = inside & (x >= ctx.low)
        if ctx.high is not None:
            inside = inside & (x <= ctx.high)
        return grad * inside, None, None

    def name(self) -> str:  # PyTorch's node for clamp with number bounds
        return "ClampBackward1"


class Where(Function):
    """``where(cond, a, b)``: a where cond is True, else b; each side gets the gradient it chose."""

    array_io = True
    elementwise = True
    input_names = ("condition", "self", "other")

    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.cond = cond
        return array_module(cond).where(cond, a, b)

    @staticmethod
    def backward(ctx, grad):
        return None, grad * ctx.cond, grad * ~ctx.cond
