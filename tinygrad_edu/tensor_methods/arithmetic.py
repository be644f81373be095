"""Tensor methods for arithmetic, elementwise math and comparisons: each one line, calling an op.

``x * y`` runs ``Tensor.__mul__``, which calls ``Mul.apply`` (``ops/arithmetic.py``): the op owns
the math and its derivative; this file only connects Python's operators to the ops.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..device import array_module, on_common_device
from ..shapes import _check_matmul, _dim
from .operands import (
    _operand,
    _operand_tensor,
    _raw,
)

if TYPE_CHECKING:
    from ..tensor import Tensor
from ..ops.arithmetic import Add, Div, Mul, Neg, Pow, Sub
from ..ops.compare import Clamp, Maximum, Minimum
from ..ops.matmul import MatMul
from ..ops.softmax import LogSoftmax, Softmax
from ..ops.unary import Abs, Exp, Log, Relu, Sigmoid, Sqrt, Tanh

_FAST = frozenset((int, float))  # operands passed straight to the op; bind() adds Tensor


class ArithmeticMethods:
    """``+ - * / ** @``, ``exp``/``log``/..., comparisons and logical ops of a Tensor."""

    def __add__(self, other: Any) -> Tensor:
        return Add.apply(self, other if type(other) in _FAST else _operand(other))

    def __radd__(self, other: Any) -> Tensor:  # 2 + x is x + 2 (PyTorch's edge order too)
        return Add.apply(self, other if type(other) in _FAST else _operand(other))

    def __sub__(self, other: Any) -> Tensor:
        return Sub.apply(self, other if type(other) in _FAST else _operand(other))

    def __rsub__(self, other: Any) -> Tensor:
        return Sub.apply(other if type(other) in _FAST else _operand(other), self)

    def __mul__(self, other: Any) -> Tensor:
        return Mul.apply(self, other if type(other) in _FAST else _operand(other))

    def __rmul__(self, other: Any) -> Tensor:  # 2 * x is x * 2 (PyTorch's edge order too)
        return Mul.apply(self, other if type(other) in _FAST else _operand(other))

    def __truediv__(self, other: Any) -> Tensor:
        return Div.apply(self, other if type(other) in _FAST else _operand(other))

    def __rtruediv__(self, other: Any) -> Tensor:
        return Div.apply(other if type(other) in _FAST else _operand(other), self)

    def __pow__(self, other: Any) -> Tensor:
        return Pow.apply(self, other if type(other) in _FAST else _operand(other))

    def __rpow__(self, other: Any) -> Tensor:
        return Pow.apply(other if type(other) in _FAST else _operand(other), self)

    def __neg__(self) -> Tensor:
        return Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __matmul__(self, other: Any) -> Tensor:
        return self.matmul(other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _operand_tensor(other, self).matmul(self)

    def add(self, other: Any, alpha: float = 1) -> Tensor:
        return self + (other if alpha == 1 else other * alpha)

    def sub(self, other: Any, alpha: float = 1) -> Tensor:
        return self - (other if alpha == 1 else other * alpha)

    def mul(self, other: Any) -> Tensor:
        return self * other

    def div(self, other: Any) -> Tensor:
        return self / other

    def pow(self, exponent: Any) -> Tensor:
        return self**exponent

    def neg(self) -> Tensor:
        return -self

    def matmul(self, other: Tensor) -> Tensor:
        """Matrix product, with PyTorch's rules for 1-D and batched operands."""
        other = _operand_tensor(other, self)
        _check_matmul(self, other)
        return MatMul.apply(self, other)

    mm = matmul

    def dot(self, other: Tensor) -> Tensor:
        return self.matmul(other)

    # ------------------------------------------------------------------ elementwise functions
    def exp(self) -> Tensor:
        return Exp.apply(self)

    def log(self) -> Tensor:
        return Log.apply(self)

    def sqrt(self) -> Tensor:
        return Sqrt.apply(self)

    def tanh(self) -> Tensor:
        return Tanh.apply(self)

    def sigmoid(self) -> Tensor:
        return Sigmoid.apply(self)

    def relu(self) -> Tensor:
        return Relu.apply(self)

    def abs(self) -> Tensor:
        return Abs.apply(self)

    __abs__ = abs

    def maximum(self, other: Any) -> Tensor:
        return Maximum.apply(self, _operand_tensor(other, self))

    def minimum(self, other: Any) -> Tensor:
        return Minimum.apply(self, _operand_tensor(other, self))

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        return Clamp.apply(self, _raw(min), _raw(max))

    clip = clamp

    def softmax(self, dim: int) -> Tensor:
        return Softmax.apply(self, _dim(dim, self.ndim))

    def log_softmax(self, dim: int) -> Tensor:
        return LogSoftmax.apply(self, _dim(dim, self.ndim))

    # ------------------------------------------------------------------ comparisons (no grad)
    def _compare(self, other: Any, op: Callable) -> Tensor:
        a, b = self.array, _raw(other)
        if isinstance(other, Tensor) and type(b) is not type(a):
            a, b = on_common_device(a, b)  # raises when the devices differ
        out = op(a, b)  # NumPy gives a scalar for 0-d operands: make it an array again
        return Tensor._make(out if type(out) is type(a) else array_module(a).asarray(out))

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, lambda a, b: a == b)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, lambda a, b: a != b)

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(other, lambda a, b: a < b)

    def __le__(self, other: Any) -> Tensor:
        return self._compare(other, lambda a, b: a <= b)

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(other, lambda a, b: a > b)

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(other, lambda a, b: a >= b)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def __invert__(self) -> Tensor:
        return Tensor._make(~self.array)

    def __and__(self, other: Any) -> Tensor:
        return self._compare(other, lambda a, b: a & b)

    def __or__(self, other: Any) -> Tensor:
        return self._compare(other, lambda a, b: a | b)

    def logical_not(self) -> Tensor:
        return Tensor._make(self.array == 0)

    def any(self) -> Tensor:
        return Tensor._make(self.array.any())

    def all(self) -> Tensor:
        return Tensor._make(self.array.all())

    def equal(self, other: Tensor) -> bool:
        a, b = on_common_device(self.array, other.array)
        return self.shape == other.shape and bool((a == b).all())
