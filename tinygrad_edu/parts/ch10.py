"""Chapter 10 (convolutions): im2col, the convolution's forward as one matmul, max pooling's
backward. Every ``F.conv2d``, ``nn.Conv2d``, ``F.max_pool2d`` and ``nn.MaxPool2d`` runs on them.

The visible tests compare with convolution and pooling written out as plain loops over every
output pixel (the definition, slow and obviously right), never with the reference.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import tinygrad_edu as tg

from ..ops import conv, pool, windows
from .registry import define, outputs_of, tests_of
from .testing import close, current


@define("ops.windows.im2col", 10, [(windows, "im2col")], task="ch10.im2col")
def im2col(x: Any, kernel: tuple, stride: tuple, dilation: tuple, out: tuple) -> Any:
    """Every window of ``x`` as a column, one matrix per image: (N, C·KH·KW, OH·OW).

    ``x``: a (N, C, H, W) array, already padded. ``kernel`` (KH, KW), ``stride`` (SH, SW),
    ``dilation`` (DH, DW) and ``out`` (OH, OW, the number of window positions) are pairs.
    Entry ``[n, (c·KH + a)·KW + b, i·OW + j]`` is the pixel under tap (a, b) of window (i, j):
    ``x[n, c, i·SH + a·DH, j·SW + b·DW]``. Keep x's dtype, and make any new array with
    ``xp = tinygrad_edu.device.array_module(x)`` (x may live on a GPU). ``F.conv2d`` and
    ``nn.Conv2d`` compute with it, so it must be quick: no Python loop over pixels or windows.
    """


@define("ops.conv.conv2d_forward", 10, [(conv, "conv2d_forward")], task="ch10.conv2d_forward")
def conv2d_forward(x: Any, weight: Any, bias: Any, stride: tuple, padding: tuple,
                   dilation: tuple, groups: int) -> tuple:
    """A convolution's forward on arrays, as one matmul: returns ``(y, cols)``.

    ``x`` (N, C, H, W), ``weight`` (O, C/G, KH, KW) and ``bias`` (O,) or None are arrays;
    ``stride`` and ``dilation`` are pairs, ``padding`` is (top, bottom, left, right) and
    ``groups`` G divides C and O. Pad x with zeros (``windows.pad2d(x, padding)``), find
    (OH, OW) with ``windows.out_size(size, k, stride, total_padding, dilation)`` and take the
    columns with ``windows.im2col`` (``from tinygrad_edu.ops import windows``; looked up at call
    time, so it is your part from the task before).

    ``y`` (N, O, OH, OW): ``y[n, o, i, j]`` = bias[o] + the dot product of filter ``weight[o]``
    with the window (i, j) of image n. With G groups, filter o sees only the C/G channels of
    its group ``o // (O/G)``: reshape the columns to (N, G, C/G·KH·KW, OH·OW) and the weight to
    (G, O/G, C/G·KH·KW), and one batched matmul does every image and group. Return those
    reshaped columns as ``cols``: backward reuses them for the weight's gradient.
    """


@define("ops.pool.max_pool_backward", 10, [(pool, "max_pool_backward")],
        task="ch10.max_pool_backward")
def max_pool_backward(grad: Any, taps: list, y: Any, padded_shape: tuple, kernel: tuple,
                      stride: tuple, dilation: tuple) -> Any:
    """Max pooling's backward: each window's gradient goes to the window's first maximum.

    ``grad`` (N, C, OH, OW): the gradient of each window's output. ``taps``: a list of KH·KW
    arrays (N, C, OH, OW); ``taps[t]`` holds the pixel under tap t = a·KW + b of every window,
    which is pixel ``[n, c, i·SH + a·DH, j·SW + b·DW]`` of the padded input. ``y``: each
    window's maximum (equal to one or more of its taps). ``kernel``, ``stride``, ``dilation``:
    pairs. Return the gradient of the padded input: an array of ``padded_shape`` and grad's
    dtype.

    A window's whole gradient goes to its first tap (lowest t) equal to ``y``; its other taps
    get exactly 0 from it, even where the gradient is inf or nan. Windows overlap when the
    stride is smaller than the kernel: a pixel then adds up what each window gives it. Use
    ``xp = tinygrad_edu.device.array_module(grad)`` and xp's functions only: under
    ``create_graph=True`` the same code runs on Tensors.
    """


# ------------------------------------------------------------------ the definitions, as loops
def _conv_loops(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, stride: tuple,
                padding: tuple, dilation: tuple, groups: int) -> np.ndarray:
    """The convolution straight from its definition: one dot product per output pixel."""
    top, bottom, left, right = padding
    x = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    (n, _, h, wd), (o, cg, kh, kw) = x.shape, w.shape
    oh = (h - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (wd - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    y = np.zeros((n, o, oh, ow), dtype=np.result_type(x, w))
    per_group = o // groups
    for f in range(o):
        first = (f // per_group) * cg  # the group's first channel
        for i in range(oh):
            for j in range(ow):
                rows = slice(i * stride[0], i * stride[0] + dilation[0] * (kh - 1) + 1,
                             dilation[0])
                cols = slice(j * stride[1], j * stride[1] + dilation[1] * (kw - 1) + 1,
                             dilation[1])
                window = x[:, first : first + cg, rows, cols]
                y[:, f, i, j] = (window * w[f]).sum(axis=(1, 2, 3)) + (0 if b is None else b[f])
    return y


def _max_pool_grad_loops(x: np.ndarray, grad: np.ndarray, k: int, s: int) -> np.ndarray:
    """Max pooling's gradient from its definition: window by window, the first maximum."""
    out = np.zeros(x.shape, dtype=grad.dtype)
    n, c, oh, ow = grad.shape
    for m in range(n):
        for ch in range(c):
            for i in range(oh):
                for j in range(ow):
                    window = x[m, ch, i * s : i * s + k, j * s : j * s + k]
                    a, b = np.unravel_index(np.argmax(window), window.shape)  # the first max
                    out[m, ch, i * s + a, j * s + b] += grad[m, ch, i, j]
    return out


