r"""Pooling: summarise each window of an image by its maximum or its mean.

Pooling uses the same sliding windows as convolution (``windows.py``), with no weights:

* **max pool**: $y = \max_{(a,b)} x[i s + a d, j s + b d]$. Only the largest pixel of a window
  affects $y$, so the gradient goes to it alone (the first one, if several tie), and is 0 for the
  others: $\partial y/\partial x = [x \text{ is the window's argmax}]$.
* **average pool**: $y = \frac{1}{|w|}\sum x$ over the window, so every pixel of the window
  gets $\partial y/\partial x = 1/|w|$.

Both work tap by tap (``windows.py``): the max or the sum over the KH·KW taps of every window at
once, and backward hands each window's gradient back tap by tap; pixels in several windows
(stride < kernel) add up what they receive.
"""
from __future__ import annotations

import math

from ..autograd.function import Function
from ..device import array_module
from .windows import out_size, pad2d, tap, tap_slices, unpad2d


def pool_out_size(size: int, kernel: int, stride: int, pad: int, dilation: int,
                  ceil_mode: bool) -> int:
    """PyTorch's pooling output size; with ``ceil_mode`` a last, partial window is kept, as long as
    it starts inside the input or its left padding."""
    if not ceil_mode:
        return out_size(size, kernel, stride, 2 * pad, dilation)
    n = math.ceil((size + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1
    return n - 1 if (n - 1) * stride >= size + pad else n


def _geometry(x, kernel, stride, padding, dilation, ceil_mode):
    """Output size and the padding (top, bottom, left, right) that makes every window fit."""
    h, w = x.shape[2], x.shape[3]
    oh = pool_out_size(h, kernel[0], stride[0], padding[0], dilation[0], ceil_mode)
    ow = pool_out_size(w, kernel[1], stride[1], padding[1], dilation[1], ceil_mode)
    # ceil_mode's last window may hang over the bottom/right: pad a little more there
    bottom = max(padding[0], (oh - 1) * stride[0] + dilation[0] * (kernel[0] - 1) + 1 - h
                 - padding[0])
    right = max(padding[1], (ow - 1) * stride[1] + dilation[1] * (kernel[1] - 1) + 1 - w
                - padding[1])
    return (oh, ow), (padding[0], bottom, padding[1], right)


def window_max(x, kernel, stride, padding, dilation, ceil_mode):
    """Each window's max (N, C, OH, OW), which tap held it, and the padding used (for
    ``return_indices``, and for max pooling's backward when NaNs are around).

    A running max over the taps; ``arg`` moves to tap $t$ where it is strictly larger, so the
    first of equal values wins, as in PyTorch. A NaN wins over everything (NaN propagates).
    """
    out, pad = _geometry(x, kernel, stride, padding, dilation, ceil_mode)
    xp = array_module(x)
    neg_inf = float("-inf") if x.dtype.kind == "f" else xp.iinfo(x.dtype).min
    xpad = pad2d(x, pad, neg_inf)
    taps = [tap(xpad, t // kernel[1], t % kernel[1], stride, dilation, out)
            for t in range(kernel[0] * kernel[1])]
    best = taps[0]
    arg = xp.zeros(best.shape, dtype=xp.int64)
    for t, value in enumerate(taps[1:], start=1):
        arg[value > best] = t
        best = xp.maximum(best, value)  # NaN-propagating, like PyTorch's max pool
    if x.dtype.kind == "f" and bool(xp.isnan(best).any()):  # rare: point at the first NaN
        for t in reversed(range(len(taps))):
            arg[xp.isnan(taps[t])] = t
    return best, arg, pad


def max_indices(x, kernel, stride, padding, dilation, ceil_mode):
    """For ``return_indices``: per output, the flat index ``row * W + col`` of the input pixel
    it came from. (N, C, H, W) or (C, H, W) in, int64 (N, C, OH, OW) out."""
    unbatched = x.ndim == 3
    x = x[None] if unbatched else x
    _, arg, pad = window_max(x, kernel, stride, padding, dilation, ceil_mode)
    xp = array_module(x)
    oh, ow = arg.shape[2:]
    rows = xp.arange(oh)[:, None] * stride[0] - pad[0] + (arg // kernel[1]) * dilation[0]
    columns = xp.arange(ow) * stride[1] - pad[2] + (arg % kernel[1]) * dilation[1]
    indices = rows * x.shape[3] + columns
    return indices[0] if unbatched else indices


class MaxPool2DWithIndices(Function):
    r"""$y = \max$ of each window; backward routes $G$ to each window's (first) maximum.

    Forward is a max over the taps: KH·KW - 1 ``maximum``s of strided slices. Backward finds
    the winner again, tap by tap: the first tap equal to $y$ takes the window's gradient, and
    later equal taps find it already taken (PyTorch's rule for ties). Accepts (N, C, H, W) or
    (C, H, W).
    """

    array_io = True
    grad_tracks_input = True  # as in PyTorch: create_graph gradients stay attached to x

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, dilation, ceil_mode):
        ctx.unbatched = x.ndim == 3
        x = x[None] if ctx.unbatched else x
        out, pad = _geometry(x, kernel, stride, padding, dilation, ceil_mode)
        xp = array_module(x)
        neg_inf = float("-inf") if x.dtype.kind == "f" else xp.iinfo(x.dtype).min
        xpad = pad2d(x, pad, neg_inf)
        taps = [tap(xpad, t // kernel[1], t % kernel[1], stride, dilation, out)
                for t in range(kernel[0] * kernel[1])]
        y = taps[0]
        for value in taps[1:]:
            y = xp.maximum(y, value)  # NaN-propagating, like PyTorch's max pool
        ctx.arg = None  # which tap won: found again in backward, except where NaNs make y != x
        if x.dtype.kind == "f" and bool(xp.isnan(y).any()):
            _, ctx.arg, _ = window_max(x, kernel, stride, padding, dilation, ceil_mode)
        ctx.taps, ctx.y = taps, y
        ctx.geometry = (x.shape, pad, kernel, stride, dilation)
        return y[0] if ctx.unbatched else y

    @staticmethod
    def backward(ctx, grad):
        shape, pad, kernel, stride, dilation = ctx.geometry
        grad = grad[None] if ctx.unbatched else grad
        taps, y = ctx.taps, ctx.y
        if ctx.arg is not None:  # NaNs about (NaN != NaN): the winning tap was written down
            taps, y = [ctx.arg == t for t in range(len(taps))], True
        image = max_pool_backward(grad, taps, y, _padded(shape, pad), kernel, stride, dilation)
        grad_x = unpad2d(image, pad)
        return grad_x[0] if ctx.unbatched else grad_x

    def name(self) -> str:
        return "MaxPool2DWithIndicesBackward0"


def max_pool_backward(grad, taps, y, padded_shape, kernel, stride, dilation):
    r"""Max pooling's gradient: each window's gradient goes to the window's first maximum.

    ``grad`` (N, C, OH, OW); ``taps[t]`` (N, C, OH, OW) the pixel under tap
    $t = a \cdot KW + b$ of every window; ``y`` the windows' maxima. Returns the gradient of the
    padded input, ``padded_shape``. Tap by tap, the first tap equal to $y$ takes the window's
    gradient; later equal taps find it already taken (PyTorch's rule for ties).
    """
    xp = array_module(grad)
    image = xp.zeros(padded_shape, dtype=grad.dtype)
    zero = xp.zeros((), dtype=grad.dtype)
    finite = bool(xp.isfinite(grad).all())  # then G * mask is exact (inf * 0 is not)
    # windows apart (e.g. kernel 2, stride 2): each pixel is under one tap of one window, so
    # a tap's share can be written straight into the image instead of added to it
    apart = all(s >= d * (k - 1) + 1 for s, d, k in zip(stride, dilation, kernel, strict=True))
    left = grad  # the gradient of the windows whose maximum is not found yet
    for t in range(len(taps)):
        rows, columns = tap_slices(t // kernel[1], t % kernel[1], stride, dilation,
                                   grad.shape[2:])
        wins = taps[t] == y
        if finite and apart:
            share = xp.multiply(left, wins, out=image[:, :, rows, columns])
        else:
            share = left * wins if finite else xp.where(wins, left, zero)
            image[:, :, rows, columns] += share
        if t < len(taps) - 1:  # a later tie finds the window's gradient taken: 0
            left = left - share if finite else xp.where(wins, zero, left)
    return image


class AvgPool2D(Function):
    r"""$y$ = the sum of each window over its size; backward gives each pixel $G/\text{size}$.

    The size (divisor) follows PyTorch: padding counts (``count_include_pad=True``) except the
    extra padding of ``ceil_mode``; ``divisor_override`` replaces it.
    """

    array_io = True
    grad_tracks_input = True  # as in PyTorch: create_graph gradients stay attached to x

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
        ctx.unbatched = x.ndim == 3
        x = x[None] if ctx.unbatched else x
        out, pad = _geometry(x, kernel, stride, padding, (1, 1), ceil_mode)
        xp = array_module(x)
        xpad = pad2d(x, pad)
        total = tap(xpad, 0, 0, stride, (1, 1), out).copy()
        for t in range(1, kernel[0] * kernel[1]):
            total += tap(xpad, t // kernel[1], t % kernel[1], stride, (1, 1), out)
        if divisor_override:
            divisor = xp.asarray(float(divisor_override), dtype=x.dtype)
        else:
            divisor = _divisors(xp, x.shape[2:], out, kernel, stride, padding,
                                count_include_pad, x.dtype)
        ctx.divisor, ctx.geometry = divisor, (x.shape, pad, kernel, stride)
        y = total / divisor
        return y[0] if ctx.unbatched else y

    @staticmethod
    def backward(ctx, grad):
        shape, pad, kernel, stride = ctx.geometry
        xp = array_module(grad)
        grad = grad[None] if ctx.unbatched else grad
        share = grad / ctx.divisor  # every pixel of a window gets G / size
        image = xp.zeros(_padded(shape, pad), dtype=grad.dtype)
        for t in range(kernel[0] * kernel[1]):
            rows, columns = tap_slices(t // kernel[1], t % kernel[1], stride, (1, 1),
                                       grad.shape[2:])
            image[:, :, rows, columns] += share
        grad_x = unpad2d(image, pad)
        return grad_x[0] if ctx.unbatched else grad_x


def _padded(shape, pad):
    return (shape[0], shape[1], shape[2] + pad[0] + pad[1], shape[3] + pad[2] + pad[3])


def _divisors(xp, size, out, kernel, stride, padding, count_include_pad, dtype):
    """PyTorch's divisor per output position (OH, OW) for average pooling."""
    per_dim = []
    for n, o, k, s, p in zip(size, out, kernel, stride, padding, strict=True):
        start = xp.arange(o) * s - p
        end = xp.minimum(start + k, n + p)
        with_pad = end - start
        inside = xp.minimum(end, n) - xp.maximum(start, 0)
        per_dim.append(with_pad if count_include_pad else inside)
    return xp.outer(per_dim[0], per_dim[1]).astype(dtype)


def adaptive_ranges(size: int, out: int) -> list[tuple[int, int]]:
    r"""Window $i$ of ``out`` covers $[\lfloor i n/o \rfloor, \lceil (i+1) n/o \rceil)$."""
    return [((i * size) // out, -(-((i + 1) * size) // out)) for i in range(out)]


class AdaptiveAvgPool2D(Function):
    r"""Average pooling to a fixed output size: window $(i, j)$ is the mean of its range.

    Windows may differ in size by one pixel (and overlap); backward spreads each output's
    gradient evenly over its window.
    """

    array_io = True
    grad_tracks_input = True  # as in PyTorch: create_graph gradients stay attached to x

    @staticmethod
    def forward(ctx, x, output_size):
        xp = array_module(x)
        hs = adaptive_ranges(x.shape[-2], output_size[0])
        ws = adaptive_ranges(x.shape[-1], output_size[1])
        y = xp.empty((*x.shape[:-2], len(hs), len(ws)), dtype=x.dtype)
        for i, (h0, h1) in enumerate(hs):
            for j, (w0, w1) in enumerate(ws):
                y[..., i, j] = x[..., h0:h1, w0:w1].mean(axis=(-2, -1))
        ctx.shape, ctx.ranges = x.shape, (hs, ws)
        return y

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        hs, ws = ctx.ranges
        grad_x = xp.zeros(ctx.shape, dtype=grad.dtype)
        for i, (h0, h1) in enumerate(hs):
            for j, (w0, w1) in enumerate(ws):
                grad_x[..., h0:h1, w0:w1] += grad[..., i, j, None, None] / ((h1 - h0) * (w1 - w0))
        return grad_x, None

    def name(self) -> str:
        return "AdaptiveAvgPool2DBackward0"
