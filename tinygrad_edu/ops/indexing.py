"""Indexing: ``x[key]`` and ``x[key] = value``.

Reading ``x[key]`` picks some elements; backward puts the gradient back where they came from,
and *adds* when an integer-array index picks the same element twice.
"""

from __future__ import annotations

from ..autograd.function import Function
from ..device import array_module, scatter_add


def is_basic(key) -> bool:
    """True for ints, slices, None and ``...`` only (no element can be picked twice)."""
    parts = key if isinstance(key, tuple) else (key,)
    return all(isinstance(k, (int, slice)) or k is None or k is Ellipsis for k in parts)


class Index(Function):
    """``y = x[key]``: the gradient of x is zero except at the picked places."""

    array_io = True

    @staticmethod
    def forward(ctx, x, key):
        ctx.shape, ctx.dtype, ctx.key = x.shape, x.dtype, key
        return x[key]

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        full = xp.zeros(ctx.shape, dtype=grad.dtype)
        if is_basic(ctx.key):
            full[ctx.key] = grad
        else:
            scatter_add(full, ctx.key, grad)  # np.add.at: repeated indices accumulate
        return full, None

    def name(self) -> str:
        """PyTorch's name: the last step of its index (``x[0]`` Select, ``x[1:3]`` Slice,
        ``x[None]`` Unsqueeze; full slices ``:`` and ``...`` change nothing), or Index for
        integer-array and boolean indices."""
        if not is_basic(self.key):
            return "IndexBackward0"
        parts = self.key if isinstance(self.key, tuple) else (self.key,)
        name = "Alias" if all(k is Ellipsis for k in parts) else "Slice"
        for k in parts:
            if isinstance(k, int):
                name = "Select"
            elif k is None:
                name = "Unsqueeze"
            elif isinstance(k, slice) and k != slice(None):
                name = "Slice"
        return name + "Backward0"


class IndexPut(Function):
    """``out = x`` with ``out[key] = value``: x's gradient is zero at key, value gets grad[key]."""

    array_io = True

    @staticmethod
    def forward(ctx, x, key, value):
        ctx.key = key
        out = x.copy()
        out[key] = value
        return out

    @staticmethod
    def backward(ctx, grad):
        grad_x = grad.copy()
        grad_x[ctx.key] = 0
        return grad_x, None, grad[ctx.key]