def _random(seed: int, *shapes: tuple) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


# --------------------------------------------------------------------------------- im2col
def _im2col_loops(x: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple,
                  out: tuple) -> np.ndarray:
    (n, c), (kh, kw), (oh, ow) = x.shape[:2], kernel, out
    cols = np.zeros((n, c * kh * kw, oh * ow), dtype=x.dtype)
    for ch in range(c):
        for a in range(kh):
            for b in range(kw):
                for i in range(oh):
                    for j in range(ow):
                        pixel = x[:, ch, i * stride[0] + a * dilation[0],
                                  j * stride[1] + b * dilation[1]]
                        cols[:, (ch * kh + a) * kw + b, i * ow + j] = pixel
    return cols


def _check_im2col(x: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple) -> None:
    out = tuple(windows.out_size(x.shape[2 + d], kernel[d], stride[d], 0, dilation[d])
                for d in range(2))
    got = np.asarray(current("ops.windows.im2col")(x, kernel, stride, dilation, out))
    what = f"im2col of a {x.shape} array, kernel {kernel}, stride {stride}, dilation {dilation}"
    assert got.dtype == x.dtype, f"{what}: dtype {got.dtype}, expected {x.dtype}"
    close(got, _im2col_loops(x, kernel, stride, dilation, out), atol=0, rtol=0, what=what)


@tests_of("ops.windows.im2col")
def test_im2col_one_image_numbered_pixels() -> None:
    """Column (i, j) holds window (i, j): its pixels channel by channel, row by row."""
    _check_im2col(np.arange(16.0).reshape(1, 1, 4, 4), (2, 2), (1, 1), (1, 1))
    _check_im2col(np.arange(18.0).reshape(1, 2, 3, 3), (2, 2), (1, 1), (1, 1))


