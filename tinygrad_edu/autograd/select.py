"""``select(keep, grad)``: the gradient where ``keep`` is True, and exactly 0 elsewhere.

Backward passes of relu, clamp, maximum, where, max, ... route the incoming gradient to some
places and not others. Multiplying by a mask (``grad * (x > 0)``) reads well but is wrong at
the edges: where ``grad`` is ``inf`` (``relu(x) ** -1`` at 0) it gives ``inf * 0 = nan``, and
PyTorch gives 0. Selecting is right: ``where(keep, grad, 0)``.

NumPy's ``where`` is a branchy loop, though, about 8x slower than a multiplication on a
random mask. So for arrays we select with bits: a float whose bits are ANDed with all-ones is
itself, with all-zeros it is +0.0. Same answer as ``where``, at the cost of a multiplication.
For Tensors (a backward under ``create_graph=True``) it is ``where``, recorded in the graph.
"""

from __future__ import annotations

from typing import Any

from ..device import array_module
from .tensor_xp import TensorNamespace


def select(keep: Any, grad: Any) -> Any:
    """``where(keep, grad, 0)``: ``grad`` where ``keep`` is True, exactly 0 elsewhere.

    >>> import numpy as np
    >>> select(np.array([True, False]), np.array([np.inf, np.inf])).tolist()
    [inf, 0.0]
    """
    xp = array_module(grad)
    if type(xp) is TensorNamespace or grad.dtype.kind != "f":
        return xp.where(keep, grad, 0)
    bits = xp.dtype(f"u{grad.dtype.itemsize}")
    all_ones = xp.negative(xp.asarray(keep).astype(bits))  # True -> 0xFF..FF, False -> 0
    return xp.bitwise_and(grad.view(bits), all_ones).view(grad.dtype)
