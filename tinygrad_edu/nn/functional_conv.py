"""``F.conv1d``, ``F.conv2d``, the pooling functions and ``F.pad``: argument checks, then one op.

The math lives in ``tinygrad_edu/ops/conv.py``, ``ops/pool.py`` and ``ops/pad.py``; this file
turns PyTorch's flexible arguments (an int or a pair, ``padding="same"``, unbatched inputs)
into the exact form those ops take, and raises PyTorch's errors with the shapes involved.
"""
from __future__ import annotations

from typing import Any

from ..ops.conv import Convolution
from ..ops.pad import ConstantPadNd, IndexPad
from ..ops.pool import AdaptiveAvgPool2D, AvgPool2D, MaxPool2DWithIndices, max_indices
from ..tensor import Tensor


def _tuple(value: Any, n: int, name: str) -> tuple[int, ...]:
    """``3`` -> ``(3, 3)``; ``(1, 2)`` stays; a wrong length is a clear error."""
    if isinstance(value, int):
        return (value,) * n
    value = tuple(value)
    if len(value) == 1:
        return value * n
    if len(value) != n:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} values "
                           f"to match the convolution dimensions, but got {name}={list(value)}")
    return value


def _conv(input: Tensor, weight: Tensor, bias: Tensor | None, stride: Any, padding: Any,  # noqa: A002
          dilation: Any, groups: int, dims: int) -> Tensor:
    name = f"conv{dims}d"
    if input.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(
            f"Expected {dims + 1}D (unbatched) or {dims + 2}D (batched) input to {name}, but got "
            f"input of size: {list(input.shape)}"
        )
    if input.ndim == dims + 1:  # one sample without a batch dim
        return _conv(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups,
                     dims).squeeze(0)
    if weight.ndim != dims + 2:
        raise RuntimeError(f"weight of {name} should be {dims + 2}-D (out_channels, "
                           f"in_channels/groups, kernel...), but got size {list(weight.shape)}")
    stride, dilation = _tuple(stride, dims, "stride"), _tuple(dilation, dims, "dilation")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    _check_channels(input, weight, groups)
    if input.dtype != weight.dtype or (bias is not None and bias.dtype != input.dtype):
        other = weight if input.dtype != weight.dtype else bias
        raise RuntimeError(
            f"expected scalar type {_type(other)} but found {_type(input)} (input {input.dtype}, "
            f"weight {weight.dtype}{'' if bias is None else f', bias {bias.dtype}'}: convert "
            "the input with .to(weight.dtype), or the layer with .double()/.float())"
        )
    kernel = tuple(weight.shape[2:])
    pads = _conv_padding(padding, kernel, stride, dilation, dims)
    size = [n + a + b for n, (a, b) in zip(input.shape[2:], pads)]
    span = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    if any(s < k for s, k in zip(size, span)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, size))}). Kernel "
            f"size: ({' x '.join(map(str, span))}). Kernel size can't be greater than actual "
            "input size"
        )
    if dims == 1:  # the op treats a 1-D signal as an image of height 1
        stride, dilation, pads = (1, *stride), (1, *dilation), [(0, 0), *pads]
    flat = (pads[0][0], pads[0][1], pads[1][0], pads[1][1])
    return Convolution.apply(input, weight, bias, stride, flat, dilation, groups)


def _conv_padding(padding: Any, kernel: tuple, stride: tuple, dilation: tuple,
                  dims: int) -> list[tuple[int, int]]:
    """Per spatial dim, (before, after). ``"same"`` may be uneven: the extra pixel goes after."""
    if padding == "valid":
        return [(0, 0)] * dims
    if padding == "same":
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return [(t // 2, t - t // 2) for t in totals]
    if isinstance(padding, str):
        raise ValueError(f"Invalid padding string '{padding}', should be one of "
                         "{'valid', 'same'}")
    pads = _tuple(padding, dims, "padding")
    if any(p < 0 for p in pads):
        raise RuntimeError("negative padding is not supported")
    return [(p, p) for p in pads]


def _check_channels(input: Tensor, weight: Tensor, groups: int) -> None:  # noqa: A002
    expected = weight.shape[1] * groups
    if input.shape[1] != expected or weight.shape[0] % groups:
        if weight.shape[0] % groups:
            raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by "
                               f"{groups} at dimension 0, but got weight of size "
                               f"{list(weight.shape)} instead")
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected "
            f"input{list(input.shape)} to have {expected} channels, but got {input.shape[1]} "
            "channels instead"
        )