@tests_of("ops.windows.im2col")
def test_im2col_batches_strides_and_dilation() -> None:
    """Each image gets its own matrix; a stride skips window positions, a dilation spreads a
    window's taps apart, and a kernel need not be square."""
    (x,) = _random(0, (2, 3, 6, 7))
    _check_im2col(x, (3, 2), (1, 1), (1, 1))
    _check_im2col(x, (2, 3), (2, 2), (1, 1))
    _check_im2col(x, (2, 2), (1, 2), (2, 2))


@tests_of("ops.windows.im2col")
def test_conv2d_computes_with_im2col() -> None:
    """``F.conv2d`` is ``W @ im2col(x)``: with your im2col it still equals the definition."""
    x, w, b = _random(1, (2, 3, 6, 6), (4, 3, 3, 3), (4,))
    got = tg.nn.functional.conv2d(tg.tensor(x), tg.tensor(w), tg.tensor(b), stride=2, padding=1)
    close(got, _conv_loops(x, w, b, (2, 2), (1, 1, 1, 1), (1, 1), 1), atol=1e-9)


@tests_of("ops.windows.im2col", hidden=True)
def test_im2col_edges() -> None:
    """One-pixel kernels, a window as large as the image, float32, wide strides."""
    x32 = _random(2, (3, 2, 5, 5))[0].astype(np.float32)
    _check_im2col(x32, (1, 1), (1, 1), (1, 1))
    _check_im2col(x32, (5, 5), (1, 1), (1, 1))
    _check_im2col(x32, (2, 1), (3, 4), (2, 1))


# --------------------------------------------------------------------------- conv2d_forward
def _check_conv(seed: int, x_shape: tuple, w_shape: tuple, bias: bool = True,
                stride: tuple = (1, 1), padding: tuple = (0, 0, 0, 0),
                dilation: tuple = (1, 1), groups: int = 1, dtype: Any = np.float64) -> None:
    x, w, b = (a.astype(dtype) for a in _random(seed, x_shape, w_shape, (w_shape[0],)))
    b = b if bias else None
    result = current("ops.conv.conv2d_forward")(x, w, b, stride, padding, dilation, groups)
    assert isinstance(result, tuple) and len(result) == 2, (
        f"conv2d_forward returns a pair (y, cols), got {type(result).__name__}"
    )
    y, cols = result
    want = _conv_loops(x, w, b, stride, padding, dilation, groups)
    what = (f"conv of x {x_shape} with weight {w_shape}, stride {stride}, padding {padding}, "
            f"dilation {dilation}, groups {groups}")
    tol = 1e-9 if dtype == np.float64 else 1e-4  # float64 to float64's precision
    close(y, want, atol=tol, rtol=tol, what=what)
    assert y.dtype == dtype, f"{what}: dtype {y.dtype}, expected {np.dtype(dtype)}"
    n, (_, cg, kh, kw) = x_shape[0], w_shape
    expected_cols = (n, groups, cg * kh * kw, want.shape[2] * want.shape[3])
    assert tuple(cols.shape) == expected_cols, (
        f"{what}: cols has shape {tuple(cols.shape)}, expected {expected_cols} (N, G, K, P)"
    )


@tests_of("ops.conv.conv2d_forward")
def test_conv_forward_is_the_definition() -> None:
    """Each output pixel is the dot product of a filter with one window, plus the filter's
    bias: one matmul of the flattened filters with the columns does them all."""
    _check_conv(0, (1, 1, 5, 5), (1, 1, 3, 3), bias=False)
    _check_conv(1, (2, 3, 6, 6), (4, 3, 3, 3))


@tests_of("ops.conv.conv2d_forward")
def test_conv_forward_stride_padding_dilation() -> None:
    """Zero padding goes around height and width only (it may differ per side); stride and
    dilation only change which pixels each window holds."""
    _check_conv(2, (2, 2, 7, 7), (3, 2, 3, 3), stride=(2, 2), padding=(1, 1, 1, 1))
    _check_conv(3, (1, 2, 6, 8), (2, 2, 2, 3), padding=(0, 1, 2, 0), dilation=(2, 1))


