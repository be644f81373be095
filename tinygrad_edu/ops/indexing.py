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
        parts = key if isinstance(key, tuple) else (key,)
        if is_basic(key) and not any(k is Ellipsis for k in parts):
            return x[(*parts, Ellipsis)]  # the ``...`` keeps x[0] of a vector a 0-d *view*
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

    narrowed = False  # made by x.narrow(...): PyTorch's narrow is always one SliceBackward0

    def name(self) -> str:
        """PyTorch's name: the last step of its index that changes something (``x[0]``
        Select, ``x[1:3]`` Slice, ``x[None]`` Unsqueeze; a slice covering its whole dim and
        ``...`` change nothing; nothing at all is Alias), or Index for integer-array and
        boolean indices."""
        if not is_basic(self.key):
            return "IndexBackward0"
        if isinstance(self.key, slice) or self.narrowed:  # a lone slice always records one
            return "SliceBackward0"  # (x[:] too), and so does narrow(), which is one slice
        parts = self.key if isinstance(self.key, tuple) else (self.key,)
        consumed = sum(1 for k in parts if isinstance(k, (int, slice)))
        name, dim = "Alias", 0
        for k in parts:
            if k is Ellipsis:
                dim += len(self.shape) - consumed
            elif k is None:
                name = "Unsqueeze"
            elif isinstance(k, int):
                name, dim = "Select", dim + 1
            else:
                if k.indices(self.shape[dim]) != (0, self.shape[dim], 1):
                    name = "Slice"
                dim += 1
        return name + "Backward0"


class IndexPut(Function):
    """``out = x`` with ``out[key] = value`` (or ``+= value``, with ``accumulate``).

    x's gradient is the incoming one, zeroed at ``key`` (those places were overwritten; with
    ``accumulate`` nothing was lost, so x gets all of it); value gets ``grad[key]``.
    """

    array_io = True

    @staticmethod
    def forward(ctx, x, key, value, accumulate=False):
        ctx.key, ctx.accumulate = key, accumulate
        out = x.copy()
        ctx.value_ndim = getattr(value, "ndim", 0)
        if ctx.value_ndim:  # PyTorch drops a value's extra leading size-1 dims: (1, 2) -> (2,)
            target = out[key].ndim
            while value.ndim > target and value.shape[0] == 1:
                value = value[0]
        if accumulate:
            scatter_add(out, key, value)
        else:
            out[key] = value
        return out

    @staticmethod
    def backward(ctx, grad):
        grad_x = grad
        if not ctx.accumulate:
            grad_x = array_module(grad).copy(grad)
            grad_x[ctx.key] = 0
        grad_value = grad[ctx.key]
        if grad_value.ndim < ctx.value_ndim:  # the dims forward dropped (the engine sums the
            lead = (1,) * (ctx.value_ndim - grad_value.ndim)  # rest back to the value's shape)
            grad_value = grad_value.reshape(lead + tuple(grad_value.shape))
        return grad_x, None, grad_value, None

    def name(self) -> str:
        """PyTorch's names: ``x[mask] = v`` and ``x[:, idx] = v`` (index tensors, otherwise
        only ``:`` and ``...``) are one ``index_put_``, IndexPutBackward0; ``x[0] = v``,
        ``x[1:] = v``, ``x[0, idx] = v`` write through a view, CopySlices; the whole tensor
        (``x[...] = v``, ``x.copy_(v)``) is CopyBackwards, or FillBackward3 for a number."""
        if self.accumulate:
            return "IndexPutBackward0"
        key = self.key if isinstance(self.key, tuple) else (self.key,)
        trivial = [k is Ellipsis or k == slice(None) for k in key]
        if not is_basic(key):
            basic = [t for k, t in zip(key, trivial, strict=True) if is_basic(k)]
            return "IndexPutBackward0" if all(basic) else "CopySlices"
        if all(trivial):  # the whole tensor (x[()] = v of a 0-d tensor is always a copy)
            number = self.inputs[2] is None and key != ()
            return "FillBackward3" if number else "CopyBackwards"
        return "CopySlices"


class Fill(IndexPut):
    """``x.fill_(value)``: every element becomes ``value``; x's gradient is 0 (overwritten)."""

    def name(self) -> str:  # PyTorch: fill_(number) is FillBackward2, fill_(0-d tensor) 3
        return "FillBackward2" if self.inputs[2] is None else "FillBackward3"


class Zero(Fill):
    """``x.zero_()``: fill with 0."""

    def name(self) -> str:
        return "ZeroBackward0"
