r"""More elementwise functions: log1p, expm1, erf, rsqrt, reciprocal.

``log1p`` and ``expm1`` are $\log(1+x)$ and $e^x - 1$ computed without losing the digits of a
tiny $x$ (``log(1 + 1e-10)`` rounds $1 + 10^{-10}$ first). ``erf`` is the Gauss error function
$\frac{2}{\sqrt\pi}\int_0^x e^{-t^2}dt$ (GELU and the normal CDF use it).
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function
from ..device import array_module, erf
from ..dtypes import as_float

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


class Log1p(Function):
    r"""$y = \log(1 + x)$, so $dy/dx = 1/(1 + x)$."""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):  # log1p(-1) = -inf, x < -1: nan
            return array_module(x).log1p(as_float(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (1 + x)

    @classmethod
    def name(cls) -> str:  # PyTorch capitalises the P
        return "Log1PBackward0"


class Expm1(Function):
    r"""$y = e^x - 1$, so $dy/dx = e^x = y + 1$."""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        y = array_module(x).expm1(as_float(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (y + 1)


class Erf(Function):
    r"""$y = \operatorname{erf} x$, so $dy/dx = \frac{2}{\sqrt\pi} e^{-x^2}$."""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return erf(as_float(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * _TWO_OVER_SQRT_PI * array_module(x).exp(-x * x)


class Rsqrt(Function):
    r"""$y = 1/\sqrt{x}$, so $dy/dx = -\tfrac12 x^{-3/2} = -\tfrac12 y^3$."""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore", invalid="ignore"):  # rsqrt(0) = inf, as in PyTorch
            y = 1 / array_module(x).sqrt(as_float(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return -0.5 * grad * y * y * y


class Reciprocal(Function):
    r"""$y = 1/x$, so $dy/dx = -1/x^2 = -y^2$."""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore"):  # 1/0 = inf, as in PyTorch
            y = 1 / as_float(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return -grad * y * y
