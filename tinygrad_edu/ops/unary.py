"""Elementwise functions of one tensor: exp, log, sqrt, tanh, sigmoid, relu, abs.

Each saves what PyTorch saves: the *output* where the derivative is easiest in terms of it
(exp, sqrt, tanh, sigmoid, relu), otherwise the input (log, abs).
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.select import select
from ..device import array_module


class Exp(Function):
    r"""$y = e^x$, so $dy/dx = e^x = y$."""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        y = array_module(x).exp(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * y


class Log(Function):
    r"""$y = \ln x$, so $dy/dx = 1/x$."""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module(x).log(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / x


class Sqrt(Function):
    r"""$y = \sqrt{x}$, so $dy/dx = 1 / (2\sqrt{x}) = 1/(2y)$."""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        y = array_module(x).sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad / (2 * y)


class Tanh(Function):
    r"""$y = \tanh x$, so $dy/dx = 1 - \tanh^2 x = 1 - y^2$."""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        y = array_module(x).tanh(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (1 - y * y)


class Sigmoid(Function):
    r"""$y = 1/(1+e^{-x})$, so $dy/dx = y(1-y)$.

    Computed just so, as PyTorch does: for very negative $x$, $e^{-x}$ overflows to inf and
    $y$ is exactly 0 (float32 from $x < -88.7$), which is the right limit.
    """

    array_io = True

    @staticmethod
    def forward(ctx, x):
        xp = array_module(x)
        with np.errstate(over="ignore"):  # e^{-x} = inf: y = 1/inf = 0
            y = 1 / (1 + xp.exp(-x))
        if x.dtype.kind == "f":  # NumPy computes float16 in float32; ints become floats
            y = y.astype(x.dtype, copy=False)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * y * (1 - y)


class Relu(Function):
    r"""$y = \max(x, 0)$, so $dy/dx = 1$ where $x > 0$, else $0$.

    The gradient is *selected* (``select`` is ``where(keep, grad, 0)``), not multiplied by a
    mask: where $x \le 0$ it is exactly 0 even when the incoming gradient is $\infty$
    (``relu(x) ** -1``), as in PyTorch.
    Like PyTorch, relu saves its output ($y > 0$ exactly where $x > 0$).
    """

    array_io = True
    mask_from_saved = True  # the second derivative is 0, and requires grad (as in PyTorch)

    @staticmethod
    def forward(ctx, x):
        y = array_module(x).maximum(x, 0)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return select(y > 0, grad)


class Abs(Function):
    r"""$y = |x|$, so $dy/dx = \operatorname{sign}(x)$ (0 at 0, and 0 at nan, like PyTorch)."""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return abs(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return select(x == x, grad * array_module(x).sign(x))  # x == x: not nan
