r"""Two elementwise helpers from everyday training code: ``lerp`` and ``nan_to_num``.

``lerp(a, b, w)`` $= a + w\,(b - a)$ walks from ``a`` (at $w = 0$) to ``b`` (at $w = 1$): an
exponential moving average is ``avg.lerp_(x, 0.1)``. ``nan_to_num`` replaces nan, +inf and
-inf by finite numbers (0 and the dtype's largest and smallest by default).
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
