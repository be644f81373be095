r"""``optim.Adam`` and ``optim.AdamW``: SGD with per-parameter step sizes.

Adam keeps two moving averages per parameter, of the gradient ($m$) and of its square ($v$).
Step $t$ (PyTorch's exact formulas):

$$m \leftarrow \beta_1 m + (1-\beta_1) g, \qquad v \leftarrow \beta_2 v + (1-\beta_2) g^2$$
$$p \leftarrow p - \frac{\eta}{1-\beta_1^t} \cdot \frac{m}{\sqrt{v}/\sqrt{1-\beta_2^t} + \epsilon}$$

The $1-\beta^t$ terms undo the bias of starting the averages at 0. Weight decay $\lambda$:
**Adam** adds $\lambda p$ to the gradient (L2 regularisation, which then gets rescaled);
**AdamW** shrinks the weights directly, $p \leftarrow p(1 - \eta\lambda)$, *decoupled* from $m, v$.
With ``amsgrad=True`` the denominator uses the largest $v$ seen so far.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..device import array_module
from ..tensor import Tensor
from .optimizer import Optimizer, refuse_differentiable


class Adam(Optimizer):
    """``Adam(model.parameters(), lr=1e-3)``: a good default optimizer."""

    decoupled = False  # AdamW sets True

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if eps < 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        refuse_differentiable(differentiable)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)
        self.decoupled = decoupled_weight_decay  # Adam(decoupled_weight_decay=True) is AdamW

    def update(self, p: Tensor, grad: Any, group: dict, state: dict) -> None:
        """PyTorch's Adam (AdamW: decoupled decay): moving averages, bias correction, step."""
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        decay, amsgrad = group["weight_decay"], group["amsgrad"]
        xp = array_module(p.array)
        if not state:
            state["step"] = 0
            state["exp_avg"] = Tensor._make(xp.zeros_like(p.array))
            state["exp_avg_sq"] = Tensor._make(xp.zeros_like(p.array))
            if amsgrad:
                state["max_exp_avg_sq"] = Tensor._make(xp.zeros_like(p.array))
        state["step"] += 1
        t = state["step"]
        if decay != 0:
            if self.decoupled:
                p.array *= 1 - lr * decay
            else:
                grad = grad + decay * p.array
        m, v = state["exp_avg"].array, state["exp_avg_sq"].array
        m += (grad - m) * (1 - beta1)
        v *= beta2
        v += (1 - beta2) * grad * grad
        if amsgrad:
            v = xp.maximum(state["max_exp_avg_sq"].array, v, out=state["max_exp_avg_sq"].array)
        step_size = lr / (1 - beta1**t)
        denom = xp.sqrt(v) / (1 - beta2**t) ** 0.5 + eps
        p.array -= step_size * (m / denom)


class AdamW(Adam):
    """Adam with *decoupled* weight decay: ``p <- p * (1 - lr * weight_decay)`` each step."""

    decoupled = True

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused, decoupled_weight_decay=True)
