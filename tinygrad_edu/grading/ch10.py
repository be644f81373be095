"""Chapter 10, convolutions (solutions/10_convolutions.ipynb): windows, im2col, pooling.

The output size of a convolution, im2col (every window as a column), a convolution's forward
pass as one matrix product, and max pooling's backward (the gradient goes to each window's
first maximum). Everything works on NumPy arrays, so the checks compare plain numbers; every
case builds its arrays afresh from a fixed seed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.grading.tasks import Case, task

LIMIT = 3.0  # seconds per check


def _arrays(seed: int, *shapes: tuple) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


# ------------------------------------------------------------------ ch10.conv_output_size
def _conv_output_size(n: int, k: int, stride: int = 1, padding: int = 0,
                      dilation: int = 1) -> int:
    return (n + 2 * padding - dilation * (k - 1) - 1) // stride + 1


@task(
    "ch10.conv_output_size",
    points=1,
    reference=_conv_output_size,
    time_limit=LIMIT,
    hint="Pad first (n + 2p), a dilated kernel covers d*(k-1)+1 pixels, and the window "
    "starts at 0, s, 2s, ...: floor((n + 2p - d*(k-1) - 1) / s) + 1. Use // for the floor.",
)
def conv_output_size():
    fits = "How many positions a k-wide window takes in n pixels, sliding one at a time."
    strided = ("Stride s: windows start at 0, s, 2s, ... and only whole windows count; "
               "padding p adds p pixels on each side.")
    dilated = "Dilation d spreads the kernel's taps d pixels apart: the window gets wider."
    yield Case(args=(8, 3), nudge=fits)
    yield Case(args=(28, 5), nudge=fits)
    yield Case(args=(28, 3), kwargs=dict(stride=2, padding=1), nudge=strided)
    yield Case(args=(10, 3), kwargs=dict(dilation=2), nudge=dilated)
    yield Case(args=(7, 2), kwargs=dict(stride=2), hidden=True, nudge=strided)
    yield Case(args=(32, 5), kwargs=dict(stride=3, padding=2, dilation=2), hidden=True,
               nudge=strided + " " + dilated)
    yield Case(args=(3, 3), hidden=True, nudge="A kernel as large as the image fits once.")
    yield Case(args=(1, 1), kwargs=dict(padding=4, stride=4), hidden=True, nudge=strided)


# ------------------------------------------------------------------------------ ch10.im2col
def _im2col(x: np.ndarray, k: int, stride: int = 1) -> np.ndarray:
    n, c, h, w = x.shape
    oh, ow = (h - k) // stride + 1, (w - k) // stride + 1
    cols = np.empty((c, k, k, n, oh, ow), dtype=x.dtype)
    for a in range(k):
        for b in range(k):
            cols[:, a, b] = x[:, :, a : a + stride * (oh - 1) + 1 : stride,
                              b : b + stride * (ow - 1) + 1 : stride].transpose(1, 0, 2, 3)
    return cols.reshape(c * k * k, n * oh * ow)


def _im2col_case(seed: int, shape: tuple, k: int, stride: int = 1, hidden: bool = False,
                 integers: bool = False) -> Case:
    if integers:
        x = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    else:
        x = _arrays(seed, shape)[0]
    kwargs = {} if stride == 1 else {"stride": stride}
    name = f"np.arange({x.size}.).reshape{shape}" if integers else f"x of shape {shape}"
    extra = "" if stride == 1 else f", stride={stride}"
    nudge = ("Each column is one window, the windows in order (image, output row, output "
             "column); each row one (channel, kernel row, kernel column) tap.")
    if stride != 1:
        nudge += f" With stride {stride}, windows start every {stride} pixels."
    return Case(args=(x, k), kwargs=kwargs, hidden=hidden, nudge=nudge,
                description=f"im2col({name}, {k}{extra})")


@task(
    "ch10.im2col",
    points=2,
    reference=_im2col,
    time_limit=LIMIT,
    hint="Make cols = np.empty((C, k, k, N, OH, OW)); for each kernel tap (a, b) the pixel under "
    "it in every window is the slice x[:, :, a : a + s*(OH-1) + 1 : s, b : ...], of shape "
    "(N, C, OH, OW): transpose it to (C, N, OH, OW), store it in cols[:, a, b], and reshape "
    "cols to (C*k*k, N*OH*OW) at the end.",
)
def im2col():
    yield _im2col_case(0, (1, 1, 4, 4), 2, integers=True)
    yield _im2col_case(1, (2, 3, 5, 5), 3)
    yield _im2col_case(2, (1, 2, 6, 7), 2, stride=2)
    yield _im2col_case(3, (3, 1, 8, 8), 3, stride=1, hidden=True)
    yield _im2col_case(4, (2, 2, 7, 6), 3, stride=2, hidden=True)
    yield _im2col_case(5, (1, 4, 3, 3), 3, hidden=True)
    yield _im2col_case(6, (2, 1, 9, 9), 4, stride=3, hidden=True)


# ------------------------------------------------------------------------------ ch10.conv2d
def _conv2d(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None,
            stride: int = 1, padding: int = 0) -> np.ndarray:
    n = x.shape[0]
    o, _, k, _ = weight.shape
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh, ow = (x.shape[2] - k) // stride + 1, (x.shape[3] - k) // stride + 1
    y = weight.reshape(o, -1) @ _im2col(x, k, stride)
    if bias is not None:
        y += bias[:, None]
    return y.reshape(o, n, oh, ow).transpose(1, 0, 2, 3)


def _conv_case(seed: int, x_shape: tuple, w_shape: tuple, bias: bool = True, stride: int = 1,
               padding: int = 0, hidden: bool = False) -> Case:
    x, w, b = _arrays(seed, x_shape, w_shape, (w_shape[0],))
    kwargs: dict[str, Any] = {}
    if stride != 1:
        kwargs["stride"] = stride
    if padding:
        kwargs["padding"] = padding
    extra = "".join(f", {k}={v}" for k, v in kwargs.items())
    description = (f"conv2d(x {x_shape}, weight {w_shape}, {'bias' if bias else 'None'}"
                   f"{extra})")
    nudge = "A convolution is the (O, C*k*k) weights times the im2col columns of x."
    if bias:
        nudge += " The bias adds one number per output channel."
    if padding:
        nudge += f" Padding {padding} puts zeros around the image's height and width only."
    if stride != 1:
        nudge += f" Stride {stride}: a smaller output (OH, OW)."
    if x_shape[0] > 1:
        nudge += " With several images, the output is (N, O, OH, OW): image first."
    return Case(args=(x, w, b if bias else None), kwargs=kwargs, hidden=hidden,
                description=description, nudge=nudge)


@task(
    "ch10.conv2d",
    points=3,
    reference=_conv2d,
    time_limit=LIMIT,
    hint="Pad x with np.pad (only the last two dims), cols = im2col(x, k, stride), then "
    "Y = weight.reshape(O, -1) @ cols has shape (O, N*OH*OW); add bias[:, None], reshape to "
    "(O, N, OH, OW) and transpose to (N, O, OH, OW).",
)
def conv2d():
    yield _conv_case(0, (1, 1, 5, 5), (1, 1, 3, 3), bias=False)
    yield _conv_case(1, (2, 3, 6, 6), (4, 3, 3, 3))
    yield _conv_case(2, (2, 2, 7, 7), (3, 2, 3, 3), stride=2, padding=1)
    yield _conv_case(3, (3, 1, 8, 8), (6, 1, 5, 5), hidden=True)
    yield _conv_case(4, (1, 4, 6, 5), (2, 4, 2, 2), stride=2, hidden=True)
    yield _conv_case(5, (2, 2, 4, 4), (5, 2, 3, 3), padding=2, bias=False, hidden=True)
    yield _conv_case(6, (1, 3, 9, 9), (2, 3, 3, 3), stride=3, padding=1, hidden=True)


# ------------------------------------------------------------------- ch10.max_pool_backward
def _max_pool_backward(x: np.ndarray, grad: np.ndarray, k: int) -> np.ndarray:
    n, c, h, w = x.shape
    oh, ow = h // k, w // k
    windows = x[:, :, : oh * k, : ow * k].reshape(n, c, oh, k, ow, k).transpose(0, 1, 2, 4, 3, 5)
    first = windows.reshape(n, c, oh, ow, k * k).argmax(axis=-1)  # argmax: the first maximum
    routed = np.zeros((n, c, oh, ow, k * k), dtype=grad.dtype)
    np.put_along_axis(routed, first[..., None], grad[..., None], axis=-1)
    out = np.zeros_like(x, dtype=grad.dtype)
    out[:, :, : oh * k, : ow * k] = (routed.reshape(n, c, oh, ow, k, k)
                                     .transpose(0, 1, 2, 4, 3, 5).reshape(n, c, oh * k, ow * k))
    return out


def _pool_case(seed: int, shape: tuple, k: int, ties: bool = False, hidden: bool = False) -> Case:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 3, shape).astype(np.float64) if ties else rng.standard_normal(shape)
    grad = rng.standard_normal((shape[0], shape[1], shape[2] // k, shape[3] // k))
    what = "x with many ties" if ties else "x"
    nudge = "A window's output is one of its pixels: the window's whole gradient goes there."
    if ties:
        nudge += " With equal values, only the first maximum (row by row) gets it."
    if shape[2] % k or shape[3] % k:
        nudge += " Pixels that no window covers get a gradient of 0."
    return Case(args=(x, grad, k), hidden=hidden, nudge=nudge,
                description=f"max_pool_backward({what} {shape}, grad {grad.shape}, {k})")


@task(
    "ch10.max_pool_backward",
    points=3,
    reference=_max_pool_backward,
    time_limit=LIMIT,
    hint="Each window's output is one of its pixels, so all of the window's gradient goes to "
    "that pixel: loop over the windows (i, j), find the position of the first maximum with "
    "np.argmax on the flattened window (argmax returns the first of equal values), and add "
    "grad[n, c, i, j] there. Rows or columns left over (H not a multiple of k) get 0.",
)
def max_pool_backward():
    yield _pool_case(0, (1, 1, 4, 4), 2)
    yield _pool_case(1, (2, 3, 6, 6), 2)
    yield _pool_case(2, (1, 2, 6, 6), 3, ties=True)
    yield _pool_case(3, (2, 2, 8, 8), 2, ties=True, hidden=True)
    yield _pool_case(4, (1, 1, 7, 5), 2, hidden=True)
    yield _pool_case(5, (3, 1, 9, 9), 3, hidden=True)
    yield _pool_case(6, (1, 2, 4, 4), 4, ties=True, hidden=True)


# -------------------------------------------------------------------------- ch10.read_graph
def _graph_answers() -> dict:
    import tinygrad_edu
    import tinygrad_edu.nn.functional as F
    from tinygrad_edu.autograd.engine import topological_order

    tinygrad_edu.manual_seed(0)
    x = tinygrad_edu.arange(16.0).reshape(1, 1, 4, 4)
    conv = tinygrad_edu.nn.Conv2d(1, 2, 2)
    loss = F.max_pool2d(F.relu(conv(x)), 2).sum()
    names = [node.name() for node in topological_order([loss])]
    return {
        "operations": sorted(n for n in names if n != "AccumulateGrad"),
        "accumulate_grad_nodes": names.count("AccumulateGrad"),
    }


@task(
    "ch10.read_graph",
    points=1,
    reference=_graph_answers,
    time_limit=LIMIT,
    hint="Read the boxes' names off the drawing; an AccumulateGrad box sits above each leaf "
    "that requires grad (the conv's weight and bias; the image x does not require grad).",
)
def read_graph():
    from tinygrad_edu.grading.graph_reading import ALL_ASKED, answer, answered_keys, question

    yield Case(
        run=answer("operations"),
        nudge=(
            "Each forward operation leaves one backward node, named after it as PyTorch names "
            "them (ending in Backward0); read them off the grey boxes from the output down."
        ),
        description=question(
            "operations", "the names of the backward nodes other than AccumulateGrad (a list)"
        ),
    )
    yield Case(
        run=answer("accumulate_grad_nodes"),
        nudge=(
            "One AccumulateGrad per leaf that requires grad: count the parameters, not the "
            "input image."
        ),
        description=question("accumulate_grad_nodes", "how many AccumulateGrad nodes"),
    )
    yield Case(run=answered_keys, hidden=True, description=ALL_ASKED)
