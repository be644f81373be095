"""Summing a gradient back to an input's shape: the one helper every broadcasting op relies on.

If ``a`` has shape (3,) and ``b`` has shape (2, 3), then ``a + b`` used each element of ``a``
twice (once per row). The chain rule adds up every use, so ``a``'s gradient is the output
gradient **summed over the broadcast dimensions**:

    grad_a = grad_out.sum(axis=0)          # (2, 3) -> (3,)

and for a size-1 dimension that was stretched, sum it but keep it: (2, 3) -> (1, 3).
The engine calls this for every gradient whose shape differs from its input's.
"""

from __future__ import annotations

from typing import Any


def unbroadcast(grad: Any, shape: tuple[int, ...]) -> Any:
    """Sum ``grad`` over the dimensions that broadcasting added or stretched, to get ``shape``.

    >>> unbroadcast(np.ones((2, 3)), (3,)).tolist()
    [2.0, 2.0, 2.0]
    >>> unbroadcast(np.ones((2, 3)), (2, 1)).tolist()
    [[3.0], [3.0]]
    """
    extra = grad.ndim - len(shape)
    if extra > 0:  # leading dimensions that did not exist in the input
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:  # dimensions of size 1 that were repeated
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad
