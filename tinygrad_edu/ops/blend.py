r"""Elementwise helpers from everyday training code: ``lerp``, ``nan_to_num``, ``xlogy``.

``lerp(a, b, w)`` $= a + w\,(b - a)$ walks from ``a`` (at $w = 0$) to ``b`` (at $w = 1$): an
exponential moving average is ``avg.lerp_(x, 0.1)``. ``nan_to_num`` replaces nan, +inf and
-inf by finite numbers (0 and the dtype's largest and smallest by default). ``xlogy(x, y)`` is
$x \log y$ with $0 \log 0 = 0$: entropies and KL divergences need it.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.select import select
from ..device import array_module


class Lerp(Function):
    r"""$y = a + w(b - a)$: $\partial y/\partial a = 1 - w$, $\partial y/\partial b = w$,
    $\partial y/\partial w = b - a$."""

    array_io = True
    elementwise = True
    input_names = ("self", "end", "weight")

    @staticmethod
    def forward(ctx, a, b, w):
        ctx.save_for_backward(a, b, w)
        return a + w * (b - a)

    @staticmethod
    def backward(ctx, grad):
        a, b, w = ctx.saved_tensors
        need_a, need_b, need_w = ctx.needs_input_grad
        return (grad * (1 - w) if need_a else None, grad * w if need_b else None,
                grad * (b - a) if need_w else None)

    def name(self) -> str:  # PyTorch: a number weight is LerpBackward0, a tensor weight 1
        return "LerpBackward1" if self.inputs[2] is not None else "LerpBackward0"


class NanToNum(Function):
    r"""nan, +inf, -inf replaced by finite numbers; the gradient passes where $x$ was finite
    and is exactly 0 where it was replaced."""

    array_io = True

    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        xp = array_module(x)
        ctx.save_for_backward(x)
        return xp.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        with np.errstate(invalid="ignore"):
            return select(array_module(x).isfinite(x), grad), None, None, None


class Xlogy(Function):
    r"""$x \log y$, and exactly 0 where $x = 0$ (even at $y = 0$: the entropy convention
    $0 \log 0 = 0$), nan where $y$ is nan. Grads, as PyTorch defines them: $\log y$ (0 where
    $x = 0$ and $y \le 0$), and $x / y$."""

    array_io = True
    elementwise = True
    input_names = ("self", "other")

    @staticmethod
    def forward(ctx, x, y):
        xp = array_module(x if hasattr(x, "dtype") else y)
        ctx.save_for_backward(x, y)
        with np.errstate(divide="ignore", invalid="ignore"):
            product = xp.where(xp.asarray(x) == 0, 0.0, x * xp.log(y))
            return xp.where(xp.isnan(y), xp.nan, product)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        xp = array_module(grad)
        need_x, need_y = ctx.needs_input_grad
        grad_x = grad_y = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if need_x:
                grad_x = select(grad != 0, grad * xp.log(y))  # xlogy(grad, y)
                grad_x = select(xp.logical_not((xp.asarray(x) == 0) & (y <= 0)), grad_x)
            if need_y:
                grad_y = grad * x / y
        return grad_x, grad_y

    def name(self) -> str:  # PyTorch: (tensor, tensor) 0, (number, tensor) 1, (tensor, number) 2
        if self.inputs[0] is None:
            return "XlogyBackward1"
        return "XlogyBackward0" if self.inputs[1] is not None else "XlogyBackward2"
