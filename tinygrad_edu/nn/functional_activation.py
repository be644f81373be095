r"""``F.gelu``, ``F.leaky_relu``, ``F.silu``, ``F.elu``, ``F.softplus``, ``F.mish``: smooth or
leaky ReLUs; ``F.hardtanh``, ``F.relu6``, ``F.softsign``: bounded ones.

Each is one autograd node (``nn/activation_ops.py`` has the formulas and derivatives).
"""
from __future__ import annotations

from ..tensor import Tensor
from .activation_ops import Elu, Gelu, Hardtanh, LeakyRelu, Mish, Silu, Softplus


def _float_only(input: Tensor, name: str) -> None:  # noqa: A002
    if not input.is_floating_point():
        raise NotImplementedError(f"\"{name}\" not implemented for '{input.dtype}' "
                                  "(activations need a float tensor: use .float())")


def _no_bools(input: Tensor, name: str) -> None:  # noqa: A002
    if input.dtype.name == "bool":
        raise RuntimeError(f"Bool inputs not supported for {name}")


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


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,  # noqa: A002
             inplace: bool = False) -> Tensor:
    r"""$x$ clipped to [``min_val``, ``max_val``]; the gradient is 1 strictly inside, else 0."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    _no_bools(input, "hardtanh")
    return Hardtanh.apply(input, min_val, max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    r"""$\min(\max(x, 0), 6)$: a ReLU that stops at 6 (``hardtanh(x, 0, 6)``)."""
    _no_bools(input, "hardtanh")
    return Hardtanh.apply(input, 0.0, 6.0)


def mish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    r"""$x\tanh(\mathrm{softplus}(x))$."""
    _float_only(input, "mish")
    return Mish.apply(input)


def softsign(input: Tensor) -> Tensor:  # noqa: A002
    r"""$x / (1 + |x|)$, between -1 and 1 (built from abs, + and /, as PyTorch builds it)."""
    return input / (input.abs() + 1)