def _type(t: Tensor) -> str:
    return {"float32": "Float", "float64": "Double", "float16": "Half"}.get(t.dtype.name,
                                                                            t.dtype.name)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,  # noqa: A002
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    r"""2-D convolution: $y[n,o,i,j] = b_o + \sum_{c,a,b} w[o,c,a,b]\,x[n,c,is+ad,js+bd]$.

    ``input`` (N, C, H, W) or (C, H, W); ``weight`` (O, C/groups, KH, KW); ``bias`` (O,).
    Output (N, O, OH, OW) with $OH = \lfloor (H + 2p - d(k-1) - 1)/s \rfloor + 1$.

    >>> import tinygrad_edu
    >>> conv2d(tinygrad_edu.ones(1, 1, 4, 4), tinygrad_edu.ones(1, 1, 3, 3))
    tensor([[[[9., 9.],
              [9., 9.]]]])
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,  # noqa: A002
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    r"""1-D convolution over (N, C, L): $y[n,o,i] = b_o + \sum_{c,a} w[o,c,a]\,x[n,c,is+ad]$."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1)


# ---------------------------------------------------------------------------- pooling
def _pool_args(input: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any,  # noqa: A002
               name: str) -> tuple:
    if input.ndim not in (3, 4):
        raise RuntimeError(f"{name}: Expected 3D or 4D (batch mode) tensor for input, but got "
                           f"input of size: {list(input.shape)}")
    kernel = _tuple(kernel_size, 2, "kernel_size")
    stride = kernel if stride is None or stride == () or stride == [] else _tuple(stride, 2,
                                                                                  "stride")
    padding, dilation = _tuple(padding, 2, "padding"), _tuple(dilation, 2, "dilation")
    if any(s <= 0 for s in stride) or any(k <= 0 for k in kernel):
        raise RuntimeError(f"{name}: kernel_size and stride must be greater than zero, but got "
                           f"kernel_size={list(kernel)}, stride={list(stride)}")
    for p, k, d in zip(padding, kernel, dilation):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p}, kernel_size={k} and dilation={d}")
    if any(p > k // 2 for p, k in zip(padding, kernel)):
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got "
                           f"padW = {padding[1]}, padH = {padding[0]}, kW = {kernel[1]}, "
                           f"kH = {kernel[0]}")
    return kernel, stride, padding, dilation


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """The largest value of each window (the gradient goes to that one pixel).

    ``stride`` defaults to ``kernel_size`` (windows side by side); padding counts as $-\\infty$.
    ``return_indices=True`` also returns, per output, the flat index of the chosen pixel.
    """
    kernel, stride, padding, dilation = _pool_args(input, kernel_size, stride, padding, dilation,
                                                   "max_pool2d")
    out = MaxPool2DWithIndices.apply(input, kernel, stride, padding, dilation, ceil_mode)
    if not return_indices:
        return out
    indices = max_indices(input.array, kernel, stride, padding, dilation, ceil_mode)
    return out, Tensor._make(indices)


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """The mean of each window (each pixel gets an equal share of the gradient)."""
    kernel, stride, padding, _ = _pool_args(input, kernel_size, stride, padding, 1, "avg_pool2d")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    return AvgPool2D.apply(input, kernel, stride, padding, ceil_mode, count_include_pad,
                           divisor_override)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    """Average-pool to ``output_size`` whatever the input size (``None`` keeps a dim's size).

    ``(1, 1)`` is a global average: the mean over H and W.
    """
    if input.ndim not in (3, 4) or 0 in input.shape[-2:]:
        raise RuntimeError(f"adaptive_avg_pool2d(): Expected 3D or 4D tensor with non-zero H "
                           f"and W, but input has sizes {list(input.shape)}")
    size = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
    size = tuple(n if s is None else s for s, n in zip(size, input.shape[-2:]))
    if size == (1, 1):
        return input.mean(dim=(-2, -1), keepdim=True)
    return AdaptiveAvgPool2D.apply(input, size)


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:  # noqa: A002
    """Pad the last ``len(pad) // 2`` dims: ``pad = (left, right, top, bottom, ...)``.

    ``mode``: "constant" (``value``, default 0), "reflect", "replicate" or "circular".
    """
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise RuntimeError(f"Padding length must be divisible by 2 and at most twice the number "
                           f"of dims ({input.ndim}), but got {len(pad)}")
    if mode == "constant":
        return ConstantPadNd.apply(input, pad, 0.0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    dims = len(pad) // 2
    if input.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(f"{mode} padding of {dims} dims expects a {dims + 1}D or {dims + 2}D "
                           f"input, but got input of size {list(input.shape)}")
    for i in range(dims):
        n, before, after = input.shape[-1 - i], pad[2 * i], pad[2 * i + 1]
        if mode == "reflect" and (before >= n or after >= n):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding "
                               f"input dimension, but got: padding ({before}, {after}) at "
                               f"dimension {input.ndim - 1 - i} of input {list(input.shape)}")
        if min(before, after) < 0:
            raise NotImplementedError("negative padding is only supported in constant mode")
    return IndexPad.apply(input, pad, mode)
