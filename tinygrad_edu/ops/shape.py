"""Shape ops: reshape/view, permute/transpose, expand, squeeze/unsqueeze.

They move numbers around without changing them, so backward moves the gradient back:
reshape it to the old shape, apply the inverse permutation, or sum over what was expanded.
"""

from __future__ import annotations

from ..autograd.broadcast import unbroadcast
from ..autograd.function import Function
from ..device import array_module


class View(Function):
    """Same numbers, new shape: the gradient is reshaped back to the input's shape."""

    array_io = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.input_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.input_shape), None


class Squeeze(View):
    """Drop size-1 dimensions (a reshape, named as PyTorch names it)."""

    @staticmethod
    def forward(ctx, x, shape, overload=0):
        ctx.overload = overload  # PyTorch: squeeze() 0, squeeze(dim) 1, squeeze(dims) 2
        return View.forward(ctx, x, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.input_shape), None, None

    def name(self) -> str:
        return f"SqueezeBackward{self.overload}"


class Unsqueeze(View):
    """Insert a size-1 dimension (a reshape, named as PyTorch names it)."""


class Permute(Function):
    """Reorder dimensions; backward applies the inverse order."""

    array_io = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        inverse = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inverse[d] = i
        return array_module(grad).transpose(grad, inverse), None


class Transpose(Permute):
    """Swap two dimensions (a permutation, named as PyTorch names it)."""


class T(Permute):
    """``x.t()``: transpose a matrix (a vector or a number stays as it is)."""


class UnsafeView(View):
    """A reshape of a fresh copy (the end of a batched matmul, a ``reshape`` that must copy),
    named as PyTorch names it."""


class ReshapeAlias(View):
    """``reshape`` of a non-contiguous tensor whose strides allow a view, named as PyTorch
    names it."""


class Expand(Function):
    """Repeat size-1 dimensions without copying; backward sums the repeats (``unbroadcast``)."""

    array_io = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.input_shape = x.shape
        if x.size == _size(shape):  # nothing repeats: a plain (writable) view, as in PyTorch
            return x.reshape(shape)
        return array_module(x).broadcast_to(x, shape)  # read-only: elements share memory

    @staticmethod
    def backward(ctx, grad):
        return unbroadcast(grad, ctx.input_shape), None


def _size(shape) -> int:
    size = 1
    for n in shape:
        size *= n
    return size
