r"""Sliding windows: the one idea behind convolution and pooling.

A 2-D window of size $k_h \times k_w$ slides over an image with a ``stride``, after ``padding``
the borders; its taps may be spread out by a ``dilation``. At output position $(i, j)$, tap
$(a, b)$ of the window sits on the (padded) input pixel

$$x[\,i s_h + a\,d_h,\; j s_w + b\,d_w\,].$$

Two ways to look at the same numbers:

* **per window** (:func:`im2col`): every window's pixels laid out as one column of a matrix,
  one matrix per image: (N, C·KH·KW, OH·OW). A convolution is then one matrix product.
* **per tap** (:func:`tap`): for a fixed tap $(a, b)$, the pixel under it in every window is a
  strided slice of the image, (N, C, OH, OW). Pooling is a max or a sum over the taps, and
  gradients go back tap by tap (:func:`col2im`): one vectorised ``+=`` per tap, where a pixel that
  sits in several windows (stride < kernel) collects the sum.
"""
from __future__ import annotations

from typing import Any

from ..autograd.function import Function
from ..device import array_module, as_strided

Pair = tuple[int, int]
Padding = tuple[int, int, int, int]  # top, bottom, left, right


def out_size(size: int, kernel: int, stride: int, pad: int, dilation: int) -> int:
    r"""How many window positions fit: $\lfloor (n + p - d(k-1) - 1) / s \rfloor + 1$.

    ``pad`` is the total padding on both sides of this dim.
    """
    return (size + pad - dilation * (kernel - 1) - 1) // stride + 1


def pad2d(x: Any, padding: Padding, value: float = 0.0) -> Any:
    """``x`` (N, C, H, W) with ``padding`` (top, bottom, left, right) filled with ``value``."""
    top, bottom, left, right = padding
    if not (top or bottom or left or right):
        return x
    xp = array_module(x)
    n, c, h, w = x.shape
    out = xp.full((n, c, h + top + bottom, w + left + right), value, dtype=x.dtype)
    out[:, :, top : top + h, left : left + w] = x
    return out


def unpad2d(x: Any, padding: Padding) -> Any:
    """Cut ``padding`` (top, bottom, left, right) off (N, C, H, W): :func:`pad2d`'s gradient."""
    top, bottom, left, right = padding
    if not (top or bottom or left or right):
        return x
    h, w = x.shape[2], x.shape[3]
    return x[:, :, top : h - bottom, left : w - right]


def tap_slices(a: int, b: int, stride: Pair, dilation: Pair, out: Pair) -> tuple[slice, slice]:
    """The rows and columns that tap (a, b) visits, one per output position."""
    (sh, sw), (dh, dw), (oh, ow) = stride, dilation, out
    return (slice(a * dh, a * dh + sh * (oh - 1) + 1, sh),
            slice(b * dw, b * dw + sw * (ow - 1) + 1, sw))


def tap(x: Any, a: int, b: int, stride: Pair, dilation: Pair, out: Pair) -> Any:
    """The pixel under tap (a, b) of every window of padded ``x``: a view (N, C, OH, OW)."""
    rows, columns = tap_slices(a, b, stride, dilation, out)
    return x[:, :, rows, columns]


def im2col(x: Any, kernel: Pair, stride: Pair, dilation: Pair, out: Pair) -> Any:
    """Every window of padded ``x`` (N, C, H, W) as a column, one matrix per image:
    (N, C·KH·KW, OH·OW).

    ``sliding_window_view`` lists the window at every pixel without copying; slicing with steps
    keeps every ``stride``-th window and every ``dilation``-th tap. The final reshape copies the
    windows into the matrix (this copy is the price of turning a convolution into a matmul).
    Why one matrix per image, not one (C·KH·KW, N·OH·OW) matrix for the batch: row (c, a, b) of
    image n is then one strided slice of that image, so the copy reads memory in order, and
    ``W @ cols`` comes out as (N, O, OH·OW), already the layout of the output.
    """
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out
    xp = array_module(x)
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)  # what a dilated window covers
    # subok: an array subclass (the simulated GPU's) stays what it is
    every = xp.lib.stride_tricks.sliding_window_view(x, span, axis=(2, 3), subok=True)
    wins = every[:, :, : sh * (oh - 1) + 1 : sh, : sw * (ow - 1) + 1 : sw, ::dh, ::dw]
    n, c = x.shape[:2]  # wins: (N, C, OH, OW, KH, KW) -> (N, C, KH, KW, OH, OW)
    return wins.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * kh * kw, oh * ow)


def col2im(cols: Any, padded_shape: tuple, kernel: Pair, stride: Pair, dilation: Pair) -> Any:
    """Add each column (window) back onto the pixels it came from: the adjoint of :func:`im2col`.

    ``cols`` is (N, C·KH·KW, OH·OW); the result has ``padded_shape`` (N, C, H, W). For tap
    (a, b), the windows' values land on one strided slice of the image: one ``+=`` per tap.
    """
    xp = array_module(cols)
    n, c = padded_shape[:2]
    kh, kw = kernel
    oh, ow = out_size(padded_shape[2], kh, stride[0], 0, dilation[0]), out_size(
        padded_shape[3], kw, stride[1], 0, dilation[1])
    taps = cols.reshape(n, c, kh, kw, oh, ow)
    image = xp.zeros(padded_shape, dtype=cols.dtype)
    for a in range(kh):
        for b in range(kw):
            rows, columns = tap_slices(a, b, stride, dilation, (oh, ow))
            image[:, :, rows, columns] += taps[:, :, a, b]
    return image


class Unfold(Function):
    """``x.unfold(dim, size, step)``: every window of ``size`` elements along ``dim``, ``step``
    apart, as a view (the windows replace ``dim``, their elements form a new last dim).
    Backward adds each window's gradient back onto its elements, one window offset at a time."""

    array_io = True

    @staticmethod
    def forward(ctx, x, dim, size, step):
        ctx.shape, ctx.dim, ctx.size, ctx.step = x.shape, dim, size, step
        if x.ndim == 0:  # a number is one window of one element
            return x.reshape(1)
        count = (x.shape[dim] - size) // step + 1
        shape = x.shape[:dim] + (count,) + x.shape[dim + 1:] + (size,)
        strides = (*x.strides[:dim], x.strides[dim] * step, *x.strides[dim + 1:], x.strides[dim])
        return as_strided(x, shape, strides)

    @staticmethod
    def backward(ctx, grad):
        if not ctx.shape:
            return grad.reshape(()), None, None, None
        xp = array_module(grad)
        full = xp.zeros(ctx.shape, dtype=grad.dtype)
        count = grad.shape[ctx.dim]
        for k in range(ctx.size):  # offset k of every window: one strided slice of x
            where = (slice(None),) * ctx.dim + (slice(k, k + ctx.step * (count - 1) + 1, ctx.step),)
            full[where] += grad[..., k]
        return full, None, None, None
