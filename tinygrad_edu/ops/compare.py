"""Choosing between values: maximum, minimum, clamp, where.

Their gradients *route* the incoming gradient to whichever input was chosen. (Comparisons such as
``a < b`` return bool tensors and have no gradient; they live on Tensor itself.)
"""

from __future__ import annotations

from ..autograd.function import Function
from ..autograd.select import select
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
        xp = array_module(grad)
        shared = select(a == b, grad / 2) + select(a != b, grad)  # a tie splits the gradient
        # PyTorch's rule: each side gets it unless it is the smaller one, so where a nan takes
        # part (no side is smaller) both get it, and the nan spreads as it does in PyTorch
        return select(xp.logical_not(a < b), shared), select(xp.logical_not(b < a), shared)


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
        xp = array_module(grad)
        shared = select(a == b, grad / 2) + select(a != b, grad)  # a tie splits the gradient
        return select(xp.logical_not(a > b), shared), select(xp.logical_not(b > a), shared)


class Clamp(Function):
    """Clip ``x`` into [low, high] (numbers or tensors; either may be None).

    The gradient is selected, as in PyTorch: x gets it where ``low <= x <= high`` (edges
    included); a tensor ``low`` where x was below it, a tensor ``high`` where x was above it
    (or everywhere ``high < low``, since the result is then ``high``).
    """

    array_io = True
    elementwise = True  # the result has PyTorch's result_type of x, low and high
    input_names = ("self", "min", "max")

    @staticmethod
    def forward(ctx, x, low, high):
        ctx.save_for_backward(x, low, high)
        xp = array_module(x)
        out = x if low is None else xp.maximum(x, low)
        return out if high is None else xp.minimum(out, high)

    @staticmethod
    def backward(ctx, grad):
        x, low, high = ctx.saved_tensors
        need_x, need_low, need_high = ctx.needs_input_grad
        xp = array_module(grad)
        grad_x = grad_low = grad_high = None
        if need_x:
            inside = True
            if low is not None:
                inside = xp.logical_and(inside, x >= low)
            if high is not None:
                inside = xp.logical_and(inside, x <= high)
            grad_x = select(inside, grad)
        if need_low:
            below = x < low if high is None else xp.logical_and(x < low, low < high)
            grad_low = select(below, grad)
        if need_high:
            above = x > high if low is None else xp.logical_or(x > high, high < low)
            grad_high = select(above, grad)
        return grad_x, grad_low, grad_high

    def name(self) -> str:  # PyTorch: ClampBackward1 for number bounds, 0 for tensor bounds
        return "ClampBackward1" if self.inputs[1] is None and self.inputs[2] is None else (
            "ClampBackward0"
        )


class Where(Function):
    """``where(cond, a, b)``: a where cond is True, else b; each side gets the gradient it chose."""

    array_io = True
    elementwise = True
    input_names = ("condition", "self", "other")
    wraps_numbers = True  # where(c, x, 0.0): torch lists the number as (None, 0)

    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.save_for_backward(cond)
        return array_module(cond).where(cond, a, b)

    @staticmethod
    def backward(ctx, grad):
        (cond,) = ctx.saved_tensors
        return None, select(cond, grad), select(~cond, grad)
