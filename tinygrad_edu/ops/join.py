"""Joining tensors: ``cat`` (along an existing dim) and ``stack`` (along a new one).

Backward cuts the gradient back into the pieces, in order.
"""

from __future__ import annotations

from itertools import accumulate

from ..autograd.function import Function
from ..device import array_module
from .indexing import Index


class Cat(Function):
    """Concatenate along ``dim``; each input gets its slice of the gradient."""

    array_io = True

    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.dim = dim
        ctx.sizes = [x.shape[dim] for x in xs]
        return array_module(xs[0]).concatenate(xs, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        cuts = list(accumulate(ctx.sizes))[:-1]  # where each input's slice ends
        return (None, *array_module(grad).split(grad, cuts, axis=ctx.dim))


class Stack(Function):
    """Stack along a new ``dim``; each input gets its slice of the gradient."""

    array_io = True

    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.dim = dim
        return array_module(xs[0]).stack(xs, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        return (None, *(xp.take(grad, i, axis=ctx.dim) for i in range(grad.shape[ctx.dim])))


class Split(Index):
    """One piece of ``x.split(size)`` or ``x.chunk(n)``: a slice of x, so backward puts the
    gradient back in that slice (the pieces together cover x once)."""

    def name(self) -> str:
        return "SplitBackward0"


class SplitWithSizes(Split):
    """One piece of ``x.split([sizes])``."""

    def name(self) -> str:
        return "SplitWithSizesBackward0"


class Unbind(Split):
    """One piece of ``x.unbind(dim)``: x with ``dim`` removed at one index."""

    def name(self) -> str:
        return "UnbindBackward0"
