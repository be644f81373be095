"""Plain data: the only thing that crosses from a learner's code to the checks.

The learner's side (`encode`) turns an answer into JSON-ready values: numbers, strings,
lists, and tagged objects for arrays (dtype + shape + raw bytes) and tensors. The trusted
side (`decode`) accepts exactly those, builds fresh NumPy arrays from the bytes, and
refuses anything else. Nothing with behaviour ever crosses: no pickles, no subclasses
whose ``==`` or ``-`` lies, no object whose ``shape`` compares equal to anything.

    >>> import numpy as np
    >>> decode(json.loads(json.dumps(encode([1, np.arange(3)]))))
    [1, array([0, 1, 2])]
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

# dtypes an answer may have; object arrays (and anything else) are refused
DTYPES = {
    np.dtype(name).str: np.dtype(name)
    for name in (
        "bool int8 int16 int32 int64 uint8 uint16 uint32 uint64 "
        "float16 float32 float64 complex64 complex128"
    ).split()
}
MAX_DEPTH = 32
MAX_ARRAY_BYTES = 64 * 2**20
MAX_TEXT = 2000  # characters of a string or an object's repr


class PlainDataError(ValueError):
    """What came back is not plain data (or breaks a limit)."""


@dataclass(frozen=True)
class TensorValue:
    """A tensor as the checks see it: the name of its type, its array, requires_grad."""

    type: str
    array: np.ndarray
    requires_grad: bool = False

    def __repr__(self) -> str:
        body = np.array2string(self.array, threshold=20, separator=", ")
        grad = ", requires_grad=True" if self.requires_grad else ""
        return f"tensor({body}{grad})" if self.type == "Tensor" else f"{self.type}({body})"


@dataclass(frozen=True)
class OtherValue:
    """An answer that is none of the plain kinds: only its type name and repr come back."""

    type: str
    repr: str

    def __repr__(self) -> str:
        return self.repr


def _host_array(x: Any) -> np.ndarray | None:
    """The NumPy array of ``x`` (an ndarray, a tensor's ``.array``, a CuPy array)."""
    if isinstance(x, np.ndarray):
        return x
    for name in ("array", "data"):
        inner = getattr(x, name, None)
        if isinstance(inner, np.ndarray):
            return inner
        if hasattr(inner, "get") and type(inner).__module__.startswith("cupy"):
            return inner.get()
    return None


def _array(a: np.ndarray) -> dict:
    a = np.ascontiguousarray(a)
    if a.dtype.str not in DTYPES:
        raise PlainDataError(f"an array of dtype {a.dtype} is not plain data")
    data = base64.b64encode(a.tobytes()).decode("ascii")
    return {"dtype": a.dtype.str, "shape": list(a.shape), "data": data}


def _short(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3] + "..."


def encode(x: Any, depth: int = 0) -> Any:
    """``x`` as JSON-ready plain data (the learner's side; see the module docstring)."""
    if depth > MAX_DEPTH:
        raise PlainDataError("the answer is nested too deeply")
    if x is None or isinstance(x, (bool, str)):
        return _short(str(x)) if isinstance(x, str) else bool(x) if x is not None else None
    if isinstance(x, int):
        return int(x)
    if isinstance(x, float):
        return {"__float__": repr(float(x))}  # keeps nan/inf and every bit
    if isinstance(x, (np.generic, np.ndarray)) and not isinstance(x, np.ndarray):
        return {"__scalar__": _array(np.asarray(x))}
    if isinstance(x, np.ndarray):
        return {"__array__": _array(x)}
    array = _host_array(x)
    if array is not None:
        grad = getattr(x, "requires_grad", False)
        return {
            "__tensor__": {
                "type": type(x).__name__,
                "requires_grad": grad is True,
                "array": _array(np.asarray(array)),
            }
        }
    if isinstance(x, (list, tuple)):
        return {"__list__": [encode(v, depth + 1) for v in x]}
    if isinstance(x, dict):
        return {"__dict__": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in x.items()]}
    try:
        text = repr(x)
    except Exception as exc:
        text = f"<{type(x).__name__}: repr failed with {type(exc).__name__}>"
    return {"__object__": {"type": _short(type(x).__name__), "repr": _short(str(text))}}


