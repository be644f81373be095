"""The ``tinygrad_edu.xxx(tensor, ...)`` functions, as in ``torch.exp(x)``.

Each forwards to the Tensor method of the same name; a few (cat, stack, where) exist only here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .ops.compare import Where
from .ops.join import Cat, Stack
from .shapes import _dim
from .tensor import Tensor, _operand_tensor


def _method(name: str):
    def fn(input: Tensor, *args: Any, **kwargs: Any) -> Any:  # noqa: A002
        return getattr(input, name)(*args, **kwargs)

    fn.__name__ = name
    fn.__doc__ = f"``{name}(x, ...)`` is ``x.{name}(...)``."
    return fn


_NAMES = (
    "add sub mul div pow neg matmul mm dot exp log sqrt tanh sigmoid relu abs maximum minimum "
    "clamp clip sum mean var std norm max min amax argmax argmin reshape flatten squeeze unsqueeze "
    "permute transpose t softmax log_softmax numel detach clone eq ne lt le gt ge allclose equal "
    "unbind split chunk"
).split()
globals().update({name: _method(name) for name in _NAMES})


def _check_same(tensors: Sequence[Tensor], dim: int, what: str) -> int:
    if not tensors:
        if what == "cat":  # PyTorch: ValueError for cat, RuntimeError for stack
            raise ValueError("cat(): expected a non-empty list of Tensors")
        raise RuntimeError(f"{what} expects a non-empty TensorList")
    first = tensors[0]
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


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors end to end along an existing dimension."""
    tensors = list(tensors)
    d = _dim(dim, tensors[0].ndim) if tensors else 0
    _check_same(tensors, d, "cat")
    return Cat.apply(d, *tensors)


concat = concatenate = cat


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Put equally shaped tensors side by side along a new dimension."""
    tensors = list(tensors)
    d = _dim(dim, tensors[0].ndim + 1) if tensors else 0
    _check_same(tensors, d, "stack")
    return Stack.apply(d, *tensors)


def where(condition: Tensor, input: Any, other: Any) -> Tensor:  # noqa: A002
    """Elementwise choice: ``input`` where ``condition`` is True, else ``other``."""
    if condition.dtype.name != "bool":
        raise RuntimeError(
            "where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{condition.dtype.name.capitalize()}"
        )
    like = input if isinstance(input, Tensor) else other
    if isinstance(like, Tensor):
        input, other = _operand_tensor(input, like), _operand_tensor(other, like)
    return Where.apply(condition, input, other)


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)
