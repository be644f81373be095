"""Data types: what kind of number each element of a tensor is.

PyTorch names its dtypes ``torch.float32``, ``torch.int64`` ...; ours are the same objects under
``tinygrad_edu``. Each one wraps the NumPy dtype that actually stores the numbers.

Two rules decide a result's dtype, and both are PyTorch's:

* **inference** (``tensor([1, 2])`` is int64, ``tensor([1., 2.])`` is float32, the *default* float);
* **promotion** (``int64 tensor * 2.5`` is float32, ``float32 tensor + float64 tensor`` is float64).
"""

from __future__ import annotations

from typing import Any

import numpy as np


class dtype:  # noqa: N801  (lower case, like torch.dtype)
    """One element type, e.g. ``tinygrad_edu.float32``. ``numpy`` is the NumPy dtype underneath."""

    def __init__(self, name: str, numpy_dtype: type, category: int) -> None:
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self.category = (
            category  # 0 bool, 1 integer, 2 floating point: promotion climbs this ladder
        )
        self.is_floating_point = category == 2
        self.itemsize = self.numpy.itemsize

    def __repr__(self) -> str:
        return f"torch.{self.name}"  # what PyTorch prints: tinygrad_edu stands in for torch

    def __reduce__(self) -> str:  # pickle a dtype as the module attribute it is
        return self.name


bool_ = dtype("bool", np.bool_, 0)
uint8 = dtype("uint8", np.uint8, 1)
int8 = dtype("int8", np.int8, 1)
int16 = dtype("int16", np.int16, 1)
int32 = dtype("int32", np.int32, 1)
int64 = dtype("int64", np.int64, 1)
float16 = dtype("float16", np.float16, 2)
float32 = dtype("float32", np.float32, 2)
float64 = dtype("float64", np.float64, 2)

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
_FROM_NUMPY = {d.numpy: d for d in ALL}

_default_float = float32


def from_numpy_dtype(np_dtype: np.dtype) -> dtype:
    """The tinygrad_edu dtype that stores elements like ``np_dtype``."""
    try:
        return _FROM_NUMPY[np_dtype]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).name}. The only supported "
            "types are: float64, float32, float16, int64, int32, int16, int8, uint8, and bool."
        ) from None


def get_default_dtype() -> dtype:
    """The dtype of ``tensor([1.5])`` and of ``randn(...)``: float32 unless you change it."""
    return _default_float


def set_default_dtype(d: dtype) -> None:
    """Make ``d`` (float32 or float64) the default float dtype, like torch.set_default_dtype."""
    global _default_float
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default_float = d


def infer_dtype(data: object) -> dtype:
    """The dtype ``tensor(data)`` gets when no dtype is given (data: a number or nested lists).

    Any float -> the default float dtype; else any int -> int64; all bools -> bool;
    no numbers at all (``[]``) -> the default float dtype.

    >>> infer_dtype([[1, 2], [3, 4]]), infer_dtype([1, 2.5]), infer_dtype([True])
    (torch.int64, torch.float32, torch.bool)
    """
    kind = np.asarray(data).dtype.kind
    return int64 if kind in "iu" else bool_ if kind == "b" else _default_float


def promote_types(a: dtype, b: dtype) -> dtype:
    """The smallest dtype that can hold both: bool < integers < floats, then by size."""
    if a is b:
        return a
    if a.category != b.category:
        return a if a.category > b.category else b
    return from_numpy_dtype(np.promote_types(a.numpy, b.numpy))


def result_type(*operands: object) -> dtype:
    """PyTorch's promotion for an op's operands (tensors and Python numbers).

    Tensors with dimensions outrank 0-dim tensors, which outrank Python numbers, *unless* a lower
    rank brings a higher category: ``int64 tensor * 2.5`` is float (default float32), while
    ``float32 tensor * float64 0-dim tensor`` stays float32.
    """
    from .tensor import Tensor

    best = [None, None, None]  # promoted dtype among: Python numbers, 0-dim tensors, tensors
    for x in operands:
        if isinstance(x, Tensor):
            rank, d = (2 if x.array.ndim else 1), x.dtype
        elif isinstance(x, bool):
            rank, d = 0, bool_
        elif isinstance(x, int):
            rank, d = 0, int64
        elif isinstance(x, float):
            rank, d = 0, _default_float
        else:
            continue
        best[rank] = d if best[rank] is None else promote_types(best[rank], d)
    result = None
    for d in (best[2], best[1], best[0]):
        if d is not None and (result is None or d.category > result.category):
            result = d
    if result is best[0] and result is not None and result.category == 2:
        return _default_float
    return result or _default_float


def as_float(array: Any) -> Any:
    """``array`` itself if it holds floats, else cast to the default float dtype.

    PyTorch's rule for math that only makes sense on real numbers (``sin(int)``, ``erf(bool)``):
    integer and bool inputs give the default float dtype (float32), never float64 or float16.
    """
    return array if array.dtype.kind == "f" else array.astype(get_default_dtype().numpy)


_SCALAR_TYPE_NAMES = {
    "bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int",
    "int64": "Long", "float16": "Half", "bfloat16": "BFloat16", "float32": "Float",
    "float64": "Double",
}


def scalar_type_name(d: dtype) -> str:
    """PyTorch's name for a dtype in error messages: ``Long`` for int64, ``Float`` for float32."""
    return _SCALAR_TYPE_NAMES.get(d.name, d.name)
