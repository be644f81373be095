r"""``F.layer_norm``, ``F.batch_norm`` and ``F.normalize``: rescale activations.

The autograd nodes and their backward formulas are in ``nn/norm_ops.py``.
"""
from __future__ import annotations

from typing import Any

from ..dtypes import scalar_type_name
from ..tensor import Tensor
from .norm_ops import NativeBatchNorm, NativeLayerNorm


def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,  # noqa: A002
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    r"""Normalize each sample over its last dims ``normalized_shape``: $\gamma\hat x + \beta$."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    n = len(shape)
    if n == 0 or tuple(input.shape[input.ndim - n:]) != shape or input.ndim < n:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape [*, "
            f"{', '.join(map(str, shape))}], but got input of size{list(input.shape)}"
        )
    if not input.is_floating_point():
        raise NotImplementedError(
            f'"LayerNormKernelImpl" not implemented for \'{scalar_type_name(input.dtype)}\''
        )
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and tuple(p.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got "
                               f"{name} of shape {list(p.shape)} and normalized_shape = "
                               f"{list(shape)}")
    return NativeLayerNorm.apply(input, weight, bias, n, eps)


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,  # noqa: A002
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    r"""Normalize each channel (dim 1) over the batch: with the batch's statistics when
    ``training`` (and update the running ones), else with ``running_mean``/``running_var``."""
    if input.ndim < 2:
        raise ValueError(f"expected 2D or more input (got {input.ndim}D input)")
    if training:
        per_channel = input.numel() // max(input.shape[1], 1)
        if per_channel <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input "
                             f"size {input.shape}")
    elif running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    channels = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {t.numel()}")
    return NativeBatchNorm.apply(input, weight, bias, running_mean, running_var, training,
                                 momentum, eps)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,  # noqa: A002
              out: Any = None) -> Tensor:
    r"""$x / \max(\|x\|_p, \epsilon)$ along ``dim``: unit-length vectors.

    Computed as $(\max(\sum|x|^p, \epsilon^p))^{1/p}$, which is the same number, so that a zero
    vector gets gradient 0 (as in PyTorch) instead of the $0/0$ of $\|x\|$'s derivative at 0.
    """
    if not input.is_floating_point():
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {scalar_type_name(input.dtype)}")
    if p == float("inf"):
        return input / input.abs().amax(dim=dim, keepdim=True).clamp(min=eps).expand_as(input)
    powers = input * input if p == 2 else input.abs() ** p
    total = powers.sum(dim=dim, keepdim=True).clamp(min=eps**p)
    return input / (total.sqrt() if p == 2 else total ** (1.0 / p)).clamp(min=eps).expand_as(input)
