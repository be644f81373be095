r"""``tinygrad_edu.nn.functional`` (import it as ``F``): layers and losses as plain functions.

The modules in ``nn`` hold parameters and call these; use them directly when there is nothing to
hold, e.g. ``F.relu(x)`` or ``F.cross_entropy(logits, labels)``.
"""
from __future__ import annotations

import warnings
from typing import Any

from ..dtypes import int64, scalar_type_name, uint8
from ..tensor import Tensor
from .ops import Addmm, BinaryCrossEntropyWithLogits, MseLoss, NllLoss

_REDUCTIONS = ("mean", "sum", "none")


# ---------------------------------------------------------------------------- layers
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:  # noqa: A002
    r"""$y = x W^T + b$: ``weight`` has shape (out_features, in_features).

    >>> import tinygrad_edu
    >>> linear(tinygrad_edu.ones(4, 3), tinygrad_edu.ones(5, 3)).shape
    torch.Size([4, 5])
    """
    if input.ndim == 0 or input.shape[-1] != weight.shape[-1]:
        rows = input.numel() // input.shape[-1] if input.ndim and input.shape[-1] else 1
        cols = input.shape[-1] if input.ndim else 0
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{cols} and "
            f"{weight.shape[1]}x{weight.shape[0]}): the layer expects {weight.shape[1]} input "
            f"features (the last dim of the input) but got an input of shape {list(input.shape)}. "
            "Check in_features of the Linear layer, or flatten the input first (nn.Flatten)."
        )
    weight_t = weight.t()  # PyTorch's graph: AddmmBackward0 -> TBackward0 -> weight
    if bias is None:
        return input.matmul(weight_t)
    if input.ndim == 2:
        return Addmm.apply(bias, input, weight_t)
    flat = Addmm.apply(bias, input.reshape(-1, input.shape[-1]), weight_t)
    return flat.reshape(*input.shape[:-1], weight.shape[0])


