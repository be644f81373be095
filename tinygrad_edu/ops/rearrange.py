"""Rearranging elements: flip, roll, repeat/tile, tril/triu, diag.

Each moves (or copies, or zeroes) elements without changing their values, so backward does the
inverse move: flip the gradient back, roll it back, add up the copies, zero the same places.
"""

from __future__ import annotations

from ..autograd.function import Function
from ..device import array_module, as_strided


class Flip(Function):
    """Reverse the order along ``dims``; backward flips the gradient back."""

    array_io = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return array_module(x).flip(x, dims)

    @staticmethod
    def backward(ctx, grad):
        return array_module(grad).flip(grad, ctx.dims), None


class Roll(Function):
    """Shift elements along ``dims`` by ``shifts``, wrapping around; backward shifts back."""

    array_io = True

    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        if dims is None:  # roll the flattened tensor
            return array_module(x).roll(x.reshape(-1), shifts).reshape(x.shape)
        return array_module(x).roll(x, shifts, dims)

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        back = tuple(-s for s in ctx.shifts) if isinstance(ctx.shifts, tuple) else -ctx.shifts
        if ctx.dims is None:
            return xp.roll(grad.reshape(-1), back).reshape(grad.shape), None, None
        return xp.roll(grad, back, ctx.dims), None, None


class Repeat(Function):
    r"""Tile ``x`` ``repeats[d]`` times along each dim. Each input element appears in every
    copy, so its gradient is the sum over the copies."""

    array_io = True

    @staticmethod
    def forward(ctx, x, repeats):
        ctx.input_shape = x.shape
        lead = len(repeats) - x.ndim  # new leading dims (PyTorch: repeat may add dims in front)
        ctx.lead = lead
        return array_module(x).tile(x.reshape((1,) * lead + x.shape), repeats)

    @staticmethod
    def backward(ctx, grad):
        # Split each dim of size r*n into (r, n) and sum over the r copies.
        shape = (1,) * ctx.lead + ctx.input_shape
        split = []
        for size, n in zip(grad.shape, shape):
            split += [size // n if n else 0, n]
        summed = grad.reshape(split).sum(axis=tuple(range(0, len(split), 2)))
        return summed.reshape(ctx.input_shape), None


class Tril(Function):
    """Keep the lower triangle (on and below diagonal ``k``), zero the rest; same for grads."""

    array_io = True
    keep = "tril"

    @classmethod
    def forward(cls, ctx, x, k):
        ctx.k = k
        return getattr(array_module(x), cls.keep)(x, k)

    @classmethod
    def backward(cls, ctx, grad):
        return getattr(array_module(grad), cls.keep)(grad, ctx.k), None


class Triu(Tril):
    """Keep the upper triangle (on and above diagonal ``k``), zero the rest; same for grads."""

    keep = "triu"


class DiagEmbed(Function):
    """``diag(v)`` for a vector: a square matrix with v on diagonal ``k``; backward reads the
    diagonal of the gradient."""

    array_io = True

    @staticmethod
    def forward(ctx, v, k):
        ctx.k = k
        return array_module(v).diag(v, k)

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        return xp.copy(xp.diagonal(grad, ctx.k)), None


class DiagonalView(Function):
    """``x.diagonal(offset, dim1, dim2)``: the diagonal of every (dim1, dim2) matrix, as a last
    dim; backward writes the gradient onto that diagonal of zeros."""

    array_io = True

    @staticmethod
    def forward(ctx, x, offset, dim1, dim2):
        ctx.shape, ctx.offset, ctx.dims = x.shape, offset, (dim1, dim2)
        # A writable view, as in PyTorch (x.diagonal().fill_(0) changes x): the first element
        # of the diagonal, then one step down dim1 and dim2 at once for each next one.
        start = [slice(None)] * x.ndim
        if offset >= 0:
            start[dim2] = slice(offset, None)
        else:
            start[dim1] = slice(-offset, None)
        first = x[tuple(start)]
        n = max(min(first.shape[dim1], first.shape[dim2]), 0)
        rest = [d for d in range(x.ndim) if d not in (dim1, dim2)]
        shape = tuple(x.shape[d] for d in rest) + (n,)
        strides = tuple(x.strides[d] for d in rest) + (x.strides[dim1] + x.strides[dim2],)
        return as_strided(first, shape, strides)

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        full = xp.zeros(ctx.shape, dtype=grad.dtype)
        n = grad.shape[-1]
        rows = xp.arange(n) + max(-ctx.offset, 0)
        columns = xp.arange(n) + max(ctx.offset, 0)
        dim1, dim2 = ctx.dims
        order = [d for d in range(len(ctx.shape)) if d not in ctx.dims] + [dim1, dim2]
        matrices = xp.transpose(full, order)  # a view of full, the matrices last
        matrices[..., rows, columns] = grad
        return full, None, None, None

    @classmethod
    def name(cls) -> str:
        return "DiagonalBackward0"


class Diagonal(Function):
    """``diag(m)`` for a matrix: its diagonal ``k`` as a vector; backward puts the gradient
    back on that diagonal of a zero matrix."""

    array_io = True

    @staticmethod
    def forward(ctx, m, k):
        ctx.k, ctx.shape = k, m.shape
        return array_module(m).diagonal(m, k).copy()

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        rows, cols = ctx.shape
        k = ctx.k
        n = grad.shape[0]
        full = xp.zeros(ctx.shape, dtype=grad.dtype)
        start_r, start_c = max(-k, 0), max(k, 0)
        full[xp.arange(n) + start_r, xp.arange(n) + start_c] = grad
        return full, None

    @classmethod
    def name(cls) -> str:  # PyTorch 2.13 prints this node's name with a suffix
        return "DiagonalBackward0_copy"