def _exact(x: Any, kind: type, what: str) -> Any:
    if type(x) is not kind:
        raise PlainDataError(f"{what}: expected {kind.__name__}, got {type(x).__name__}")
    return x


def _decode_array(spec: Any) -> np.ndarray:
    spec = _exact(spec, dict, "array")
    if set(spec) != {"dtype", "shape", "data"}:
        raise PlainDataError("an array needs exactly dtype, shape and data")
    dtype = DTYPES.get(_exact(spec["dtype"], str, "dtype"))
    if dtype is None:
        raise PlainDataError(f"dtype {spec['dtype']!r} is not allowed")
    shape = [_exact(n, int, "shape") for n in _exact(spec["shape"], list, "shape")]
    if len(shape) > 32 or any(n < 0 for n in shape):
        raise PlainDataError("bad shape")
    raw = base64.b64decode(_exact(spec["data"], str, "data"), validate=True)
    if len(raw) > MAX_ARRAY_BYTES or len(raw) != math.prod(shape) * dtype.itemsize:
        raise PlainDataError("the array's bytes do not match its dtype and shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def decode(x: Any, depth: int = 0) -> Any:
    """The trusted side: plain data back to Python values, NumPy arrays and `TensorValue`s.

    Accepts only what `encode` produces after a JSON round trip; raises PlainDataError.
    """
    if depth > MAX_DEPTH + 2:
        raise PlainDataError("nested too deeply")
    if x is None or type(x) in (bool, int, str):
        return x
    if type(x) is float:  # json gives floats only for a hand-made message
        return x
    tag, value = next(iter(_exact(x, dict, "value").items())) if len(x) == 1 else (None, None)
    if tag == "__float__":
        text = _exact(value, str, "float")
        if len(text) > 40:
            raise PlainDataError("bad float")
        return float(text)
    if tag in ("__array__", "__scalar__"):
        array = _decode_array(value)
        if tag == "__scalar__":
            if array.shape != ():
                raise PlainDataError("a scalar has shape ()")
            return array[()]
        return array
    if tag == "__tensor__":
        spec = _exact(value, dict, "tensor")
        if set(spec) != {"type", "requires_grad", "array"}:
            raise PlainDataError("a tensor needs exactly type, requires_grad and array")
        name = _exact(spec["type"], str, "type")
        grad = _exact(spec["requires_grad"], bool, "requires_grad")
        return TensorValue(name[:MAX_TEXT], _decode_array(spec["array"]), grad)
    if tag == "__list__":
        return [decode(v, depth + 1) for v in _exact(value, list, "list")]
    if tag == "__dict__":
        out = {}
        for pair in _exact(value, list, "dict"):
            if type(pair) is not list or len(pair) != 2:
                raise PlainDataError("a dict item is a [key, value] pair")
            key = decode(pair[0], depth + 1)
            if type(key) not in (str, int, bool) and key is not None:
                raise PlainDataError("dict keys must be strings or numbers")
            out[key] = decode(pair[1], depth + 1)
        return out
    if tag == "__object__":
        spec = _exact(value, dict, "object")
        name, text = _exact(spec.get("type"), str, "type"), _exact(spec.get("repr"), str, "repr")
        return OtherValue(name[:MAX_TEXT], text[:MAX_TEXT])
    raise PlainDataError(f"unknown kind of value {str(tag)[:40]!r}")


def round_trip(x: Any) -> Any:
    """``decode(encode(x))`` through JSON: how the checks see ``x`` (used for both sides)."""
    return decode(json.loads(json.dumps(encode(x))))
