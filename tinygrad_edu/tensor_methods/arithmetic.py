"""Tensor methods for arithmetic, elementwise math and comparisons: each one line, calling an op.

``x * y`` runs ``Tensor.__mul__``, which calls ``Mul.apply`` (``ops/arithmetic.py``): the op owns
the math and its derivative; this file only connects Python's operators to the ops.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..autograd.function import _broadcast_message
from ..device import array_module, on_common_device
from ..dtypes import scalar_type_name
from ..shapes import _check_matmul, _dim
from .operands import (
    _operand,
    _operand_tensor,
    _raw,
)

if TYPE_CHECKING:
    from ..tensor import Tensor
from ..ops import matmul_forms
from ..ops.arithmetic import Add, Div, Mul, Neg, Pow, Sub
from ..ops.compare import Clamp, Maximum, Minimum
from ..ops.matmul import MatMul
from ..ops.rounding import RoundedDiv
from ..ops.softmax import LogSoftmax, Softmax
from ..ops.special import Reciprocal
from ..ops.unary import Abs, Exp, Log, Relu, Sigmoid, Sqrt, Tanh

_FAST = frozenset((int, float))  # operands passed straight to the op; bind() adds Tensor


class ArithmeticMethods:
    """``+ - * / ** @``, ``exp``/``log``/..., comparisons and logical ops of a Tensor."""

    def __add__(self, other: Any) -> Tensor:
        return Add.apply(self, other if type(other) in _FAST else _operand(other))

    def __radd__(self, other: Any) -> Tensor:  # 2 + x is x + 2 (PyTorch's edge order too)
        return Add.apply(self, other if type(other) in _FAST else _operand(other))

    def __sub__(self, other: Any) -> Tensor:
        if self.array.dtype.kind == "b" or _is_bool_tensor(other):
            _refuse_bool_sub(self, other)
        return Sub.apply(self, other if type(other) in _FAST else _operand(other))

    def __rsub__(self, other: Any) -> Tensor:
        if self.array.dtype.kind == "b":
            _refuse_bool_sub(self, other)
        return Sub.apply(other if type(other) in _FAST else _operand(other), self)

    def __mul__(self, other: Any) -> Tensor:
        return Mul.apply(self, other if type(other) in _FAST else _operand(other))

    def __rmul__(self, other: Any) -> Tensor:  # 2 * x is x * 2 (PyTorch's edge order too)
        return Mul.apply(self, other if type(other) in _FAST else _operand(other))

    def __truediv__(self, other: Any) -> Tensor:
        return Div.apply(self, other if type(other) in _FAST else _operand(other))

    def __rtruediv__(self, other: Any) -> Tensor:
        if isinstance(other, (int, float)) and not isinstance(other, bool):
            return Reciprocal.apply(_floating(self)) * other  # as PyTorch computes 2.0 / x
        return Div.apply(other if type(other) in _FAST else _operand(other), self)

    def __pow__(self, other: Any) -> Tensor:
        if type(other) is int and other < 0 and self.array.dtype.kind in "iu":
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if self.array.dtype.kind == "b" and isinstance(other, Tensor) and other.array.dtype == bool:
            raise NotImplementedError('"pow" not implemented for \'Bool\'')
        return Pow.apply(self, other if type(other) in _FAST else _operand(other))

    def __rpow__(self, other: Any) -> Tensor:
        return Pow.apply(other if type(other) in _FAST else _operand(other), self)

    def __neg__(self) -> Tensor:
        if self.array.dtype.kind == "b":
            raise RuntimeError(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
                "to invert a mask, use the `~` or `logical_not()` operator instead."
            )
        return Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __matmul__(self, other: Any) -> Tensor:
        return self.matmul(other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _operand_tensor(other, self).matmul(self)

    def add(self, other: Any, alpha: float = 1) -> Tensor:
        _check_alpha(self, other, alpha)
        return self + (other if alpha == 1 else other * alpha)

    def sub(self, other: Any, alpha: float = 1) -> Tensor:
        _check_alpha(self, other, alpha)
        return self - (other if alpha == 1 else other * alpha)

    def mul(self, other: Any) -> Tensor:
        return self * other

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        """``self / other``; ``rounding_mode="floor"`` or ``"trunc"`` rounds the quotient (and
        keeps integer tensors integer)."""
        if rounding_mode is None:
            return self / other
        if rounding_mode not in ("floor", "trunc"):
            raise RuntimeError(
                "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                f"'{rounding_mode}'"
            )
        return RoundedDiv.apply(self, _operand(other), rounding_mode)

    divide = div

    def pow(self, exponent: Any) -> Tensor:
        return self**exponent

    def neg(self) -> Tensor:
        return -self

    def matmul(self, other: Tensor) -> Tensor:
        """Matrix product, with PyTorch's rules for 1-D and batched operands."""
        other = _operand_tensor(other, self)
        _check_matmul(self, other)
        _check_matmul_dtypes(self, other)
        if self.ndim == 2 and other.ndim == 2:  # the common case: one Mm
            return MatMul.apply(self, other)
        return matmul_forms.matmul(self, other)  # vectors and batches, as PyTorch builds them

    def mm(self, mat2: Tensor) -> Tensor:
        """Matrix times matrix, both 2-D (``matmul`` also takes vectors and batches)."""
        if self.ndim != 2:
            raise RuntimeError("self must be a matrix")
        if mat2.ndim != 2:
            raise RuntimeError("mat2 must be a matrix")
        return self.matmul(mat2)

    def dot(self, other: Tensor) -> Tensor:
        """The dot product of two 1-D tensors."""
        if self.ndim != 1 or other.ndim != 1:
            raise RuntimeError(
                f"1D tensors expected, but got {self.ndim}D and {other.ndim}D tensors"
            )
        return self.matmul(other)

    # ------------------------------------------------------------------ elementwise functions
    def exp(self) -> Tensor:
        return Exp.apply(self if self.array.dtype.kind == "f" else _floating(self))

    def log(self) -> Tensor:
        return Log.apply(self if self.array.dtype.kind == "f" else _floating(self))

    def sqrt(self) -> Tensor:
        return Sqrt.apply(self if self.array.dtype.kind == "f" else _floating(self))

    def tanh(self) -> Tensor:
        return Tanh.apply(self if self.array.dtype.kind == "f" else _floating(self))

    def sigmoid(self) -> Tensor:
        return Sigmoid.apply(self if self.array.dtype.kind == "f" else _floating(self))

    def relu(self) -> Tensor:
        if self.array.dtype.kind == "b":
            raise RuntimeError("Boolean inputs not supported for relu")
        return Relu.apply(self)

    def abs(self) -> Tensor:
        if self.array.dtype.kind == "b":
            raise NotImplementedError('"abs_cpu" not implemented for \'Bool\'')
        return Abs.apply(self)

    __abs__ = abs

    def maximum(self, other: Tensor) -> Tensor:
        return Maximum.apply(self, _tensor_argument(other, "maximum"))

    def minimum(self, other: Tensor) -> Tensor:
        return Minimum.apply(self, _tensor_argument(other, "minimum"))

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """Clip into [min, max]; the bounds may be numbers or tensors (which get gradients)."""
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        return Clamp.apply(self, _clamp_bound(min), _clamp_bound(max))

    clip = clamp

    def softmax(self, dim: int, dtype: Any = None) -> Tensor:
        """``dtype``: cast to it first and compute there (e.g. float32 for float16 logits)."""
        x = self if dtype is None or dtype is self.dtype else self.to(dtype)
        _check_softmax(x, "softmax")
        return Softmax.apply(x, _dim(dim, x.ndim))

    def log_softmax(self, dim: int, dtype: Any = None) -> Tensor:
        x = self if dtype is None or dtype is self.dtype else self.to(dtype)
        _check_softmax(x, "log_softmax")
        return LogSoftmax.apply(x, _dim(dim, x.ndim))

    # ------------------------------------------------------------------ comparisons (no grad)
    def _compare(self, other: Any, op: Callable) -> Tensor:
        a, b = self.array, _raw(other)
        if isinstance(other, Tensor) and type(b) is not type(a):
            a, b = on_common_device(a, b)  # raises when the devices differ
        try:
            out = op(a, b)  # NumPy gives a scalar for 0-d operands: make it an array again
        except ValueError:
            raise RuntimeError(_broadcast_message(a.shape, b.shape)) from None
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
        if self.array.dtype.kind == "f":
            raise TypeError("~ (bitwise_not) is only supported for integer and bool tensors")
        return Tensor._make(array_module(self.array).asarray(~self.array))

    def __and__(self, other: Any) -> Tensor:
        _check_bitwise(self, other, "and")
        return self._compare(other, lambda a, b: a & b)

    def __or__(self, other: Any) -> Tensor:
        _check_bitwise(self, other, "or")
        return self._compare(other, lambda a, b: a | b)

    def logical_not(self) -> Tensor:
        return Tensor._make(array_module(self.array).asarray(self.array == 0))

    def any(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return self._truth("any", dim, keepdim)

    def all(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return self._truth("all", dim, keepdim)

    def _truth(self, name: str, dim: Any, keepdim: bool) -> Tensor:
        axis = None if dim is None else _dim(dim, self.ndim) if self.ndim else None
        out = getattr(self.array, name)(axis=axis, keepdims=keepdim and dim is not None)
        out = array_module(self.array).asarray(out)
        return Tensor._make(out.astype(self.array.dtype) if self.array.dtype == "uint8" else out)

    def equal(self, other: Tensor) -> bool:
        a, b = on_common_device(self.array, other.array)
        return self.shape == other.shape and bool((a == b).all())


def _tensor_argument(other: Any, name: str) -> Tensor:
    """maximum/minimum take tensors only (PyTorch: TypeError for a Python number)."""
    if not isinstance(other, Tensor):
        raise TypeError(
            f"{name}(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}"
        )
    return other


def _clamp_bound(bound: Any) -> Any:
    """A clamp bound: None, a Python number, or a Tensor (lists become tensors)."""
    if bound is None or isinstance(bound, (Tensor, int, float)):
        return bound
    return _operand(bound)


def _floating(t: Tensor) -> Tensor:
    """Integer and bool inputs of exp/log/...: computed in the default float, as PyTorch does
    (NumPy would pick float16 for int8/uint8/bool, and float64 for int64)."""
    if t.array.dtype.kind == "f":
        return t
    from ..dtypes import get_default_dtype

    return Tensor._make(t.array.astype(get_default_dtype().numpy))


def _is_bool_tensor(x: Any) -> bool:
    return isinstance(x, Tensor) and x.array.dtype.kind == "b"


def _refuse_bool_sub(a: Tensor, b: Any) -> None:
    """Subtraction with a bool tensor has no meaning PyTorch accepts (it suggests xor / ~)."""
    if isinstance(b, bool) or (_is_bool_tensor(a) and _is_bool_tensor(b)):
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
            "or `logical_xor()` operator instead."
        )
    raise RuntimeError(
        "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying "
        "to invert a mask, use the `~` or `logical_not()` operator instead."
    )


def _check_alpha(t: Tensor, other: Any, alpha: Any) -> None:
    """add/sub with alpha: a float alpha needs a floating result (PyTorch's rule)."""
    floating = (
        t.array.dtype.kind == "f"
        or isinstance(other, float)
        or (isinstance(other, Tensor) and other.array.dtype.kind == "f")
    )
    if isinstance(alpha, float) and not floating:
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point number."
        )


