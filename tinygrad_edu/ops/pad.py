r"""Padding: add a border around the last dims of a tensor (``F.pad``).

``pad`` lists (before, after) amounts starting from the LAST dim, as in PyTorch:
``(left, right)`` pads the last dim, ``(left, right, top, bottom)`` the last two. Negative
amounts cut instead.

* **constant**: the border holds a number (0 by default). The border does not depend on $x$, so
  the gradient is just the middle part of the output's gradient.
* **reflect / replicate / circular**: the border copies pixels of $x$ (mirrored, the edge pixel
  repeated, or wrapped around). Each output reads one input pixel through an index, so the
  gradient adds every output's gradient back onto the pixel it read (scatter-add).
"""
from __future__ import annotations

from ..autograd.function import Function
from ..device import array_module, scatter_add


def pairs(pad: tuple, ndim: int) -> list[tuple[int, int]]:
    """Per dim (first to last) the (before, after) amounts; dims not named get (0, 0)."""
    amounts = [(0, 0)] * ndim
    for i in range(len(pad) // 2):
        amounts[ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    return amounts


class ConstantPadNd(Function):
    r"""$y$ = ``value`` on the border, $x$ inside; $\nabla_x$ = the inside of $G$."""

    array_io = True

    @staticmethod
    def forward(ctx, x, pad, value):
        xp = array_module(x)
        amounts = pairs(pad, x.ndim)
        # negative amounts crop: take that part of x first (it gets no gradient)
        crop = tuple(slice(max(-b, 0), n - max(-a, 0)) for (b, a), n in zip(amounts, x.shape))
        inner = x[crop]
        shape = tuple(n + max(b, 0) + max(a, 0) for (b, a), n in zip(amounts, inner.shape))
        out = xp.full(shape, value, dtype=x.dtype)
        middle = tuple(slice(max(b, 0), max(b, 0) + n) for (b, _), n in zip(amounts, inner.shape))
        out[middle] = inner
        ctx.shape, ctx.crop, ctx.middle = x.shape, crop, middle
        return out

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        grad_x = xp.zeros(ctx.shape, dtype=grad.dtype)
        grad_x[ctx.crop] = grad[ctx.middle]
        return grad_x, None, None


def source_index(xp, n: int, before: int, after: int, mode: str):
    """For each output position along one dim, which input position it copies (``xp``: the
    array module of the tensor's device)."""
    pos = xp.arange(-before, n + after)
    if mode == "replicate":
        return xp.clip(pos, 0, n - 1)
    if mode == "circular":
        return pos % n
    period = 2 * (n - 1)  # reflect: ... 2 1 | 0 1 2 3 | 2 1 ...
    pos = xp.abs(pos) % period if period else xp.zeros_like(pos)
    return xp.where(pos >= n, period - pos, pos)


class IndexPad(Function):
    r"""Reflect / replicate / circular padding: $y_i = x_{s(i)}$,
    $\nabla_{x_j} = \sum_{s(i)=j} G_i$.

    ``s`` maps each output position to the input position it copies (:func:`source_index`).
    """

    array_io = True
    grad_tracks_input = True  # as in PyTorch: create_graph gradients stay attached to x

    @staticmethod
    def forward(ctx, x, pad, mode):
        xp = array_module(x)
        amounts = pairs(pad, x.ndim)
        ctx.steps = []
        out = x
        for dim, (before, after) in enumerate(amounts):
            if before or after:
                index = source_index(xp, x.shape[dim], before, after, mode)
                ctx.steps.append((dim, index, x.shape[dim]))
                out = xp.take(out, index, axis=dim)
        ctx.mode, ctx.dims = mode, len(pad) // 2
        return out

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        for dim, index, n in reversed(ctx.steps):
            moved = xp.moveaxis(grad, dim, 0)
            summed = xp.zeros((n, *moved.shape[1:]), dtype=grad.dtype)
            scatter_add(summed, index, moved)  # outputs that copied the same pixel add up
            grad = xp.moveaxis(summed, 0, dim)
        return grad, None, None

    def name(self) -> str:
        kind = {"reflect": "Reflection", "replicate": "Replication", "circular": "Circular"}
        return f"{kind[self.mode]}Pad{self.dims}DBackward0"
