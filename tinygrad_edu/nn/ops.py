r"""The three autograd Functions that ``nn`` adds to the core ops, each one node in the graph.

Each could be written with core ops (``x @ W.T + b`` is three nodes), and the result would be the
same. One node per layer is faster (one Python call instead of three) and its backward can skip
work the graph does not need, e.g. the gradient of the input images. PyTorch does the same:
``Linear`` shows up as ``AddmmBackward0`` and ``cross_entropy`` as ``NllLossBackward0``.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..device import array_module


class Addmm(Function):
    r"""A linear layer, $Y = X W^T + b$ with $X$: (N, in), $W$: (out, in), $b$: (out,).

    Backward, with $G = \partial L / \partial Y$:
    $\nabla_X = G W$, $\nabla_W = G^T X$, $\nabla_b = \sum_n G_n$ (b was added to every row).
    Leading batch dimensions of $X$ are flattened into N.
    """

    array_io = True

    @staticmethod
    def forward(ctx, x, weight, bias):
        out = x @ weight.T  # BLAS reads W transposed where it lies: no copy
        if bias is not None:
            out += bias
        ctx.save_for_backward(x, weight)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        g2 = grad.reshape(-1, grad.shape[-1])
        grad_x = grad @ weight if need_x else None
        grad_w = g2.T @ x.reshape(-1, x.shape[-1]) if need_w else None
        grad_b = g2.sum(axis=0) if need_b else None
        return grad_x, grad_w, grad_b

    def name(self) -> str:
        return "AddmmBackward0" if self.inputs[2] is not None else "MmBackward0"


class NllLoss(Function):
    r"""Negative log-likelihood: pick $-\log p_{n, t_n}$, the log-probability of each true class.

    Forward: $\ell_n = -w_{t_n} \log p_{n, t_n}$, then the mean $\sum_n \ell_n / \sum_n w_{t_n}$,
    the sum, or every $\ell_n$ (``reduction``). Samples whose target is ``ignore_index`` count 0.
    Backward: the gradient is zero except at the picked places, where it is $-w_{t_n}$ (over the
    weight sum for the mean). Input: log-probabilities (N, C); target: class indices (N,).
    """

    array_io = True

    @staticmethod
    def forward(ctx, logp, target, weight, ignore_index, reduction):
        xp = array_module(logp)
        rows = xp.arange(logp.shape[0])
        keep = target != ignore_index
        safe = xp.where(keep, target, 0)
        w = (weight[safe] if weight is not None else xp.ones(safe.shape, logp.dtype)) * keep
        losses = -logp[rows, safe] * w
        ctx.rows, ctx.safe, ctx.w, ctx.shape, ctx.reduction = rows, safe, w, logp.shape, reduction
        if reduction == "none":
            return losses
        if reduction == "sum":
            return losses.sum()
        ctx.total = w.sum()
        return losses.sum() / ctx.total

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        scale = -ctx.w if ctx.reduction != "mean" else -ctx.w / ctx.total
        full = xp.zeros(ctx.shape, dtype=grad.dtype)
        full[ctx.rows, ctx.safe] = (scale * grad).astype(grad.dtype, copy=False)
        return full, None, None, None, None


class BinaryCrossEntropyWithLogits(Function):
    r"""Per-element $\ell = (1 - y)\,x + (1 + (p - 1)\,y)\,\mathrm{softplus}(-x)$, $p$ = pos_weight.

    With $p = 1$ this is $-[y \log\sigma(x) + (1-y)\log(1-\sigma(x))]$. It is computed with
    $\mathrm{softplus}(-x) = \log(1 + e^{-|x|}) + \max(-x, 0)$, where $e^{\cdot} \le 1$, so
    logits of $\pm 10^4$ give finite losses instead of ``inf``/``nan``.
    Backward: $\partial\ell/\partial x = (1 - y) - (1 + (p-1) y)\,\sigma(-x)$, which for $p=1$ is
    the famous $\sigma(x) - y$; and $\partial\ell/\partial y = -x + (p-1)\,\mathrm{softplus}(-x)$.
    """

    array_io = True

    @staticmethod
    def forward(ctx, x, y, pos_weight):
        xp = array_module(x)
        softplus_neg = xp.log1p(xp.exp(-abs(x))) + xp.maximum(-x, 0)
        coef = 1 if pos_weight is None else 1 + (pos_weight - 1) * y
        ctx.save_for_backward(x, y, pos_weight)
        ctx.softplus_neg, ctx.coef = softplus_neg, coef
        return (1 - y) * x + coef * softplus_neg

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        x, y, pos_weight = ctx.saved_tensors
        need_x, need_y, need_p = ctx.needs_input_grad
        sigmoid_neg = xp.exp(-xp.logaddexp(0, x))  # sigma(-x), stable for both signs
        grad_x = grad * ((1 - y) - ctx.coef * sigmoid_neg) if need_x else None
        grad_y = None
        if need_y:
            pw = 1 if pos_weight is None else pos_weight
            grad_y = grad * (-x + (pw - 1) * ctx.softplus_neg)
        grad_p = grad * y * ctx.softplus_neg if need_p else None
        return grad_x, grad_y, grad_p
