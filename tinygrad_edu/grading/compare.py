"""Is the learner's answer right? `mismatch` says why not, in words a learner can act on.

Numbers compare with a tolerance, arrays and tensors by type, shape, dtype and then values
(float64 ones to 1e-9, float32 ones to 1e-5),
lists/tuples/dicts item by item. Both sides are plain data by then (`plain.decode`): NumPy
arrays the checks built themselves, `TensorValue`s, numbers, strings, lists and dicts.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from tinygrad_edu.grading.plain import OtherValue, TensorValue

RTOL = 1e-5
ATOL = 1e-6
# float64 answers carry 16 digits: a float32 detour or a one-sided difference must not pass
RTOL64 = 1e-9
ATOL64 = 1e-9


def as_array(x: Any) -> np.ndarray | None:
    """The NumPy array inside ``x`` (an ndarray, a `TensorValue`, a tensor's ``.array``)."""
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, TensorValue):
        return x.array
    data = getattr(x, "array", None)
    if isinstance(data, np.ndarray):
        return data
    if hasattr(data, "get") and type(data).__module__.startswith("cupy"):
        return data.get()  # a CuPy array: copy it to the host
    return None


def _a(x: Any) -> str:
    """'an int', 'a Tensor': the type of ``x`` with its article."""
    name = x.type if isinstance(x, (TensorValue, OtherValue)) else type(x).__name__
    vowel_sound = name[0].lower() in "aeiou" or name.startswith("nd")  # "an ndarray"
    return f"{'an' if vowel_sound else 'a'} {name}"


def _is_nan(x: Any) -> bool:
    return isinstance(x, numbers.Real) and math.isnan(x)


def _is_tensor(x: Any) -> bool:
    return not isinstance(x, np.ndarray) and as_array(x) is not None


def _array_mismatch(expected: np.ndarray, got: np.ndarray) -> str | None:
    if got.shape != expected.shape:
        return f"shape {got.shape}, expected shape {expected.shape}"
    if got.dtype != expected.dtype:
        return f"dtype {got.dtype}, expected dtype {expected.dtype}"
    if expected.dtype.kind in "fc":
        wide = expected.dtype.itemsize >= (8 if expected.dtype.kind == "f" else 16)
        rtol, atol = (RTOL64, ATOL64) if wide else (RTOL, ATOL)
        ok = np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    else:
        ok = np.array_equal(got, expected)
    return None if ok else "values differ"


def mismatch(expected: Any, got: Any, *, floats64: bool = False) -> str | None:
    """None if ``got`` matches ``expected``, else a short reason.

    >>> mismatch(np.array([1.0, 2.0]), np.array([1.0, 2.0]))
    >>> mismatch(np.zeros((2, 3)), np.zeros(3))
    'shape (3,), expected shape (2, 3)'
    """
    if isinstance(expected, TensorValue):
        if not isinstance(got, TensorValue) or got.type != expected.type:
            return f"{_a(got)}, expected {_a(expected)}"
        return _array_mismatch(expected.array, got.array)
    if _is_tensor(expected):
        if not isinstance(got, type(expected)):
            return f"{_a(got)}, expected {_a(expected)}"
        return _array_mismatch(as_array(expected), as_array(got))
    if isinstance(expected, np.ndarray):
        if not isinstance(got, np.ndarray):
            return f"{_a(got)}, expected a numpy array"
        return _array_mismatch(expected, got)
    if expected is None:
        return None if got is None else f"{_a(got)}, expected None"
    if isinstance(expected, (bool, np.bool_)):
        ok = isinstance(got, (bool, np.bool_)) and bool(got) == bool(expected)
        return None if ok else "the value differs"
    if isinstance(expected, numbers.Number):
        if not isinstance(got, numbers.Number) or isinstance(got, bool):
            return f"{_a(got)}, expected a number"
        if isinstance(expected, numbers.Integral) and isinstance(got, numbers.Integral):
            return None if got == expected else "the value differs"
        both_nan = _is_nan(expected) and _is_nan(got)
        rtol, atol = (RTOL64, ATOL64) if floats64 else (RTOL, ATOL)
        close = abs(got - expected) <= atol + rtol * abs(expected)
        return None if both_nan or close else "the value differs"
    if isinstance(expected, (list, tuple)):
        if not isinstance(got, (list, tuple)):
            return f"{_a(got)}, expected {_a(expected)}"
        if len(got) != len(expected):
            return f"{len(got)} items, expected {len(expected)}"
        for i, (e, g) in enumerate(zip(expected, got, strict=True)):
            reason = mismatch(e, g, floats64=floats64)
            if reason:
                return _at(f"[{i}]", reason)
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return f"keys {short_repr(sorted(map(str, got)) if isinstance(got, dict) else got)}"
        for key in expected:
            reason = mismatch(expected[key], got[key], floats64=floats64)
            if reason:
                return _at(f"[{key!r}]", reason)
        return None
    try:
        return None if bool(expected == got) else "the value differs"
    except Exception as exc:  # e.g. == that returns an array, or raises
        return f"cannot compare ({type(exc).__name__})"


def mismatch64(expected: Any, got: Any) -> str | None:
    """`mismatch`, with plain numbers compared as the float64 values they are (to 1e-9):
    for answers computed in Python floats, where a one-sided difference must not pass."""
    return mismatch(expected, got, floats64=True)


def _at(index: str, reason: str) -> str:
    """``"at [0][2]: the value differs"``: where in a nested answer the difference is."""
    if reason.startswith("at ["):
        return f"at {index}{reason[3:]}"
    return f"at {index}: {reason}"


def short_repr(x: Any, limit: int = 300) -> str:
    """``repr(x)`` cut to ``limit`` characters (a huge answer must not flood the feedback)."""
    try:
        text = repr(x)
    except Exception as exc:  # a learner's __repr__ may be broken
        text = f"<{type(x).__name__}: repr failed with {type(exc).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."
