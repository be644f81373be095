"""Arithmetic: ``+ - * / **`` and negation.

Each ``backward`` returns one gradient per input: the incoming gradient times the local
derivative. Broadcasting is undone by the engine (``autograd/broadcast.py``), not here.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..device import array_module


def _kept_for(other, value):
    """``value``, if ``other`` is a tensor that may need it for its gradient; else None.

    ``x * 2``: the number 2 never gets a gradient, so ``x`` need not be saved (as in PyTorch,
    which saves only what backward will use; it also lets ``y[0:1] = y[0:1] * 2`` work).
    """
    return None if type(other) is float or type(other) is int else value


class Add(Function):
    r"""$z = a + b$, so $\partial z/\partial a = 1$ and $\partial z/\partial b = 1$."""

    array_io = True
    elementwise = True

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Sub(Function):
    r"""$z = a - b$, so $\partial z/\partial a = 1$ and $\partial z/\partial b = -1$."""

    array_io = True
    elementwise = True

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, grad):
        return grad, -grad


class Mul(Function):
    r"""$z = a \cdot b$, so $\partial z/\partial a = b$ and $\partial z/\partial b = a$."""

    array_io = True
    elementwise = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(_kept_for(b, a), b)  # ``a`` only serves b's gradient
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * b, None if a is None else grad * a


class Div(Function):
    r"""$z = a / b$, so $\partial z/\partial a = 1/b$ and $\partial z/\partial b = -a/b^2$."""

    array_io = True
    elementwise = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(_kept_for(b, a), b)  # ``a`` only serves b's gradient
        return a / b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad / b, None if a is None else -grad * a / (b * b)


class Pow(Function):
    r"""$z = a^b$, so $\partial z/\partial a = b\,a^{b-1}$ and $\partial z/\partial b = a^b\ln a$.

    (The exponent's gradient needs $a > 0$; where $a = 0$ it is taken as 0, as in PyTorch.)
    """

    array_io = True
    elementwise = True
    input_names = ("self", "exponent")

    @staticmethod
    def forward(ctx, a, b):
        out = a**b
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        grad_a = grad * b * a ** (b - 1) if need_a else None
        grad_b = None
        if need_b:
            xp = array_module(out)
            with np.errstate(divide="ignore", invalid="ignore"):  # log(a < 0): nan, as in torch
                grad_b = grad * xp.where(a == 0, 0, out * xp.log(xp.where(a == 0, 1, a)))
        return grad_a, grad_b

    def name(
        self,
    ) -> str:  # PyTorch: tensor ** number is PowBackward0, tensor ** tensor PowBackward1
        return "PowBackward1" if self.inputs[1] is not None else "PowBackward0"


class Neg(Function):
    r"""$z = -a$, so $\partial z/\partial a = -1$."""

    array_io = True

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, grad):
        return -grad


# PyTorch wraps the number of ``x * 2`` into a tensor for these ops, so their ``next_functions``
# list ``(None, 0)`` for it (``x ** 2`` keeps the number as a plain argument: one entry).
for _op in (Add, Sub, Mul, Div):
    _op.wraps_numbers = True
