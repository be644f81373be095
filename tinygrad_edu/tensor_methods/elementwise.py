"""Tensor methods for more elementwise math: trig, rounding, ``//`` and ``%``, logic, nan checks.

Each differentiable one calls an op (``ops/trig.py``, ``ops/special.py``, ``ops/rounding.py``);
the tests and the logical ops give bool tensors and have no gradient.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..device import array_module, on_common_device
from ..dtypes import scalar_type_name
from ..ops.blend import Lerp, NanToNum, Xlogy
from ..ops.rounding import Ceil, Floor, FloorDivide, Fmod, Remainder, Round, Sign, Trunc
from ..ops.special import Erf, Expm1, Log1p, Reciprocal, Rsqrt
from ..ops.trig import Atan2, Cos, Hypot, Sin, Tan
from .operands import _operand, _raw

if TYPE_CHECKING:
    from ..tensor import Tensor

Tensor = None  # noqa: F811  set by bind()


class ElementwiseMethods:
    """sin/cos/tan, log1p/expm1/erf/rsqrt/reciprocal/square, floor/ceil/round/trunc/sign,
    ``//`` ``%`` ``^``, logical_and/or/xor/not, isnan/isinf/isfinite/isclose/allclose."""

    def sin(self) -> Tensor:
        return Sin.apply(self)

    def cos(self) -> Tensor:
        return Cos.apply(self)

    def tan(self) -> Tensor:
        return Tan.apply(self)

    def log1p(self) -> Tensor:
        return Log1p.apply(self)

    def expm1(self) -> Tensor:
        return Expm1.apply(self)

    def erf(self) -> Tensor:
        return Erf.apply(self)

    def rsqrt(self) -> Tensor:
        return Rsqrt.apply(self)

    def reciprocal(self) -> Tensor:
        return Reciprocal.apply(self)

    def square(self) -> Tensor:
        return self**2  # PyTorch records it as PowBackward0 too

    # ------------------------------------------------------------------ rounding
    def floor(self) -> Tensor:
        return Floor.apply(self)

    def ceil(self) -> Tensor:
        return Ceil.apply(self)

    def trunc(self) -> Tensor:
        return Trunc.apply(self)

    fix = trunc

    def sign(self) -> Tensor:
        return Sign.apply(self)

    def round(self, decimals: int = 0) -> Tensor:
        return Round.apply(self, int(decimals))

    def __round__(self, ndigits: int | None = None) -> Any:
        return self.round(ndigits or 0)

    # ------------------------------------------------------------------ // and %
    def __floordiv__(self, other: Any) -> Tensor:
        return FloorDivide.apply(self, _operand(other))

    def __rfloordiv__(self, other: Any) -> Tensor:
        return FloorDivide.apply(_operand(other), self)

    def __mod__(self, other: Any) -> Tensor:
        return Remainder.apply(self, _operand(other))

    def __rmod__(self, other: Any) -> Tensor:
        return Remainder.apply(_operand(other), self)

    def floor_divide(self, other: Any) -> Tensor:
        return self // other

    def remainder(self, other: Any) -> Tensor:
        return self % other

    def lerp(self, end: Any, weight: Any) -> Tensor:
        """``self + weight * (end - self)``: from self (weight 0) to end (weight 1)."""
        for name, other in (("end", end), ("weight", weight)):  # PyTorch: no type promotion
            if isinstance(other, type(self)) and other.dtype is not self.dtype:
                raise RuntimeError(
                    f"expected dtype {_c_type(self)} for `{name}` but got dtype {_c_type(other)}"
                )
        if self.array.dtype.kind != "f":
            kernel = "tensor" if isinstance(weight, type(self)) else "scalar"
            raise NotImplementedError(
                f'"lerp_kernel_{kernel}" not implemented for \'{scalar_type_name(self.dtype)}\''
            )
        return Lerp.apply(self, _operand(end), _operand(weight))

    def nan_to_num(self, nan: float = 0.0, posinf: float | None = None,
                   neginf: float | None = None) -> Tensor:
        """nan -> ``nan``, +inf -> ``posinf``, -inf -> ``neginf`` (by default 0 and the dtype's
        largest and smallest finite numbers). Integer tensors come back unchanged."""
        if self.array.dtype.kind != "f":
            return self.clone()
        return NanToNum.apply(self, nan, posinf, neginf)

    def atan2(self, other: Any) -> Tensor:
        """The angle of the point (other, self) from the x axis, in (-pi, pi]: atan2(y, x)."""
        return Atan2.apply(self, _operand(other))

    arctan2 = atan2

    def hypot(self, other: Any) -> Tensor:
        """``sqrt(self**2 + other**2)``, the length of the point (self, other)."""
        for t in (self, other):
            if isinstance(t, type(self)) and t.array.dtype.kind != "f":
                raise NotImplementedError(
                    f'"hypot_cpu" not implemented for \'{scalar_type_name(t.dtype)}\''
                )
        return Hypot.apply(self, _operand(other))

    def xlogy(self, other: Any) -> Tensor:
        """``self * log(other)``, exactly 0 where self is 0 (so ``0 * log(0)`` is 0, not nan)."""
        return Xlogy.apply(self, _operand(other))

    def fmod(self, other: Any) -> Tensor:
        """C's fmod: like ``%`` but the result takes the sign of ``self`` (``fmod(-3, 2)`` is
        -1 where ``-3 % 2`` is 1)."""
        return Fmod.apply(self, _operand(other))

    # ------------------------------------------------------------------ logic (no gradient)
    def _logical(self, other: Any, name: str) -> Tensor:
        a, b = self.array, _raw(_operand(other))
        if isinstance(other, Tensor) and type(b) is not type(a):
            a, b = on_common_device(a, b)  # raises when the devices differ
        xp = array_module(a)
        return Tensor._make(xp.asarray(getattr(xp, name)(a, b)))

    def logical_and(self, other: Any) -> Tensor:
        return self._logical(other, "logical_and")

    def logical_or(self, other: Any) -> Tensor:
        return self._logical(other, "logical_or")

    def logical_xor(self, other: Any) -> Tensor:
        return self._logical(other, "logical_xor")

    def __xor__(self, other: Any) -> Tensor:
        kinds = {self.array.dtype.kind, getattr(_raw(_operand(other)), "dtype", None)}
        if "f" in {k if isinstance(k, str) else getattr(k, "kind", "") for k in kinds}:
            raise NotImplementedError('"bitwise_xor_cpu" not implemented for \'Float\'')
        return self._logical(other, "bitwise_xor")

    __rxor__ = __xor__

    def isnan(self) -> Tensor:
        return Tensor._make(array_module(self.array).isnan(self.array))

    def isinf(self) -> Tensor:
        return Tensor._make(array_module(self.array).isinf(self.array))

    def isfinite(self) -> Tensor:
        return Tensor._make(array_module(self.array).isfinite(self.array))

    def isclose(self, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
                equal_nan: bool = False) -> Tensor:
        r"""Elementwise $|x - y| \le \mathrm{atol} + \mathrm{rtol}\,|y|$ (nan equals nan only
        with ``equal_nan``)."""
        if isinstance(other, type(self)) and other.dtype is not self.dtype:
            raise RuntimeError(f"{scalar_type_name(self.dtype)} did not match "
                               f"{scalar_type_name(other.dtype)}")
        a, b = on_common_device(self.array, _raw(_operand(other)))
        xp = array_module(a)
        return Tensor._make(xp.asarray(xp.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)))

    def allclose(self, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
                 equal_nan: bool = False) -> bool:
        """True when every element :meth:`isclose` (shapes must broadcast)."""
        return bool(self.isclose(other, rtol, atol, equal_nan).array.all())


_C_TYPES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
            "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
            "bool": "bool"}


def _c_type(t: Any) -> str:
    """The C++ type name PyTorch's dtype checks print (``long int`` for int64)."""
    return _C_TYPES.get(t.dtype.name, t.dtype.name)
