r"""``F.gelu``, ``F.leaky_relu``, ``F.silu``, ``F.elu``, ``F.softplus``: smooth or leaky ReLUs.

Each is one autograd node (``nn/activation_ops.py`` has the formulas and derivatives).
"""
from __future__ import annotations

from ..tensor import Tensor
from .activation_ops import Elu, Gelu, LeakyRelu, Silu, Softplus


def _float_only(input: Tensor, name: str) -> None:  # noqa: A002
    if not input.is_floating_point():
        raise NotImplementedError(f"\"{name}\" not implemented for '{input.dtype}' "
                                  "(activations need a float tensor: use .float())")


def gelu(input: Tensor, approximate: str = "none") -> Tensor:  # noqa: A002
    r"""$x\,\Phi(x)$, $\Phi$ the standard normal CDF (``approximate="tanh"``: its tanh fit)."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh, got {approximate}")
    _float_only(input, "GeluKernelImpl")
    return Gelu.apply(input, approximate)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:  # noqa: A002
    r"""$x$ for $x > 0$, else ``negative_slope`` $\cdot x$."""
    _float_only(input, "leaky_relu")
    return LeakyRelu.apply(input, negative_slope)


def silu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    r"""$x\,\sigma(x)$."""
    _float_only(input, "silu")
    return Silu.apply(input)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    r"""$x$ for $x > 0$, else $\alpha(e^x - 1)$."""
    _float_only(input, "elu")
    return Elu.apply(input, alpha)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:  # noqa: A002
    r"""$\frac1\beta\log(1 + e^{\beta x})$ (just $x$ where $\beta x$ > ``threshold``)."""
    _float_only(input, "softplus")
    return Softplus.apply(input, beta, threshold)
