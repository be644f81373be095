r"""``F.binary_cross_entropy``, ``F.l1_loss``, ``F.smooth_l1_loss``, ``F.huber_loss``,
``F.kl_div``.

``binary_cross_entropy`` takes probabilities (after a sigmoid); prefer
``binary_cross_entropy_with_logits`` on raw scores, which cannot overflow.
"""
from __future__ import annotations

import warnings

from ..tensor import Tensor
from .loss_ops import BinaryCrossEntropy, HuberLoss, SmoothL1Loss

_REDUCTIONS = ("mean", "sum", "none")


def _check(input: Tensor, target: Tensor, reduction: str) -> None:  # noqa: A002
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction "
                         "(use 'mean', 'sum' or 'none')")
    if tuple(input.shape) != tuple(target.shape):
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.", UserWarning, stacklevel=3,
        )


def refuse_integer_losses(kernel: str, input: Tensor, target: Tensor,  # noqa: A002
                          result_follows_input: bool = False) -> None:
    """PyTorch's elementwise losses compute in a float dtype: integer inputs are refused, as
    PyTorch's kernels are (``"mse_cpu" not implemented for 'Long'``). Huber's result has the
    input's dtype, so there a float target with an integer input cannot be cast back."""
    from ..autograd.function import _broadcast_message
    from ..dtypes import promote_types, scalar_type_name
    from ..shapes import broadcast_shapes

    try:  # PyTorch checks the shapes first
        broadcast_shapes(tuple(input.shape), tuple(target.shape))
    except RuntimeError:
        raise RuntimeError(_broadcast_message(tuple(input.shape), tuple(target.shape))) from None
    if result_follows_input and not input.is_floating_point() and target.is_floating_point():
        raise RuntimeError(
            f"result type {scalar_type_name(target.dtype)} can't be cast to the desired output "
            f"type {scalar_type_name(input.dtype)}"
        )
    result = input.dtype if result_follows_input else promote_types(input.dtype, target.dtype)
    if not result.is_floating_point:
        raise NotImplementedError(
            f'"{kernel}_cpu" not implemented for \'{scalar_type_name(result)}\''
        )


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                         reduction: str = "mean") -> Tensor:
    r"""$-w\,[y\log x + (1-y)\log(1-x)]$ for probabilities $x \in [0, 1]$."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same "
                         "size.")
    x = input.array
    if x.size and not bool(((x >= 0) & (x <= 1)).all()):
        raise RuntimeError("all elements of input should be between 0 and 1 (binary_cross_"
                           "entropy takes probabilities: apply sigmoid first, or use "
                           "binary_cross_entropy_with_logits on raw scores)")
    return BinaryCrossEntropy.apply(input, target, weight, reduction)


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:  # noqa: A002
    r"""Mean absolute error $\frac1n\sum|x - y|$ (or the sum, or every term)."""
    _check(input, target, reduction)
    from ..tensor_functions import broadcast_tensors

    # PyTorch broadcasts first, so a 0-d float64 target promotes a float32 input (a plain
    # subtraction would not: a 0-d tensor does not decide the dtype of a bigger one)
    input, target = broadcast_tensors(input, target)  # noqa: A001
    losses = (input - target).abs()
    if reduction == "none":
        return losses
    return losses.sum() if reduction == "sum" else losses.mean()


def smooth_l1_loss(input: Tensor, target: Tensor, reduction: str = "mean",  # noqa: A002
                   beta: float = 1.0) -> Tensor:
    r"""$\frac{d^2}{2\beta}$ where $|d| < \beta$, else $|d| - \frac\beta2$, for $d = x - y$."""
    _check(input, target, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    refuse_integer_losses("smooth_l1", input, target)
    if tuple(input.shape) != tuple(target.shape):  # PyTorch broadcasts first (dtypes promote)
        from ..tensor_functions import broadcast_tensors

        input, target = broadcast_tensors(input, target)  # noqa: A001
    if beta == 0.0:  # no quadratic part left: PyTorch computes it as l1_loss
        return l1_loss(input, target, reduction)
    return SmoothL1Loss.apply(input, target, reduction, beta)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean",  # noqa: A002
               delta: float = 1.0, weight: Tensor | None = None) -> Tensor:
    r"""$\frac{d^2}{2}$ where $|d| < \delta$, else $\delta(|d| - \frac\delta2)$, for $d = x - y$."""
    _check(input, target, reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is not None:
        raise NotImplementedError("huber_loss(weight=...) is not supported by tinygrad_edu")
    refuse_integer_losses("huber", input, target, result_follows_input=True)
    if target.dtype is not input.dtype:  # the result keeps the input's dtype
        target = target.to(input.dtype)
    return HuberLoss.apply(input, target, reduction, delta)


def kl_div(input: Tensor, target: Tensor, size_average: None = None,  # noqa: A002
           reduce: None = None, reduction: str = "mean", log_target: bool = False) -> Tensor:
    r"""KL divergence $\sum p\,(\log p - \log q)$ with ``input`` = $\log q$ (log-probabilities)
    and ``target`` = $p$ (or $\log p$ with ``log_target=True``); $0 \log 0$ counts 0.

    ``reduction="batchmean"`` divides the sum by the batch size: the true KL divergence per
    sample. ``"mean"`` divides by the number of elements too (PyTorch warns about it).
    """
    if reduction not in (*_REDUCTIONS, "batchmean"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.", UserWarning, stacklevel=2,
        )
    if log_target:
        losses = target.exp() * (target - input)
    else:
        losses = target.xlogy(target) - target * input
    if reduction == "none":
        return losses
    if reduction == "mean":
        return losses.mean()
    total = losses.sum()
    return total / input.shape[0] if reduction == "batchmean" and input.ndim else total
