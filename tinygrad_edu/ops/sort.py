"""Ordering: sort, topk and median return values *picked* from the input.

Once the indices are known (``argsort``, a non-differentiable integer result), the values are a
:class:`~tinygrad_edu.ops.gather.Gather` along the dim: backward puts each gradient back where
its value came from. The classes below are that gather, named as PyTorch names each node.
"""

from __future__ import annotations

from ..autograd.function import Function
from ..autograd.select import select
from ..device import array_module
from .gather import Gather


def argsort(x, dim: int, descending: bool = False):
    """Indices that sort ``x`` along ``dim``; stable (ties keep their order), also descending."""
    xp = array_module(x)
    if not descending:
        return xp.argsort(x, axis=dim, kind="stable")
    n = x.shape[dim]
    # Sort the reversed array ascending (stable), then reverse: ties stay in their first order.
    reversed_order = xp.argsort(xp.flip(x, dim), axis=dim, kind="stable")
    return xp.flip(n - 1 - reversed_order, dim)


class Sort(Gather):
    """``x.sort(dim)``'s values: x gathered at the sorting indices."""


class Topk(Gather):
    """``x.topk(k, dim)``'s values: x gathered at the indices of the k largest."""


class Median(Gather):
    """``x.median(dim)``'s values: x gathered at the index of each lower median."""

    @staticmethod
    def forward(ctx, x, dim, index, keepdim):
        ctx.dim, ctx.keepdim = dim, keepdim
        out = Gather.forward(ctx, x, dim, index)
        return out if keepdim else out.squeeze(dim)

    @staticmethod
    def backward(ctx, grad):
        if not ctx.keepdim:
            grad = array_module(grad).expand_dims(grad, ctx.dim)
        return Gather.backward(ctx, grad)[0], None, None, None

    def name(self) -> str:
        return "MedianBackward1"


class MedianAll(Function):
    """``x.median()``: the lower median of all elements (nan if any element is nan). Like
    ``max()``, the gradient is shared equally by every element equal to the median."""

    array_io = True

    @staticmethod
    def forward(ctx, x, flat_index):
        xp = array_module(x)
        out = xp.asarray(x.reshape(-1)[flat_index])
        if x.dtype.kind == "f" and bool(xp.isnan(x).any()):  # PyTorch: a nan makes it nan
            out = xp.asarray(xp.nan, dtype=x.dtype)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        xp = array_module(grad)
        winners = (x == out) | (xp.isnan(x) & xp.isnan(out))
        return select(winners, grad / winners.sum(dtype=grad.dtype)), None

    @classmethod
    def name(cls) -> str:
        return "MedianBackward0"
