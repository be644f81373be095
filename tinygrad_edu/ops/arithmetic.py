"""Arithmetic: ``+ - * / **`` and negation.

Each ``backward`` returns one gradient per input: the incoming gradient times the local
derivative. Broadcasting is undone by the engine (``autograd/broadcast.py``), not here.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function
from ..autograd.select import select
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

    def name(self) -> str:  # PyTorch: ``1 - x`` runs rsub(x, 1)
        return "RsubBackward1" if self.inputs[0] is None else "SubBackward0"


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

    PyTorch's conventions at the edges: where $b = 0$ the base gets 0 (even at $a = 0$, where
    $0 \cdot 0^{-1}$ would be nan); where $a = 0$ and $b \ge 0$ the exponent gets 0 (the limit),
    while $a = 0$, $b < 0$ gives $\infty \cdot \ln 0 = -\infty$.
    Saved, as in PyTorch: the base and the exponent, plus the result when the exponent is a
    tensor (``tensor ** number`` is PowBackward0, ``tensor ** tensor`` PowBackward1,
    ``number ** tensor`` PowBackward2).
    """

    array_io = True
    elementwise = True
    input_names = ("self", "exponent")

    @staticmethod
    def forward(ctx, a, b):
        with np.errstate(divide="ignore", invalid="ignore"):  # 0 ** -1 = inf, as in torch
            out = _integer_power(a, b) if _negative_integer_exponents(a, b) else a**b
        ctx.save_for_backward(a, b, None if _is_number(b) else out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        xp = array_module(grad)
        grad_a = grad_b = None
        with np.errstate(divide="ignore", invalid="ignore"):  # 0 ** -1, log(0), log(a < 0)
            if need_a:
                grad_a = select(b != 0, grad * b * a ** (b - 1))
            if need_b:
                log_a = math.log(a) if _is_number(a) and a > 0 else xp.log(a)
                base_is_zero = xp.logical_and(a == 0, b >= 0)  # the limit there is 0
                grad_b = select(xp.logical_not(base_is_zero), grad * out * log_a)
        return grad_a, grad_b

    def name(self) -> str:
        if self.inputs[0] is None:
            return "PowBackward2"
        return "PowBackward1" if self.inputs[1] is not None else "PowBackward0"


def _negative_integer_exponents(a, b) -> bool:
    """An integer tensor of exponents with negatives in it, on an integer base (NumPy refuses
    those; PyTorch computes them, and refuses only a negative *number* exponent)."""
    if _is_number(b) or b.dtype.kind not in "iu":
        return False
    base_kind = "i" if type(a) is int else getattr(a, "dtype", np.dtype(float)).kind
    return base_kind in "iu" and bool((b < 0).any())


def _integer_power(a, b):
    """PyTorch's integers to integer powers: ``a ** b`` where b >= 0; for b < 0 the truncated
    result is 1 for a = 1, +-1 for a = -1 (by the parity of b), and 0 otherwise (also a = 0)."""
    xp = array_module(b)
    out = a ** xp.where(b < 0, 0, b)
    minus_one = xp.where(b % 2 == 0, 1, -1)
    small = xp.where(a == 1, 1, xp.where(a == -1, minus_one, 0)).astype(out.dtype)
    return xp.where(b < 0, small, out)


def _is_number(x) -> bool:
    return type(x) is float or type(x) is int or type(x) is bool


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
