"""Making tensors: from Python lists, from NumPy, and filled with constants or ranges.

``tensor(data)`` *copies* and infers the dtype like PyTorch (ints -> int64, floats -> float32,
bools -> bool); ``from_numpy(a)`` *shares* memory with ``a`` and keeps its dtype.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes
from .device import as_device, backend
from .shapes import _size_args
from .tensor import Tensor


def _finish(array: np.ndarray, device: Any, requires_grad: bool) -> Tensor:
    """Move a host array to ``device`` and wrap it."""
    dev = as_device(device)
    data = array if dev.type == "cpu" else backend(dev.type).from_host(array, dev.index or 0)
    t = Tensor._make(data)
    if requires_grad:
        t.requires_grad = True  # the property checks the dtype and explains if it is an integer
    return t


def _check_ragged(data: Any, dim: int = 0) -> None:
    """Explain a ragged nested list the way PyTorch does."""
    if not isinstance(data, (list, tuple)) or not data:
        return
    lengths = [len(x) if isinstance(x, (list, tuple)) else None for x in data]
    first = lengths[0]
    for n in lengths[1:]:
        if n != first:
            raise ValueError(f"expected sequence of length {first} at dim {dim + 1} (got {n})")
    for x in data:
        _check_ragged(x, dim + 1)


def _to_host(data: Any) -> Any:
    if isinstance(data, Tensor):
        return data.numpy_host()
    if isinstance(data, (list, tuple)):
        return [_to_host(x) for x in data]
    return data


def tensor(
    data: Any, dtype: dtypes.dtype | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A new tensor holding a copy of ``data`` (a number, nested lists, or a NumPy array).

    >>> tensor([1.0, 2.0, 3.0])
    tensor([1., 2., 3.])
    >>> tensor([[1, 2], [3, 4]]).dtype
    torch.int64
    """
    if device is None and isinstance(data, Tensor):  # torch: "the device of data is used"
        device = data.device
    if isinstance(data, str) or (isinstance(data, (list, tuple)) and _has_str(data)):
        raise TypeError(
            f"new(): invalid data type '{type(data).__name__ if isinstance(data, str) else 'str'}'"
        )
    host = _to_host(data)
    try:
        array = np.array(host)
    except ValueError:
        _check_ragged(data)
        raise
    if array.dtype == object:
        raise TypeError(f"Could not infer dtype of {type(data).__name__}")
    if dtype is None:
        if array.dtype.kind in "biuf" and isinstance(data, (list, tuple, bool, int, float)):
            dtype = dtypes.infer_dtype(host)  # a part: chapter 01's exercise
        elif array.dtype.kind == "b":
            dtype = dtypes.bool_
        else:
            dtype = dtypes.from_numpy_dtype(array.dtype)
    array = array.astype(dtype.numpy, copy=False)
    return _finish(array, device, requires_grad)


def as_tensor(data: Any, dtype: dtypes.dtype | None = None, device: Any = None) -> Tensor:
    """Like ``tensor`` but reuses ``data`` when it already is a suitable tensor or array."""
    if isinstance(data, Tensor) and (dtype is None or dtype is data.dtype):
        return data.to(device) if device is not None else data
    if (
        isinstance(data, np.ndarray)
        and device is None
        and (dtype is None or dtype.numpy == data.dtype)
    ):
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array: np.ndarray) -> Tensor:
    """A CPU tensor that *shares memory* with ``array``: change one and the other changes."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    dtypes.from_numpy_dtype(array.dtype)  # raises PyTorch's message for unsupported dtypes
    return Tensor._make(array)


def _shape(sizes: tuple, size: Any) -> tuple:
    """The shape from ``zeros(2, 3)``, ``zeros((2, 3))`` or ``zeros(size=(2, 3))``."""
    if size is not None:
        if sizes:
            raise TypeError("got the size twice: as positional arguments and as size=")
        sizes = (size,)
    return _size_args(sizes)


def _into(out: Any, result: Tensor, name: str = "out") -> Tensor:
    """``out=``: write ``result`` into ``out`` and return ``out``, as PyTorch does.

    ``out`` takes the result's shape (PyTorch resizes it) and keeps its own dtype; results that
    need gradients cannot be written into ``out`` (autograd could not follow them).
    """
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if result._requires_grad or out._requires_grad:
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )
    if out.device != result.device:
        raise RuntimeError(
            f"Expected out tensor to have device {result.device}, but got {out.device} instead"
        )
    if not np.can_cast(result.array.dtype, out.array.dtype, casting="same_kind"):
        raise RuntimeError(
            f"result type {result.dtype.name.capitalize()} can't be cast to the desired output "
            f"type {out.dtype.name.capitalize()}"
        )
    if out.array.shape != result.array.shape:
        out.array = result.array.astype(out.array.dtype, copy=True)
    else:
        out.array[...] = result.array
    out._mark_inplace()
    return out


def _filled(size: tuple, value: Any, dtype: Any, device: Any, requires_grad: bool) -> Tensor:
    if dtype is None:
        dtype = (
            dtypes.bool_
            if isinstance(value, bool)
            else dtypes.int64
            if isinstance(value, int)
            else dtypes.get_default_dtype()
        )
    for n in size:
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: {list(size)}")
    return _finish(np.full(size, value, dtype=dtype.numpy), device, requires_grad)


def zeros(
    *sizes: Any, size: Any = None, out: Any = None, dtype: Any = None, device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``."""
    return _into(out, _filled(_shape(sizes, size), 0.0, dtype, device, requires_grad))