@tests_of("ops.conv.conv2d_forward")
def test_conv_forward_groups() -> None:
    """Groups split the channels and the filters into independent convolutions: a filter of
    group g sees only group g's channels."""
    _check_conv(4, (2, 4, 5, 5), (6, 2, 3, 3), groups=2)
    _check_conv(5, (1, 3, 4, 4), (3, 1, 2, 2), groups=3)  # depthwise: one channel each


@tests_of("ops.conv.conv2d_forward")
def test_conv_layer_trains_on_it() -> None:
    """``nn.Conv2d`` runs your forward; backward reuses the columns you returned."""
    tg.manual_seed(0)
    layer = tg.nn.Conv2d(2, 3, 3, padding=1).double()
    (x,) = _random(6, (2, 2, 5, 5))
    y = layer(tg.tensor(x))
    want = _conv_loops(x, layer.weight.detach().numpy(), layer.bias.detach().numpy(), (1, 1),
                       (1, 1, 1, 1), (1, 1), 1)
    close(y, want, atol=1e-9)
    (y * y).sum().backward()
    eps, w = 1e-6, layer.weight.detach().numpy().copy()
    bumped = w.copy()
    bumped[1, 0, 2, 1] += eps  # one weight, by a finite difference
    b = layer.bias.detach().numpy()
    slope = ((_conv_loops(x, bumped, b, (1, 1), (1, 1, 1, 1), (1, 1), 1) ** 2).sum()
             - (want**2).sum()) / eps
    close(layer.weight.grad.numpy()[1, 0, 2, 1], slope, rtol=1e-4, atol=1e-4,
          what="dL/dweight[1, 0, 2, 1]")


@tests_of("ops.conv.conv2d_forward", hidden=True)
def test_conv_forward_float32_and_1d() -> None:
    """float32 stays float32; a 1-D convolution is a 2-D one on images of height 1."""
    _check_conv(7, (3, 4, 6, 5), (2, 2, 2, 2), stride=(2, 1), groups=2, dtype=np.float32)
    _check_conv(8, (1, 3, 9, 9), (2, 3, 3, 3), stride=(3, 3), padding=(1, 1, 1, 1))
    x, w = _random(9, (2, 2, 7), (3, 2, 3))
    got = tg.nn.functional.conv1d(tg.tensor(x), tg.tensor(w), padding=1)
    want = _conv_loops(x[:, :, None], w[:, :, None], None, (1, 1), (0, 0, 1, 1), (1, 1), 1)
    close(got, want[:, :, 0], atol=1e-9)


# ----------------------------------------------------------------------- max_pool_backward
def _pool_grad(x: np.ndarray, k: int, s: int, grad_seed: int = 0, grad: Any = None) -> Any:
    t = tg.tensor(x, requires_grad=True)
    y = tg.nn.functional.max_pool2d(t, k, s)
    if grad is None:
        grad = np.random.default_rng(grad_seed).standard_normal(tuple(y.shape))
    y.backward(tg.tensor(grad))
    return t.grad.numpy(), grad


@tests_of("ops.pool.max_pool_backward")
def test_max_pool_gradient_goes_to_the_maximum() -> None:
    """A window's output is one of its pixels, so the window's whole gradient goes to that
    pixel and the others get 0; pixels no window covers get 0 too."""
    for shape, k in [((1, 1, 4, 4), 2), ((2, 3, 6, 6), 3), ((1, 2, 7, 5), 2)]:
        (x,) = _random(10, shape)
        got, grad = _pool_grad(x, k, k)
        close(got, _max_pool_grad_loops(x, grad, k, k), what=f"max_pool2d({shape}, {k})")


