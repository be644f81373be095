r"""Picking elements by index tensors: gather, index_select, scatter, masked_fill/select.

Picking is linear: $y_k = x_{i_k}$. So backward sends each $g_k$ back to position $i_k$ and
*adds* where an index was picked twice. Writing (scatter, masked_fill) is the mirror image: the
overwritten positions of $x$ get gradient 0, the written values get the gradient found there.
"""

from __future__ import annotations

from ..autograd.function import Function
from ..device import array_module, scatter_add


def along(index, dim):
    """The NumPy key that reads ``x[..., index[...], ...]`` along ``dim``, elementwise.

    For dim 1 of a 2-D index: ``(rows, index)`` with ``rows[r, c] = r``, so
    ``x[key][r, c] = x[r, index[r, c]]`` (``torch.gather``'s definition).
    """
    xp = array_module(index)
    key = []
    for d, n in enumerate(index.shape):
        if d == dim:
            key.append(index)
        else:
            key.append(xp.arange(n).reshape([n if e == d else 1 for e in range(index.ndim)]))
    return tuple(key)


def _zeros_with(grad, shape, key):
    """A zero array of ``shape`` with ``grad`` added at ``key`` (repeats accumulate)."""
    full = array_module(grad).zeros(shape, dtype=grad.dtype)
    scatter_add(full, key, grad)
    return full


class Gather(Function):
    r"""$y[i][j] = x[i][\,\mathrm{index}[i][j]\,]$ (for dim 1); backward adds $g$ back there."""

    array_io = True

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.shape, ctx.key = x.shape, along(index, dim)
        return x[ctx.key]

    @staticmethod
    def backward(ctx, grad):
        return _zeros_with(grad, ctx.shape, ctx.key), None, None


class IndexSelect(Function):
    """Whole slices along ``dim``, in the order of ``index``; backward adds them back."""

    array_io = True

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.shape, ctx.key = x.shape, (slice(None),) * dim + (index,)
        return x[ctx.key]

    @staticmethod
    def backward(ctx, grad):
        return _zeros_with(grad, ctx.shape, ctx.key), None, None


class Scatter(Function):
    r"""``out = x`` with ``out[i][index[i][j]] = src[i][j]`` (dim 1). Gradients: $g$ with the
    written places set to 0 for x; $g$ read back at those places for src."""

    array_io = True

    @staticmethod
    def forward(ctx, x, dim, index, src):
        key = along(index, dim)
        ctx.key, ctx.index_shape = key, index.shape
        out = x.copy()
        out[key] = src[tuple(slice(0, n) for n in index.shape)] if _is_array(src) else src
        return out

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        written = xp.zeros(grad.shape, dtype=bool)
        written[ctx.key] = True
        grad_src = None
        if ctx.needs_input_grad[3]:
            src_shape = ctx.inputs[3].shape
            corner = tuple(slice(0, n) for n in ctx.index_shape)
            grad_src = xp.zeros(tuple(src_shape), dtype=grad.dtype)
            grad_src[corner] = grad[ctx.key]
        return xp.where(written, 0, grad), None, None, grad_src


class ScatterAdd(Function):
    r"""``out = x`` with ``out[i][index[i][j]] += src[i][j]``: x gets $g$, src gets $g$ read
    back at the places it was added to."""

    array_io = True

    @staticmethod
    def forward(ctx, x, dim, index, src):
        key = along(index, dim)
        ctx.key, ctx.index_shape = key, index.shape
        out = x.copy()
        scatter_add(out, key, src[tuple(slice(0, n) for n in index.shape)])
        return out

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        grad_src = None
        if ctx.needs_input_grad[3]:
            corner = tuple(slice(0, n) for n in ctx.index_shape)
            grad_src = xp.zeros(tuple(ctx.inputs[3].shape), dtype=grad.dtype)
            grad_src[corner] = grad[ctx.key]
        return grad, None, None, grad_src


class MaskedFill(Function):
    """``value`` where ``mask`` is True, else x: x's gradient is 0 under the mask, and a
    tensor ``value`` gets the sum of the gradient there."""

    array_io = True

    @staticmethod
    def forward(ctx, x, mask, value):
        ctx.mask = mask
        return array_module(x).where(mask, value, x).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        grad_value = None
        if ctx.needs_input_grad[2]:
            grad_value = xp.where(ctx.mask, grad, 0).sum()
        return xp.where(ctx.mask, 0, grad), None, grad_value

    def name(self) -> str:  # PyTorch: a number fills with MaskedFillBackward0, a tensor with 1
        return "MaskedFillBackward1" if self.inputs[2] is not None else "MaskedFillBackward0"


class MaskedSelect(Function):
    """The elements where ``mask`` is True, as a 1-D tensor; backward puts them back."""

    array_io = True

    @staticmethod
    def forward(ctx, x, mask):
        x, ctx.mask = array_module(x).broadcast_arrays(x, mask)
        return x[ctx.mask]

    @staticmethod
    def backward(ctx, grad):
        full = array_module(grad).zeros(ctx.mask.shape, dtype=grad.dtype)
        full[ctx.mask] = grad
        return full, None  # the engine sums a broadcast x back to its shape


def _is_array(v) -> bool:
    return hasattr(v, "shape") and hasattr(v, "dtype")
