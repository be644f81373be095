r"""Trigonometry: sin, cos, tan (the functions of PyTorch's polynomial-fitting tutorial).

On paper: $\frac{d}{dx}\sin x = \cos x$, $\frac{d}{dx}\cos x = -\sin x$,
$\frac{d}{dx}\tan x = 1/\cos^2 x = 1 + \tan^2 x$. Integer inputs give floats, as in PyTorch.
"""

from __future__ import annotations

from ..autograd.function import Function
from ..device import array_module
from ..dtypes import as_float


class Sin(Function):
    r"""$y = \sin x$, so $dy/dx = \cos x$."""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module(x).sin(as_float(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * array_module(x).cos(x)


class Cos(Function):
    r"""$y = \cos x$, so $dy/dx = -\sin x$."""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module(x).cos(as_float(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -grad * array_module(x).sin(x)


class Tan(Function):
    r"""$y = \tan x$, so $dy/dx = 1 + \tan^2 x = 1 + y^2$."""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        y = array_module(x).tan(as_float(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (1 + y * y)