def ones(
    *sizes: Any, size: Any = None, out: Any = None, dtype: Any = None, device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor of ones."""
    return _into(out, _filled(_shape(sizes, size), 1.0, dtype, device, requires_grad))


def empty(
    *sizes: Any, size: Any = None, out: Any = None, dtype: Any = None, device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Uninitialised in PyTorch; zeros here (NumPy's garbage would only confuse)."""
    return zeros(_shape(sizes, size), out=out, dtype=dtype, device=device,
                 requires_grad=requires_grad)


def full(
    size: Any, fill_value: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value`` (its dtype follows the value)."""
    return _filled(_size_args((size,)), fill_value, dtype, device, requires_grad)


def arange(
    start: Any,
    end: Any = None,
    step: Any = 1,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``arange(5)`` is 0..4; ``arange(1, 2, 0.25)`` steps by floats (end excluded)."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None:
        floats = any(isinstance(v, float) for v in (start, end, step))
        dtype = dtypes.get_default_dtype() if floats else dtypes.int64
    return _finish(np.arange(start, end, step).astype(dtype.numpy), device, requires_grad)


def linspace(
    start: float,
    end: float,
    steps: int,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` (both included)."""
    dtype = dtype or dtypes.get_default_dtype()
    return _finish(np.linspace(start, end, steps).astype(dtype.numpy), device, requires_grad)


def eye(
    n: int, m: int | None = None, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """The identity matrix (ones on the diagonal)."""
    dtype = dtype or dtypes.get_default_dtype()
    return _finish(np.eye(n, m, dtype=dtype.numpy), device, requires_grad)


def _like(fn: Any, t: Tensor, dtype: Any, device: Any, requires_grad: bool, *extra: Any) -> Tensor:
    return fn(
        t.shape,
        *extra,
        dtype=dtype or t.dtype,
        device=device or t.device,
        requires_grad=requires_grad,
    )


def zeros_like(
    t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return _like(zeros, t, dtype, device, requires_grad)


def ones_like(
    t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return _like(ones, t, dtype, device, requires_grad)


def empty_like(
    t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return _like(zeros, t, dtype, device, requires_grad)


def full_like(
    t: Tensor, fill_value: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return _like(full, t, dtype, device, requires_grad, fill_value)


# ------------------------------------------------------------------------------- random
def _random(draw: str, size: tuple, generator: Any, dtype: Any, device: Any,
            requires_grad: bool) -> Tensor:
    """Floats from the generator's ``draw`` method (``random``, ``standard_normal``)."""
    from .random import rng

    dtype = dtype or dtypes.get_default_dtype()
    values = getattr(rng(generator), draw)(_size_args(size)).astype(dtype.numpy)
    return _finish(values, device, requires_grad)


def rand(
    *sizes: Any,
    size: Any = None,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Uniform random numbers in [0, 1)."""
    return _random("random", _shape(sizes, size), generator, dtype, device, requires_grad)


def randn(
    *sizes: Any,
    size: Any = None,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Standard normal random numbers (mean 0, standard deviation 1)."""
    return _random("standard_normal", _shape(sizes, size), generator, dtype, device,
                   requires_grad)


def randint(
    low: int,
    high: Any = None,
    size: Any = None,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Random integers in [low, high): ``randint(10, (3,))`` or ``randint(0, 10, (3,))``."""
    from .random import rng

    if size is None:
        low, high, size = 0, low, high
    if size is None:
        raise TypeError("randint() missing required argument 'size' (e.g. randint(0, 10, (3,)))")
    dtype = dtype or dtypes.int64
    values = rng(generator).integers(low, high, _size_args((size,))).astype(dtype.numpy)
    return _finish(values, device, requires_grad)


def randperm(n: int, generator: Any = None, dtype: Any = None, device: Any = None) -> Tensor:
    """A random ordering of 0..n-1."""
    from .random import rng

    dtype = dtype or dtypes.int64
    return _finish(rng(generator).permutation(n).astype(dtype.numpy), device, False)


def rand_like(
    t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return _like(rand, t, dtype, device, requires_grad)


def randn_like(
    t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return _like(randn, t, dtype, device, requires_grad)


def _has_str(data: Any) -> bool:
    return any(isinstance(x, str) or (isinstance(x, (list, tuple)) and _has_str(x)) for x in data)
