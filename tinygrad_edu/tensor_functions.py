"""The ``tinygrad_edu.xxx(tensor, ...)`` functions, as in ``torch.exp(x)``.

Each forwards to the Tensor method of the same name; a few (cat, stack, where) exist only here.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from .creation import _into, tensor
from .einsum import einsum  # noqa: F401  (torch.einsum)
from .ops.blend import Xlogy
from .ops.compare import Where
from .ops.join import Cat, Stack
from .shapes import _dim
from .tensor import Tensor, _operand_tensor


def _method(name: str):
    def fn(input: Any, *args: Any, out: Tensor | None = None, **kwargs: Any) -> Any:  # noqa: A002
        if not isinstance(input, Tensor):  # torch.add(2, x): the number becomes a tensor
            like = next((a for a in args if isinstance(a, Tensor)), None)
            input = _operand_tensor(input, like) if like is not None else tensor(input)  # noqa: A001
        result = getattr(input, name)(*args, **kwargs)
        return result if out is None else _into(out, result, name)

    fn.__name__ = name
    fn.__doc__ = f"``{name}(x, ...)`` is ``x.{name}(...)``; ``out=`` writes the result there."
    return fn


_NAMES = (
    "add sub mul div pow neg matmul mm dot exp log sqrt tanh sigmoid relu abs maximum minimum "
    "clamp clip sum mean var std norm max min amax amin argmax argmin reshape flatten squeeze "
    "unsqueeze permute transpose t softmax log_softmax numel detach clone eq ne lt le gt ge "
    "allclose equal unbind split chunk "
    "sin cos tan log1p expm1 erf rsqrt reciprocal square floor ceil round trunc sign remainder "
    "floor_divide logical_and logical_or logical_xor logical_not isnan isinf isfinite isclose "
    "prod cumsum cumprod logsumexp sort argsort msort topk median gather scatter scatter_add "
    "index_select masked_fill masked_select nonzero argwhere unique flip fliplr flipud roll "
    "repeat_interleave tile tril triu diag trace outer ger inner mv bmm narrow broadcast_to "
    "movedim swapaxes swapdims multinomial bernoulli divide lerp nan_to_num count_nonzero fmod "
    "addmm diagonal atan2 arctan2 hypot"
).split()
globals().update({name: _method(name) for name in _NAMES})


def _check_same(tensors: Sequence[Tensor], dim: int, what: str) -> int:
    if not tensors:
        if what == "cat":  # PyTorch: ValueError for cat, RuntimeError for stack
            raise ValueError("cat(): expected a non-empty list of Tensors")
        raise RuntimeError(f"{what} expects a non-empty TensorList")
    first = tensors[0]
    if what == "cat":
        for i, t in enumerate(tensors):
            if t.ndim == 0:
                raise RuntimeError(
                    f"zero-dimensional tensor (at position {i}) cannot be concatenated"
                )
    for i, t in enumerate(tensors[1:], start=1):
        if t.ndim != first.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {first.ndim} and {t.ndim}"
            )
        for d in range(first.ndim):
            if (what == "stack" or d != dim) and t.shape[d] != first.shape[d]:
                if what == "stack":
                    raise RuntimeError(
                        f"stack expects each tensor to be equal size, but got {list(first.shape)} "
                        f"at entry 0 and {list(t.shape)} at entry {i}"
                    )
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {dim}. Expected size "
                    f"{first.shape[d]} but got size {t.shape[d]} for tensor number {i} in the list."
                )
    return dim


def cat(tensors: Sequence[Tensor], dim: int = 0, *, out: Tensor | None = None) -> Tensor:
    """Join tensors end to end along an existing dimension."""
    tensors = list(tensors)
    if any(t.ndim != 1 or t.numel() for t in tensors):  # PyTorch's legacy rule: a 1-D empty
        tensors = [t for t in tensors if t.ndim != 1 or t.numel()] or tensors[:1]  # joins all
    d = _dim(dim, tensors[0].ndim) if tensors else 0
    _check_same(tensors, d, "cat")
    return _into(out, Cat.apply(d, *tensors), "cat")


concat = concatenate = cat


def stack(tensors: Sequence[Tensor], dim: int = 0, *, out: Tensor | None = None) -> Tensor:
    """Put equally shaped tensors side by side along a new dimension."""
    tensors = list(tensors)
    d = _dim(dim, tensors[0].ndim + 1) if tensors else 0
    _check_same(tensors, d, "stack")
    return _into(out, Stack.apply(d, *tensors), "stack")


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple:
    """Coordinate grids from 1-D tensors: output i repeats tensor i along every other dim.

    ``indexing="ij"``: output shape (len(t0), len(t1), ...); ``"xy"`` swaps the first two
    (Cartesian x, y: rows follow y), as matplotlib and NumPy's default do. Each output is an
    expanded view, no copy. Leaving ``indexing`` out warns, as PyTorch does, and uses "ij".
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError('torch.meshgrid: indexing must be one of "xy" or "ij", but received: '
                           f"{indexing}")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got a {t.ndim}-D tensor of shape {list(t.shape)}")
    grids = list(tensors)
    swap = indexing == "xy" and len(grids) >= 2
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    sizes = [t.numel() for t in grids]
    out = [t.view([-1 if d == i else 1 for d in range(len(grids))]).expand(*sizes)
           for i, t in enumerate(grids)]
    if swap:
        out[0], out[1] = out[1], out[0]
    return tuple(out)


def xlogy(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """``input * log(other)``, exactly 0 where input is 0; either may be a number."""
    if isinstance(input, Tensor):
        return _into(out, input.xlogy(other), "xlogy")
    other = other if isinstance(other, Tensor) else tensor(other)
    return _into(out, Xlogy.apply(input, other), "xlogy")


def where(condition: Tensor, input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elementwise choice: ``input`` where ``condition`` is True, else ``other``."""
    if condition.dtype.name != "bool":
        raise RuntimeError(
            "where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{condition.dtype.name.capitalize()}"
        )
    like = input if isinstance(input, Tensor) else other
    if not isinstance(like, Tensor):  # two numbers: PyTorch's dtype for them
        like = condition
    # Python numbers stay numbers: PyTorch promotes (where(c, int_tensor, 0.5) is float)
    input, other = _number_or_tensor(input, like), _number_or_tensor(other, like)
    return Where.apply(condition, input, other)


def _number_or_tensor(x: Any, like: Tensor) -> Any:
    if isinstance(x, (Tensor, bool, int, float)):
        return x
    return _operand_tensor(x, like)


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def broadcast_tensors(*tensors: Tensor) -> tuple:
    """Expand tensors to one common shape (views, no copies)."""
    from .shapes import broadcast_shapes

    shape = tuple(broadcast_shapes(*(tuple(t.shape) for t in tensors)))  # PyTorch's error
    return tuple(t.expand(shape) for t in tensors)


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0) -> Tensor:
    """Pairwise p-norm distances between the rows of x1 (n, d) and of x2 (m, d): (n, m)."""
    return (x1.unsqueeze(-2) - x2.unsqueeze(-3)).norm(p=p, dim=-1)