def dropout(input: Tensor, p: float = 0.5, training: bool = True) -> Tensor:  # noqa: A002
    r"""Zero each element with probability ``p`` and scale the rest by $1/(1-p)$ (training only).

    The scaling keeps the expected value unchanged, so nothing changes at evaluation time.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    from ..device import array_module
    from ..random import rng

    xp = array_module(input.array)
    keep = rng().random(input.array.shape) >= p
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    mask = xp.asarray(keep * scale, dtype=input.array.dtype)
    return input * Tensor._make(mask)


# ---------------------------------------------------------------------------- activations
def relu(input: Tensor) -> Tensor:  # noqa: A002
    r"""$\max(x, 0)$."""
    return input.relu()


def tanh(input: Tensor) -> Tensor:  # noqa: A002
    return input.tanh()


def sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    r"""$1/(1+e^{-x})$."""
    return input.sigmoid()


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,  # noqa: A002
            dtype: Any = None) -> Tensor:
    r"""$e^{x_i} / \sum_j e^{x_j}$ along ``dim``: positive numbers that sum to 1 (stable)."""
    return input.softmax(_implicit_dim(input, dim, "softmax"), dtype=dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,  # noqa: A002
                dtype: Any = None) -> Tensor:
    r"""$x_i - \log\sum_j e^{x_j}$ along ``dim``: the log of softmax, computed without overflow."""
    return input.log_softmax(_implicit_dim(input, dim, "log_softmax"), dtype=dtype)


def _implicit_dim(input: Tensor, dim: int | None, name: str) -> int:  # noqa: A002
    if dim is not None:
        return dim
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.", UserWarning, stacklevel=3,
    )
    return 0 if input.ndim in (0, 1, 3) else 1


# ---------------------------------------------------------------------------- losses
def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:  # noqa: A002
    r"""Mean squared error $\frac{1}{n}\sum_i (x_i - y_i)^2$ (or the sum, or every term)."""
    _check_reduction(reduction)
    if tuple(input.shape) != tuple(target.shape):
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.", UserWarning, stacklevel=2,
        )
    refuse_integer_losses("mse", input, target)
    if tuple(input.shape) != tuple(target.shape):  # PyTorch broadcasts first (a 0-d float64
        from ..tensor_functions import broadcast_tensors  # target then promotes the result)

        input, target = broadcast_tensors(input, target)  # noqa: A001
    return MseLoss.apply(input, target, reduction)


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
             ignore_index: int = -100, reduction: str = "mean") -> Tensor:
    r"""$-\log p_{n, t_n}$ averaged over samples, from log-probabilities (N, C) and classes (N,)."""
    _check_reduction(reduction)
    if input.ndim == 1:  # one sample, no batch dimension
        out = nll_loss(input.unsqueeze(0), target.unsqueeze(0), weight, ignore_index, reduction)
        return out.squeeze(0) if reduction == "none" else out
    if input.ndim > 2:  # (N, C, d1, ...) -> (N*d1*..., C)
        n_classes = input.shape[1]
        rest = (0,) + tuple(range(2, input.ndim)) + (1,)
        flat = input.permute(*rest).reshape(-1, n_classes)
        out = nll_loss(flat, target.reshape(-1), weight, ignore_index, reduction)
        return out.reshape(target.shape) if reduction == "none" else out
    _check_targets(input, target, ignore_index)
    if target.array.dtype == uint8.numpy:
        target = target.long()
    return NllLoss.apply(input, target, weight, ignore_index, reduction)


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                  ignore_index: int = -100, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    r"""Softmax + negative log-likelihood in one: $-\log\frac{e^{x_{t}}}{\sum_j e^{x_j}}$, averaged.

    ``input``: raw scores (logits) of shape (N, C); ``target``: class indices 0..C-1 (int64) of
    shape (N,), or class probabilities of shape (N, C). It is ``nll_loss(log_softmax(x, 1), t)``;
    log_softmax subtracts the max first, so logits of 1e4 give a finite loss.

    >>> import tinygrad_edu
    >>> cross_entropy(tinygrad_edu.tensor([[2.0, 0.0]]), tinygrad_edu.tensor([0]))
    tensor(0.1269)
    """
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 0 if input.ndim == 1 else 1
    logp = input.log_softmax(class_dim)
    soft = target.is_floating_point() and tuple(target.shape) == tuple(input.shape)
    if label_smoothing > 0.0 and not soft:
        return _smoothed(logp, target, weight, ignore_index, reduction, label_smoothing)
    if label_smoothing > 0.0:  # soft targets move towards the uniform distribution
        target = target * (1 - label_smoothing) + label_smoothing / input.shape[class_dim]
    if soft:
        losses = -(target * logp if weight is None else target * logp * _class_view(weight, input))
        count = target.numel() // input.shape[class_dim]
        return _reduce(losses.sum(class_dim), reduction, count=count)
    return nll_loss(logp, target, weight, ignore_index, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,  # noqa: A002
                                     weight: Tensor | None = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    r"""Sigmoid + binary cross-entropy in one: $-[y\log\sigma(x) + (1-y)\log(1-\sigma(x))]$.

    Written as $\max(x,0) - xy + \log(1+e^{-|x|})$, so it stays finite for logits of $\pm 10^4$
    (``sigmoid`` then ``log`` would give ``log(0) = -inf``). ``target`` holds floats in [0, 1].
    """
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Target size ({target.shape}) must be the same as input size ({input.shape})"
        )
    if not input.is_floating_point():  # PyTorch starts with log_sigmoid(input)
        raise NotImplementedError(
            f'"log_sigmoid_cpu" not implemented for \'{scalar_type_name(input.dtype)}\''
        )
    if not target.is_floating_point():
        raise RuntimeError(
            f"result type {scalar_type_name(input.dtype)} can't be cast to the desired output "
            f"type {scalar_type_name(target.dtype)}: binary_cross_entropy_with_logits needs "
            "float targets (use target.float())"
        )
    if target.dtype is not input.dtype:  # PyTorch computes in the target's dtype
        input = input.to(target.dtype)  # noqa: A001
    return BinaryCrossEntropyWithLogits.apply(input, target, weight, pos_weight, reduction)


# ---------------------------------------------------------------------------- helpers
def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction "
                         "(use 'mean', 'sum' or 'none')")


def _reduce(losses: Tensor, reduction: str, count: int | None = None) -> Tensor:
    if reduction == "none":
        return losses
    if reduction == "sum" or count == 0:
        return losses.sum()
    return losses.mean() if count is None else losses.sum() / count


def _smoothed(logp: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int,
              reduction: str, smoothing: float) -> Tensor:
    r"""Label smoothing with class-index targets: the true class keeps $1 - \varepsilon$ of
    the target, and $\varepsilon$ is spread over all $C$ classes, so the loss is
    $(1-\varepsilon)\,\mathrm{nll} + \frac{\varepsilon}{C}\sum_c -\log p_c$ (PyTorch's
    formula, class weights and ignored targets included)."""
    class_dim = 0 if logp.ndim == 1 else 1
    n_classes = logp.shape[class_dim]
    nll = nll_loss(logp, target, weight, ignore_index, reduction)
    spread = logp if weight is None else logp * _class_view(weight, logp)
    ignored = target == ignore_index
    smooth = (-spread.sum(class_dim)).masked_fill(ignored, 0.0)
    if reduction == "mean":
        kept = ~ignored
        count = kept.sum() if weight is None else weight[target[kept]].sum()
        smooth = smooth.sum() / count
    elif reduction == "sum":
        smooth = smooth.sum()
    return (1 - smoothing) * nll + smooth * (smoothing / n_classes)


def _class_view(weight: Tensor, input: Tensor) -> Tensor:  # noqa: A002
    """Class weights (C,) shaped to broadcast along dim 1 of (N, C, d1, ...)."""
    return weight.reshape((-1,) + (1,) * (input.ndim - 2)) if input.ndim > 1 else weight


def _check_targets(input: Tensor, target: Tensor, ignore_index: int) -> None:  # noqa: A002
    """PyTorch's checks on class-index targets, with the numbers that are wrong."""
    if target.array.dtype != int64.numpy and target.array.dtype != uint8.numpy:
        raise RuntimeError(
            "expected target dtype to be Long or Byte, but got "
            f"{scalar_type_name(target.dtype)}: class-index targets must be int64 (got "
            f"{target.dtype}). Convert them with target.long()."
        )
    if target.ndim != 1 or target.shape[0] != input.shape[0]:
        raise ValueError(
            f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
            f"({target.shape[0] if target.ndim else 0}) (input shape {list(input.shape)}, "
            f"target shape {list(target.shape)})."
        )
    n_classes = input.shape[1]
    data = target.array
    if data.size and (data.min() < 0 or data.max() >= n_classes):
        bad = data[(data != ignore_index) & ((data < 0) | (data >= n_classes))]
        if bad.size:
            raise IndexError(
                f"Target {int(bad[0])} is out of bounds. (input has {n_classes} classes, so "
                f"targets must be class indices in [0, {n_classes - 1}])"
            )


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices -> rows of 0s with a 1 at the index: ``one_hot(tensor([2]), 4)`` is
    ``tensor([[0, 0, 1, 0]])``. ``num_classes=-1``: one more than the largest index. int64."""
    from ..device import array_module

    if tensor.array.dtype != int64.numpy:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    data = tensor.array
    if num_classes == -1:
        num_classes = int(data.max()) + 1 if data.size else 0
    if data.size and int(data.min()) < 0:
        raise RuntimeError("Class values must be non-negative.")
    if data.size and int(data.max()) >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    xp = array_module(data)
    return Tensor._make((data[..., None] == xp.arange(num_classes)).astype(xp.int64))


__all__ = [
    "binary_cross_entropy_with_logits", "cross_entropy", "dropout", "linear", "log_softmax",
    "mse_loss", "nll_loss", "one_hot", "relu", "sigmoid", "softmax", "tanh",
]


# ---------------------------------------------------------------------------- more families
# Each family lives in its own file; F re-exports them (F.conv2d, F.gelu, F.layer_norm, ...).
from .embedding import embedding  # noqa: E402
from .functional_activation import (  # noqa: E402
    elu,
    gelu,
    hardtanh,
    leaky_relu,
    mish,
    relu6,
    silu,
    softplus,
    softsign,
)
from .functional_conv import (  # noqa: E402
    adaptive_avg_pool2d,
    avg_pool2d,
    conv1d,
    conv2d,
    max_pool2d,
    pad,
)
from .functional_loss import (  # noqa: E402
    binary_cross_entropy,
    huber_loss,
    kl_div,
    l1_loss,
    refuse_integer_losses,
    smooth_l1_loss,
)
from .functional_norm import batch_norm, layer_norm, normalize  # noqa: E402

__all__ += [
    "adaptive_avg_pool2d", "avg_pool2d", "batch_norm", "binary_cross_entropy", "conv1d", "conv2d",
    "elu", "embedding", "gelu", "layer_norm", "l1_loss", "leaky_relu", "max_pool2d", "normalize",
    "pad", "silu", "smooth_l1_loss", "softplus", "huber_loss", "kl_div", "hardtanh", "relu6",
    "mish", "softsign",
]
