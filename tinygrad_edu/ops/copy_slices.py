"""In-place changes through a view: PyTorch's ``CopySlices``.

``y = x * 2; y[:, 0].mul_(3)`` changes part of ``y`` through the view ``y[:, 0]``. Afterwards
``y`` is a different function of ``x``, so its history must change too. PyTorch rewrites it:

* ``y``'s new node is **CopySlices**: "the old ``y``, with the view's region replaced by the
  result of the in-place op". Its backward splits the gradient: the region's part goes to the
  op's result (and on through ``mul_`` and the view to the old ``y``), the rest to the old ``y``;
* the view's new node reads its region back out of the new ``y`` (**AsStridedBackward0**).

Both need to know *which elements of the base the view covers*. A NumPy view knows where its
numbers lie in memory (a start address and strides); :func:`view_positions` turns that into
the flat positions of the view's elements in its base, an integer array shaped like the view.
"""

from __future__ import annotations

from ..autograd.function import Function
from ..device import array_module, scatter_add


def _address(array) -> int:
    interface = getattr(array, "__cuda_array_interface__", None) or array.__array_interface__
    return interface["data"][0]


def view_positions(view, base):
    """Flat (C-order) positions in ``base`` of each element of ``view``, or None if unknown.

    >>> import numpy as np
    >>> b = np.arange(6.0).reshape(2, 3)
    >>> view_positions(b[:, 1], b).tolist()
    [1, 4]
    """
    if not base.flags["C_CONTIGUOUS"] or base.itemsize != view.itemsize:
        return None
    xp = array_module(base)
    itemsize = base.itemsize
    positions = xp.asarray((_address(view) - _address(base)) // itemsize)
    for d, (n, stride) in enumerate(zip(view.shape, view.strides)):
        steps = xp.arange(n).reshape([n if i == d else 1 for i in range(view.ndim)])
        positions = positions + steps * (stride // itemsize)
    return positions


class CopySlices(Function):
    """``base`` with the view's region (flat ``positions``) replaced by ``result``.

    Backward: the region's gradient goes to ``result``; the old base gets the rest (0 in the
    region, which was overwritten).
    """

    array_io = True

    @staticmethod
    def forward(ctx, base, positions, result):
        ctx.positions, ctx.shape = positions, base.shape
        out = base.copy()
        out.reshape(-1)[positions] = result
        return out

    @staticmethod
    def backward(ctx, grad):
        flat = grad.reshape(-1)
        grad_base = array_module(grad).copy(flat)
        grad_base[ctx.positions] = 0
        return grad_base.reshape(ctx.shape), None, flat[ctx.positions]

    def name(self) -> str:
        return "CopySlices"


class AsStrided(Function):
    """The view's elements read back out of the (new) base: a gather at flat ``positions``."""

    array_io = True

    @staticmethod
    def forward(ctx, base, positions):
        ctx.positions, ctx.shape, ctx.dtype = positions, base.shape, base.dtype
        return base.reshape(-1)[positions]

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        size = 1
        for n in ctx.shape:
            size *= n
        full = xp.zeros(size, dtype=grad.dtype)
        scatter_add(full, ctx.positions, grad)  # an expanded view covers elements repeatedly
        return full.reshape(ctx.shape), None
