"""Checking and normalising the shape arguments ops receive, with PyTorch's error messages.

``dim=-1`` becomes a non-negative index (or PyTorch's "Dimension out of range" error),
``reshape(2, -1)`` gets its ``-1`` filled in, ``zeros(2, 3)`` and ``zeros((2, 3))`` mean the same,
and ``a @ b`` is checked before NumPy sees it so the message names both shapes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .autograd.function import _broadcast_message


def _dim(d: int, ndim: int) -> int:
    """Check a dim and make it non-negative (PyTorch's message when it is out of range)."""
    lo, hi = -max(ndim, 1), max(ndim, 1) - 1
    if not isinstance(d, (int, np.integer)) or isinstance(d, bool):
        raise TypeError(f"dim must be an int, got {type(d).__name__}")
    if d < lo or d > hi:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {d})"
        )
    return int(d) % max(ndim, 1) if ndim else 0


def _dims(dim: Any, ndim: int) -> Any:
    """``None`` (all dims) or a sorted tuple of non-negative dims."""
    if dim is None:
        return None
    if isinstance(dim, (list, tuple)):
        dims = tuple(sorted(_dim(d, ndim) for d in dim))
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"dim {dims[0]} appears multiple times in the list of dims")
        return dims if ndim else None
    d = _dim(dim, ndim)  # checked even on a 0-d tensor (its only dims are 0 and -1)
    return (d,) if ndim else None


def _size_args(args: Sequence) -> tuple:
    """Accept ``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])`` alike."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    return tuple(int(a) for a in args)


def _infer_shape(shape: tuple, numel: int, old: tuple) -> tuple:
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for n in shape:
        known *= n if n != -1 else 1
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if n == -1 else n for n in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def broadcast_shapes(*shapes: Sequence[int]) -> tuple[int, ...]:
    """The shape that tensors of ``shapes`` broadcast to, as ``torch.broadcast_shapes``.

    Line the shapes up on the right (pad the shorter ones with 1s on the left); in each
    dimension the sizes must be equal or 1, and the result takes the size that is not 1.

    >>> broadcast_shapes((2, 3), (3,)), broadcast_shapes((3, 1), (1, 4))
    ((2, 3), (3, 4))
    """
    ndim = max((len(s) for s in shapes), default=0)
    result = [1] * ndim
    for index, shape in enumerate(shapes):
        for i, n in enumerate(shape, start=ndim - len(shape)):
            if n < 0:
                raise ValueError("Attempting to broadcast a dimension with negative length!")
            if n != 1 and result[i] != 1 and n != result[i]:
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {n} at {i - ndim}! "
                    f"Mismatching argument at index {index} had {tuple(shape)}; but expected "
                    f"shape should be broadcastable to {result}"
                )
            if n != 1:
                result[i] = n
    return tuple(result)


def _check_matmul(a: Any, b: Any) -> None:
    """Refuse operands ``a @ b`` cannot multiply, naming both shapes as PyTorch does."""
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and {b.ndim}D"
        )
    k_a = a.shape[-1]
    k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k_a == k_b:
        if a.ndim > 2 and b.ndim > 2:
            try:
                broadcast_shapes(a.shape[:-2], b.shape[:-2])
            except NotImplementedError:  # a learner's unwritten part (tinygrad_edu.parts)
                raise
            except RuntimeError:
                raise RuntimeError(_broadcast_message(a.shape[:-2], b.shape[:-2])) from None
        return
    if a.ndim == 1 and b.ndim == 1:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{k_a}] and src [{k_b}] to have the same "
            f"number of elements, but got {k_a} and {k_b} elements respectively"
        )
    if a.ndim <= 2 and b.ndim <= 2:
        rows = f"{a.shape[0]}x{a.shape[1]}" if a.ndim == 2 else f"1x{k_a}"
        cols = f"{b.shape[0]}x{b.shape[1]}" if b.ndim == 2 else f"{k_b}x1"
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows} and {cols}): the inner sizes "
            f"{k_a} and {k_b} must match"
        )
    batch = b.shape[0] if b.ndim > 2 else 1
    raise RuntimeError(
        f"Expected size for first two dimensions of batch2 tensor to be: [{batch}, {k_a}] "
        f"but got: [{batch}, {k_b}]. (matmul of shapes "
        f"{list(a.shape)} and {list(b.shape)}: the last dim of the first must equal the "
        "second-to-last dim of the second)"
    )
