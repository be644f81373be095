r"""``nn.Linear``: the fully connected layer $y = x W^T + b$.

``weight`` has shape (out_features, in_features): row $j$ holds the weights of output $j$.
PyTorch's default initialisation, copied exactly: both $W$ and $b$ are drawn from
$U(-1/\sqrt{\mathrm{in}}, 1/\sqrt{\mathrm{in}})$ (``kaiming_uniform_`` with ``a=sqrt(5)``).

>>> import tinygrad_edu
>>> layer = Linear(2, 3)
>>> layer(tinygrad_edu.ones(4, 2)).shape
torch.Size([4, 3])
"""
from __future__ import annotations

import math
from typing import Any

from ..creation import empty
from ..tensor import Tensor
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter


class Linear(Module):
    """Applies $y = x W^T + b$ to the last dimension of the input."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(empty(out_features, in_features, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw fresh weights: $U(-1/\\sqrt{in}, 1/\\sqrt{in})$ for both weight and bias."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_features
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")