@tests_of("ops.pool.max_pool_backward")
def test_max_pool_ties_first_maximum_wins() -> None:
    """With equal values in a window, only the first maximum (row by row) gets the gradient,
    as in PyTorch."""
    x = np.random.default_rng(11).integers(0, 2, (2, 2, 6, 6)).astype(np.float64)
    got, grad = _pool_grad(x, 3, 3)
    close(got, _max_pool_grad_loops(x, grad, 3, 3), what="max pooling of 0s and 1s")
    got, grad = _pool_grad(np.ones((1, 1, 4, 4)), 2, 2)
    close(got, _max_pool_grad_loops(np.ones((1, 1, 4, 4)), grad, 2, 2), what="all ties")


@tests_of("ops.pool.max_pool_backward")
def test_max_pool_overlapping_windows_add_up() -> None:
    """When the stride is smaller than the kernel, one pixel can be the maximum of several
    windows: it receives the sum of their gradients."""
    (x,) = _random(12, (1, 2, 6, 6))
    got, grad = _pool_grad(x, 3, 1)
    close(got, _max_pool_grad_loops(x, grad, 3, 1), what="max_pool2d(kernel 3, stride 1)")


@tests_of("ops.pool.max_pool_backward", hidden=True)
def test_max_pool_infinite_gradient_and_padding() -> None:
    """A non-maximum gets exactly 0, even from an infinite gradient (inf * 0 would be nan);
    padding (-inf) never wins a window."""
    x = np.array([[[[1.0, 5.0], [2.0, 3.0]]]])
    got, _ = _pool_grad(x, 2, 2, grad=np.array([[[[np.inf]]]]))
    close(got, [[[[0.0, np.inf], [0.0, 0.0]]]], what="an infinite gradient")
    (x,) = _random(13, (1, 1, 5, 5))
    t = tg.tensor(x, requires_grad=True)
    tg.nn.functional.max_pool2d(t, 3, 2, padding=1, dilation=1).sum().backward()
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)), constant_values=-np.inf)
    want = _max_pool_grad_loops(padded, np.ones((1, 1, 3, 3)), 3, 2)[:, :, 1:-1, 1:-1]
    close(t.grad, want, what="max_pool2d(kernel 3, stride 2, padding 1)")


# ------------------------------------------------------------------- outputs, judged outside
@outputs_of("ops.windows.im2col", "ops.conv.conv2d_forward")
def conv_gradients_on_random_inputs() -> list:
    """A conv layer's output and every gradient, on three seeded geometries."""
    result = []
    for seed, (stride, padding, dilation, groups) in enumerate(
        [(1, 1, 1, 1), (2, 0, 1, 2), (1, 2, 2, 1)]
    ):
        x, w, b = _random(20 + seed, (2, 4, 7, 6), (4, 4 // groups, 3, 2), (4,))
        xt, wt, bt = (tg.tensor(a, requires_grad=True) for a in (x, w, b))
        y = tg.nn.functional.conv2d(xt, wt, bt, stride, padding, dilation, groups)
        (y * y).sum().backward()
        result.append([a.round(9).tolist() for a in
                       (y.detach().numpy(), xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy())])
    return result


@outputs_of("ops.pool.max_pool_backward")
def max_pool_gradients_on_random_inputs() -> list:
    """The input's gradient through max pooling, with ties, overlaps, dilation and padding."""
    result = []
    rng = np.random.default_rng(30)
    for k, s, p, d in [(2, 2, 0, 1), (3, 1, 1, 1), (2, 1, 0, 2), (3, 2, 1, 1)]:
        x = tg.tensor(rng.integers(0, 3, (2, 2, 7, 7)).astype(np.float64), requires_grad=True)
        y = tg.nn.functional.max_pool2d(x, k, s, padding=p, dilation=d)
        y.backward(tg.tensor(rng.standard_normal(tuple(y.shape))))
        result.append(x.grad.numpy().round(9).tolist())
    return result