def _check_matmul_dtypes(a: Tensor, b: Tensor) -> None:
    """matmul does not promote: both operands need one dtype, and bool is not multiplied."""
    if a.array.dtype != b.array.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {_c_name(a)} != {_c_name(b)}"
        )
    if a.array.dtype.kind == "b":
        raise NotImplementedError('"addmm_impl_cpu_" not implemented for \'Bool\'')


def _c_name(t: Tensor) -> str:
    """PyTorch names dtypes by their C type in matmul's message: float, double, long, ..."""
    return {"float32": "float", "float64": "double", "int64": "long int", "int32": "int",
            "float16": "c10::Half"}.get(t.dtype.name, t.dtype.name)


def _check_softmax(t: Tensor, name: str) -> None:
    if t.array.dtype.kind != "f":
        raise NotImplementedError(
            f'"{name}_lastdim_kernel_impl" not implemented for \'{scalar_type_name(t.dtype)}\''
        )


def _check_bitwise(t: Tensor, other: Any, name: str) -> None:
    """& and | are bitwise: integers and bools only (PyTorch: NotImplementedError for floats)."""
    for x in (t, other):
        if isinstance(x, Tensor) and x.array.dtype.kind == "f":
            raise NotImplementedError(
                f'"bitwise_{name}_cpu" not implemented for \'{scalar_type_name(x.dtype)}\''
            )
