r"""Trigonometry: sin, cos, tan (the functions of PyTorch's polynomial-fitting tutorial), and the
angle and length of a point: atan2, hypot.

On paper: $\frac{d}{dx}\sin x = \cos x$, $\frac{d}{dx}\cos x = -\sin x$,
$\frac{d}{dx}\tan x = 1/\cos^2 x = 1 + \tan^2 x$. Integer inputs give floats, as in PyTorch.
"""

from __future__ import annotations

import numpy as np

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


class Atan2(Function):
    r"""$\theta = \operatorname{atan2}(y, x)$, the angle of the point $(x, y)$: $\partial\theta/
    \partial y = x / r^2$, $\partial\theta/\partial x = -y / r^2$ with $r^2 = x^2 + y^2$ (0 at
    the origin, where the angle has no slope to follow)."""

    array_io = True
    elementwise = True
    input_names = ("self", "other")

    @staticmethod
    def forward(ctx, y, x):
        ctx.save_for_backward(y, x)
        return array_module(y).arctan2(as_float(y), as_float(x))

    @staticmethod
    def backward(ctx, grad):
        y, x = ctx.saved_tensors
        xp = array_module(grad)
        r2 = x * x + y * y
        with np.errstate(divide="ignore"):
            inverse = xp.where(r2 == 0, 0.0, 1 / r2)
        return grad * x * inverse, grad * -y * inverse


class Hypot(Function):
    r"""$h = \sqrt{a^2 + b^2}$ (without overflow for large $a, b$): $\partial h/\partial a = a/h$,
    $\partial h/\partial b = b/h$."""

    array_io = True
    elementwise = True
    input_names = ("self", "other")

    @staticmethod
    def forward(ctx, a, b):
        h = array_module(a).hypot(a, b)
        ctx.save_for_backward(a, b, h)
        return h

    @staticmethod
    def backward(ctx, grad):
        a, b, h = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad * a / h, grad * b / h
