r"""Rounding and remainders: floor, ceil, round, trunc, sign, ``%`` and ``//``.

Rounding functions are flat steps: their derivative is 0 almost everywhere (and undefined on
the jumps), so PyTorch's backward, and ours, returns zeros. ``a % b`` is
$a - b\lfloor a/b \rfloor$ (the sign of ``b``, like Python), so $\partial/\partial a = 1$ and
$\partial/\partial b = -\lfloor a/b \rfloor$. Integer inputs round to themselves.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..device import array_module


class _Step(Function):
    """A function made of flat steps: the gradient is 0 everywhere (``xp.zeros_like``)."""

    array_io = True
    step = "floor"

    @classmethod
    def forward(cls, ctx, x):
        if x.dtype.kind == "b":
            raise NotImplementedError(f'"{cls.step}" not implemented for \'Bool\'')
        if x.dtype.kind in "iu":  # integers are already whole numbers
            return x.copy()
        return getattr(array_module(x), cls.step)(x)

    @staticmethod
    def backward(ctx, grad):
        return array_module(grad).zeros_like(grad)


class Floor(_Step):
    r"""$\lfloor x \rfloor$, the largest whole number $\le x$; gradient 0."""

    step = "floor"


class Ceil(_Step):
    r"""$\lceil x \rceil$, the smallest whole number $\ge x$; gradient 0."""

    step = "ceil"


class Trunc(_Step):
    """``x`` with its fractional part dropped (towards 0); gradient 0."""

    step = "trunc"


class Sign(_Step):
    """-1, 0 or +1 as x is negative, zero or positive (0 for nan, as PyTorch); gradient 0."""

    step = "sign"

    @classmethod
    def forward(cls, ctx, x):
        if x.dtype.kind == "b":  # sign(True) is True
            return x.copy()
        xp = array_module(x)
        return xp.where(x != x, 0, xp.sign(x)).astype(x.dtype, copy=False)  # sign(nan) = 0


class Round(Function):
    """Round half to even (``round(2.5) = 2``), to ``decimals`` places; gradient 0."""

    array_io = True

    @staticmethod
    def forward(ctx, x, decimals):
        ctx.decimals = decimals
        if x.dtype.kind in "iub":
            if decimals != 0 or x.dtype.kind == "b":
                raise NotImplementedError(f'"round" not implemented for \'{x.dtype}\'')
            return x.copy()
        return array_module(x).round(x, decimals)

    @staticmethod
    def backward(ctx, grad):
        return array_module(grad).zeros_like(grad), None

    def name(self) -> str:  # PyTorch: round() is RoundBackward0, round(decimals=d) RoundBackward1
        return "RoundBackward0" if self.decimals == 0 else "RoundBackward1"


class Remainder(Function):
    r"""$a \bmod b = a - b \lfloor a/b \rfloor$ (result has b's sign); grads $1$ and
    $-\lfloor a/b \rfloor$."""

    array_io = True
    elementwise = True
    kernel, rounding = "remainder", "floor"  # NumPy's names for the op and its rounding

    @staticmethod
    def forward(ctx, a, b):
        _refuse_bools(a, b, ctx.kernel)
        _check_integer_division(a, b)
        ctx.save_for_backward(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):  # x % 0.0 is nan, as in PyTorch
            return getattr(array_module(a), ctx.kernel)(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad, -grad * getattr(array_module(grad), ctx.rounding)(a / b)

    def name(self) -> str:  # PyTorch: x % number is RemainderBackward0, x % tensor 1
        return f"{self._op_name}Backward{1 if self.inputs[1] is not None else 0}"


class Fmod(Remainder):
    r"""$\mathrm{fmod}(a, b) = a - b\,\mathrm{trunc}(a/b)$ (C's fmod: the result has a's sign);
    grads $1$ and $-\mathrm{trunc}(a/b)$."""

    kernel, rounding = "fmod", "trunc"


class FloorDivide(Function):
    r"""$\lfloor a / b \rfloor$. PyTorch defines no derivative for it: backward raises."""

    array_io = True
    elementwise = True

    @staticmethod
    def forward(ctx, a, b):
        _refuse_bools(a, b, "div_floor")
        _check_integer_division(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return array_module(a).floor_divide(a, b)

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")

    @classmethod
    def name(cls) -> str:  # PyTorch's node for an op without a derivative
        return "NotImplemented"


class RoundedDiv(Function):
    r"""``div(a, b, rounding_mode="floor" | "trunc")``: $a/b$ rounded to an integer. A step
    function of both inputs, so both gradients are 0 (PyTorch's DivBackward2)."""

    array_io = True
    elementwise = True

    @staticmethod
    def forward(ctx, a, b, mode):
        _refuse_bools(a, b, f"div_{mode}")
        _check_integer_division(a, b)
        xp = array_module(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            if mode == "floor":
                return xp.floor_divide(a, b)
            floats = any(getattr(v, "dtype", None) is not None and v.dtype.kind == "f"
                         or type(v) is float for v in (a, b))
            if floats:
                return xp.trunc(xp.true_divide(a, b))
            q = xp.floor_divide(a, b)  # integers: floor, then step back towards 0
            return q + ((q < 0) & (q * b != a))

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        zero = xp.zeros_like(grad)
        return zero, zero, None

    def name(self) -> str:
        return "DivBackward2"


def _refuse_bools(a, b, op: str) -> None:
    """``%`` and ``fmod`` of two bools: PyTorch has no kernel for it (bool and int is int)."""
    if all(v.dtype.kind == "b" if hasattr(v, "dtype") else type(v) is bool for v in (a, b)):
        raise NotImplementedError(f'"{op}_cpu" not implemented for \'Bool\'')


def _check_integer_division(a, b) -> None:
    """Integers have no inf or nan: PyTorch refuses ``x // 0`` and ``x % 0`` on them."""
    kinds = {v.dtype.kind if hasattr(v, "dtype") else "f" if type(v) is float else "i"
             for v in (a, b)}
    if kinds <= set("iub"):
        nonzero = b != 0  # an array, or a bool for a Python number
        if not bool(nonzero.all() if hasattr(nonzero, "all") else nonzero):
            raise RuntimeError("ZeroDivisionError")
