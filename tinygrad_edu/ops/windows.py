r"""Sliding windows: the one idea behind convolution and pooling.

A 2-D window of size $k_h \times k_w$ slides over an image with a ``stride``, after ``padding``
the borders; its taps may be spread out by a ``dilation``. At output position $(i, j)$ the
window covers the (padded) input pixels

$$x[\,i s_h + a\,d_h,\; j s_w + b\,d_w\,] \qquad a < k_h,\ b < k_w.$$

* :func:`windows` gives every window at once, as a *view* (no copy) of shape
  ``(N, C, OH, OW, KH, KW)``: NumPy's ``sliding_window_view`` then a strided slice.
* :func:`col2im` goes the other way for gradients: each window's gradient is added back onto the
  pixels it covered. A pixel seen by several windows (overlap) collects the sum. This is
  ``scatter-add``, written as one vectorised ``+=`` per kernel tap $(a, b)$.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..device import array_module

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


def windows(x: Any, kernel: Pair, stride: Pair, dilation: Pair, out: Pair) -> Any:
    """Every window of the (already padded) ``x`` (N, C, H, W): a view (N, C, OH, OW, KH, KW).

    ``sliding_window_view`` lists the windows at every pixel (stride 1, no dilation) without
    copying anything; slicing with steps picks every ``stride``-th window and, inside each
    window, every ``dilation``-th tap. ``out`` = (OH, OW) drops windows that would hang off
    the edge.
    """
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1  # what a dilated window covers
    xp = array_module(x)
    subok = {"subok": True} if isinstance(x, np.ndarray) else {}  # keep a simulated GPU's type
    all_windows = xp.lib.stride_tricks.sliding_window_view(x, (span_h, span_w), axis=(2, 3),
                                                           **subok)
    return all_windows[:, :, : sh * (oh - 1) + 1 : sh, : sw * (ow - 1) + 1 : sw, ::dh, ::dw]


def col2im(cols: Any, padded_shape: tuple, stride: Pair, dilation: Pair) -> Any:
    """Add each window's values back onto the pixels it covered: the adjoint of :func:`windows`.

    ``cols`` has the shape of ``windows(...)``: (N, C, OH, OW, KH, KW). The result has
    ``padded_shape`` (N, C, H, W). For kernel tap $(a, b)$, the windows' taps land on the
    pixels ``a*dh + i*sh`` (for every output row i): one strided slice, one ``+=``.
    """
    xp = array_module(cols)
    _, _, oh, ow, kh, kw = cols.shape
    (sh, sw), (dh, dw) = stride, dilation
    out = xp.zeros(padded_shape, dtype=cols.dtype)
    for a in range(kh):
        for b in range(kw):
            rows = slice(a * dh, a * dh + sh * (oh - 1) + 1, sh)
            columns = slice(b * dw, b * dw + sw * (ow - 1) + 1, sw)
            out[:, :, rows, columns] += cols[:, :, :, :, a, b]
    return out


def unpad2d(x: Any, padding: Padding) -> Any:
    """Cut ``padding`` (top, bottom, left, right) off (N, C, H, W): the gradient of :func:`pad2d`."""
    top, bottom, left, right = padding
    h, w = x.shape[2], x.shape[3]
    return x[:, :, top : h - bottom, left : w - right]
