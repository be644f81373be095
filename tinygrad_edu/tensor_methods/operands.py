"""How Tensor methods turn their arguments into what the ops expect (one place for the rules)."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from ..device import index_on_device

if TYPE_CHECKING:
    from ..tensor import Tensor

Tensor = None  # noqa: F811  the Tensor class, set by bind() once tensor.py has made it
_NUMBER = (int, float, bool)


def _view_of(base: Tensor, out: Tensor) -> Tensor:
    """Mark ``out`` as a view of ``base`` when NumPy made it share ``base``'s memory.

    As in PyTorch, a view and its base share one version counter: changing either in place
    is seen by every backward node that saved the other.
    """
    if getattr(out.array, "base", None) is not None:  # a NumPy/CuPy view, not a copy
        root = base if base._base is None else base._base
        out._base = root
        if root.grad_fn is not None:  # an in-place change of root must reach this view's graph
            if root._views is None:
                root._views = []
            root._views.append(weakref.ref(out))
    return out


def _operand(x: Any) -> Any:
    """Numbers stay Python numbers (NumPy keeps the tensor's dtype); everything else -> Tensor."""
    if type(x) is Tensor or type(x) in _NUMBER:
        return x
    if isinstance(x, (Tensor, int, float)):
        return x
    from ..creation import tensor

    return tensor(x)


def _operand_tensor(x: Any, like: Tensor) -> Tensor:
    if isinstance(x, Tensor):
        return x
    from ..creation import tensor

    return tensor(x, dtype=like.dtype if isinstance(x, _NUMBER) else None, device=like.device)


def _raw(x: Any) -> Any:
    return x.array if isinstance(x, Tensor) else x


def _check_one_element(t: Tensor) -> None:
    """float(x) / int(x): PyTorch raises ValueError (x.item() raises RuntimeError)."""
    if t.array.size != 1:
        raise ValueError(
            f"only one element tensors can be converted to Python scalars (this one has "
            f"{t.array.size} elements, shape {list(t.shape)}; index one first, or use .tolist())"
        )


def _check_mask(key: Any, t: Tensor) -> Any:
    """A bool mask in front must have the shape of the dims it covers (PyTorch's message)."""
    mask = key[0] if isinstance(key, tuple) and key else key
    if isinstance(mask, Tensor) and mask.array.dtype.kind == "b" and mask.ndim:
        for i, n in enumerate(mask.shape):
            if i >= t.ndim or t.shape[i] != n:
                raise IndexError(
                    f"The shape of the mask {list(mask.shape)} at index {i} does not match the "
                    f"shape of the indexed tensor {list(t.shape)} at index {i}"
                )
    return key


def _index_key(key: Any, t: Tensor) -> Any:
    """Turn tensors (and lists) inside an index into arrays NumPy understands."""
    if isinstance(key, tuple):
        return tuple(_index_key(k, t) for k in key)
    if isinstance(key, Tensor):
        if key.array.dtype.kind not in "iub":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return index_on_device(key.array, t.array)  # CPU indices may index a CUDA tensor
    if isinstance(key, slice) and key.step is not None and key.step <= 0:
        raise ValueError("step must be greater than zero")
    if isinstance(key, list):
        array = np.asarray(key)
        if array.size == 0:  # x[[]]: an empty list of positions (NumPy would make it float)
            array = array.astype(np.int64)
        return index_on_device(array, t.array)
    if type(key) is np.ndarray and type(t.array) is not np.ndarray:
        return index_on_device(key, t.array)
    return key
