r"""``nn.Conv1d`` and ``nn.Conv2d``: a small learned filter slid over the input.

``weight`` is (out_channels, in_channels/groups, *kernel_size); each output channel has one filter
per input channel it sees, and a bias. PyTorch's default initialisation, copied exactly: the
weight from ``kaiming_uniform_(a=sqrt(5))``, i.e. $U(-1/\sqrt{k}, 1/\sqrt{k})$ with
$k$ = in_channels/groups $\times$ the kernel's area (the fan-in), the bias from the same range.

>>> import tinygrad_edu
>>> Conv2d(1, 6, 5)
Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))
>>> Conv2d(1, 6, 5)(tinygrad_edu.ones(2, 1, 28, 28)).shape
torch.Size([2, 6, 24, 24])
"""
from __future__ import annotations

import math
from typing import Any

from ..creation import empty
from ..tensor import Tensor
from . import functional as F
from . import init
from .functional_conv import _tuple
from .module import Module
from .parameter import Parameter

_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    dims = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups:
            raise ValueError("out_channels must be divisible by groups")
        if padding_mode not in _MODES:
            raise ValueError(f"padding_mode must be one of {list(_MODES)}, but got "
                             f"padding_mode='{padding_mode}'")
        n = self.dims
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = _tuple(kernel_size, n, "kernel_size")
        self.stride, self.dilation = _tuple(stride, n, "stride"), _tuple(dilation, n, "dilation")
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(f"Invalid padding string '{padding}', should be one of "
                                 "{'valid', 'same'}")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
            self.padding = padding
        else:
            self.padding = _tuple(padding, n, "padding")
        self.padding_mode = padding_mode
        self.output_padding, self.transposed = (0,) * n, False
        self.weight = Parameter(empty(out_channels, in_channels // groups, *self.kernel_size,
                                      device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """$U(-1/\\sqrt{k}, 1/\\sqrt{k})$ for weight and bias, $k$ = the fan-in."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def _conv(self, input: Tensor, padding: Any) -> Tensor:  # noqa: A002
        conv = F.conv2d if self.dims == 2 else F.conv1d
        return conv(input, self.weight, self.bias, self.stride, padding, self.dilation,
                    self.groups)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if self.padding_mode == "zeros":
            return self._conv(input, self.padding)
        if isinstance(self.padding, str):  # "same" or "valid" with a non-zero padding mode
            pads = [d * (k - 1) for k, d in zip(self.kernel_size, self.dilation)]
            pairs = [(t // 2, t - t // 2) if self.padding == "same" else (0, 0) for t in pads]
        else:
            pairs = [(p, p) for p in self.padding]
        flat = tuple(v for pair in reversed(pairs) for v in pair)  # F.pad lists the last dim first
        return self._conv(F.pad(input, flat, mode=self.padding_mode), 0)

    def extra_repr(self) -> str:
        n = self.dims
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv2d(_ConvNd):
    """2-D convolution over (N, C, H, W) images: ``Conv2d(in_channels, out_channels, 3)``."""

    dims = 2


class Conv1d(_ConvNd):
    """1-D convolution over (N, C, L) signals: ``Conv1d(in_channels, out_channels, 3)``."""

    dims = 1
