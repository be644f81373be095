"""PyTorch's legacy tensor types: ``FloatTensor``, ``LongTensor``, ``DoubleTensor``, ...

Old tutorials write ``torch.FloatTensor([1, 2])`` (a float32 tensor holding 1, 2),
``torch.FloatTensor(2, 3)`` (an uninitialised 2x3 tensor; zeros here) or
``x.type(torch.FloatTensor)``, and test ``isinstance(x, torch.LongTensor)``. Each name here is a
small class that makes plain Tensors of its dtype; ``isinstance`` checks the dtype.
"""

from __future__ import annotations

from typing import Any

from . import dtypes
from .creation import tensor, zeros
from .tensor import Tensor


class _LegacyType(type):
    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype and obj.device.type == "cpu"

    def __repr__(cls) -> str:
        return f"<class 'torch.{cls.__name__}'>"


class _Legacy(metaclass=_LegacyType):
    dtype: dtypes.dtype = dtypes.float32

    def __new__(cls, *args: Any, device: Any = None) -> Tensor:  # type: ignore[misc]
        if not args:
            return zeros(0, dtype=cls.dtype, device=device)
        if all(isinstance(a, int) and not isinstance(a, bool) for a in args):
            return zeros(*args, dtype=cls.dtype, device=device)  # FloatTensor(2, 3): a shape
        if len(args) == 1:
            return tensor(args[0], dtype=cls.dtype, device=device)  # FloatTensor([1, 2]): data
        raise TypeError(f"{cls.__name__}(): expected a sequence of numbers or sizes, got {args}")


def _make(name: str, dtype: dtypes.dtype) -> type:
    return _LegacyType(name, (_Legacy,), {"dtype": dtype, "__module__": "tinygrad_edu"})


FloatTensor = _make("FloatTensor", dtypes.float32)
DoubleTensor = _make("DoubleTensor", dtypes.float64)
HalfTensor = _make("HalfTensor", dtypes.float16)
LongTensor = _make("LongTensor", dtypes.int64)
IntTensor = _make("IntTensor", dtypes.int32)
ShortTensor = _make("ShortTensor", dtypes.int16)
CharTensor = _make("CharTensor", dtypes.int8)
ByteTensor = _make("ByteTensor", dtypes.uint8)
BoolTensor = _make("BoolTensor", dtypes.bool_)

LEGACY = {
    t.__name__: t
    for t in (FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor, ShortTensor,
              CharTensor, ByteTensor, BoolTensor)
}


def type_name(t: Tensor) -> str:
    """``x.type()``: the legacy name of its dtype, e.g. ``'torch.FloatTensor'``."""
    name = next(n for n, cls in LEGACY.items() if cls.dtype is t.dtype)
    return f"torch.{'cuda.' if t.device.type == 'cuda' else ''}{name}"


def parse_type(spec: Any) -> tuple[dtypes.dtype, str | None]:
    """``x.type(spec)``: spec is a dtype, a legacy class, or a name like ``'torch.LongTensor'``.

    Returns the dtype and the device type the name asks for (None: keep the tensor's).
    """
    if isinstance(spec, dtypes.dtype):
        return spec, None
    if isinstance(spec, type) and issubclass(spec, _Legacy):
        return spec.dtype, "cpu"
    if isinstance(spec, str):
        parts = spec.split(".")
        cls = LEGACY.get(parts[-1])
        if cls is not None and parts[0] in ("torch", "tinygrad_edu"):
            return cls.dtype, "cuda" if "cuda" in parts[1:-1] else "cpu"
    raise ValueError(f"invalid type: {spec!r} (use a dtype like torch.float32 or "
                     "'torch.FloatTensor')")
