"""``a @ b`` for every pair of shapes, built from dot, mv, mm and bmm as PyTorch builds it.

The arithmetic is always ``MatMul`` (``ops/matmul.py``). What differs is the graph around it,
and PyTorch's graph is the spec, so ``draw_graph`` shows the nodes PyTorch records
(``aten/src/ATen/native/LinearAlgebra.cpp``, ``_matmul_impl``):

* vector @ matrix: ``(1, n) @ (n, m)``, then the row is squeezed away (SqueezeBackward4);
* a batch with a matrix or vector on the other side is **folded**: the batch dims become rows
  of one big matrix, one Mm or Mv does all of them, and an UnsafeView unfolds the result.
  When the batch is on the right, it is transposed first (``b.mT``), and a matrix result is
  transposed back and copied (``.mT.contiguous()``). PyTorch folds when the small side needs a
  gradient, or when the fold needs no copy;
* anything else broadcasts the batch dims, expands both sides, folds the batch into one Bmm,
  and unfolds.
"""

from __future__ import annotations

import math
from typing import Any

from ..shapes import broadcast_shapes
from .matmul import MatMul
from .shape import Squeeze, UnsafeView


def matmul(a: Any, b: Any) -> Any:
    """``a @ b`` for tensors of at least one dim (shapes and dtypes already checked)."""
    if a.ndim <= 2 and b.ndim <= 2:
        if a.ndim == 1 and b.ndim == 2:  # a row, then squeezed back to a vector
            out = MatMul.apply(a.unsqueeze(0), b)
            return Squeeze.apply(out, out.shape[1:], 4)
        return MatMul.apply(a, b)  # dot, mv, mm
    if _should_fold(a, b):
        return _folded(a, b)
    return _batched(a, b)


def _should_fold(a: Any, b: Any) -> bool:
    """PyTorch's ``should_fold``: one side has a batch (3+ dims), the other is 1-D or 2-D."""
    a_larger = a.ndim >= b.ndim
    big = a.array if a_larger else b.array.swapaxes(-1, -2)
    small = b if a_larger else a
    if not (big.ndim >= 3 and small.ndim <= 2):
        return False
    if small.requires_grad:  # folding keeps the small side's gradient one plain matmul
        return True
    if a.ndim == 2:  # the fold would need a transpose and a copy of the result
        return False
    if big.size == 0:
        return True
    steps = [s // big.itemsize for s in big.strides]  # fold only if that needs no copy
    return all(steps[i] == steps[i + 1] * big.shape[i + 1] for i in range(big.ndim - 2))


def _folded(a: Any, b: Any) -> Any:
    """The batch side as one tall matrix, times the other side: one Mm or Mv."""
    transpose = b.ndim > a.ndim
    big = b.mT if transpose else a
    small = (a.t() if a.ndim == 2 else a) if transpose else b
    out_shape = big.shape[:-1]
    rows = big.reshape(math.prod(out_shape), big.shape[-1])
    if small.ndim == 1:
        return UnsafeView.apply(MatMul.apply(rows, small), out_shape)
    out = UnsafeView.apply(MatMul.apply(rows, small), out_shape + (small.shape[1],))
    return out.mT.contiguous() if transpose else out


def _batched(a: Any, b: Any) -> Any:
    """Broadcast the batch dims, expand both sides and fold the batch into one Bmm."""
    n = a.shape[-2] if a.ndim > 1 else 1
    m2, p = (b.shape[-2], b.shape[-1]) if b.ndim > 1 else (b.shape[0], 1)
    batch_a, batch_b = a.shape[: max(a.ndim - 2, 0)], b.shape[: max(b.ndim - 2, 0)]
    if a.ndim == 3 and b.ndim == 3 and batch_a[0] != batch_b[0]:
        if batch_a[0] == 1 and a.requires_grad:
            return matmul(a.squeeze(0), b)
        if batch_b[0] == 1 and b.requires_grad:
            return matmul(a, b.squeeze(0))
    batch = tuple(broadcast_shapes(batch_a, batch_b))
    size = math.prod(batch)
    left = a.expand(batch + (n, a.shape[-1])).reshape(size, n, a.shape[-1])
    if b.ndim == 1:
        right = b.expand(batch + (m2,)).reshape(size, m2).unsqueeze(2)
    else:
        right = b.expand(batch + (m2, p)).reshape(size, m2, p)
    out_shape = batch + ((n,) if a.ndim > 1 else ()) + ((p,) if b.ndim > 1 else ())
    out = MatMul.apply(left, right)
    return UnsafeView.apply(out.squeeze(-1) if b.ndim == 1 else out, out_shape)
