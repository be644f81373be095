r"""``optim.RMSprop``: divide each step by a running size of that parameter's gradient.

A parameter whose gradients are large gets small steps, and the other way round. Per step
(PyTorch's exact order, with $\alpha$ = ``alpha``, $\lambda$ = ``weight_decay``):

$$g \leftarrow g + \lambda p, \qquad v \leftarrow \alpha v + (1-\alpha) g^2$$
$$\text{centered: } \bar g \leftarrow \alpha \bar g + (1-\alpha) g,\ \
  d = \sqrt{v - \bar g^2} + \epsilon \qquad\text{else } d = \sqrt{v} + \epsilon$$
$$\text{momentum } \mu > 0:\ b \leftarrow \mu b + g/d,\ \ p \leftarrow p - \eta b
\qquad\text{else } p \leftarrow p - \eta\, g/d$$
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..device import array_module
from ..tensor import Tensor
from .optimizer import Optimizer


class RMSprop(Optimizer):
    """``RMSprop(model.parameters(), lr=0.01)``."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, capturable: bool = False, foreach: bool | None = None,
                 maximize: bool = False, differentiable: bool = False) -> None:
        for name, value in (("learning rate", lr), ("epsilon value", eps),
                            ("momentum value", momentum), ("weight_decay value", weight_decay),
                            ("alpha value", alpha)):
            if value < 0.0:
                raise ValueError(f"Invalid {name}: {value}")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def update(self, p: Tensor, grad: Any, group: dict, state: dict) -> None:
        """PyTorch's RMSprop: decay, squared average, (centered), (momentum), step."""
        xp = array_module(p.array)
        alpha, eps, mu = group["alpha"], group["eps"], group["momentum"]
        if not state:
            state["step"] = 0
            state["square_avg"] = Tensor._make(xp.zeros_like(p.array))
            if mu > 0:
                state["momentum_buffer"] = Tensor._make(xp.zeros_like(p.array))
            if group["centered"]:
                state["grad_avg"] = Tensor._make(xp.zeros_like(p.array))
        state["step"] += 1
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * p.array
        v = state["square_avg"].array
        v *= alpha
        v += (1 - alpha) * grad * grad
        if group["centered"]:
            g_avg = state["grad_avg"].array
            g_avg += (grad - g_avg) * (1 - alpha)  # lerp towards g
            denom = xp.sqrt(v - g_avg * g_avg) + eps
        else:
            denom = xp.sqrt(v) + eps
        if mu > 0:
            buf = state["momentum_buffer"].array
            buf *= mu
            buf += grad / denom
            p.array[...] -= group["lr"] * buf
        else:
            p.array[...] -= group["lr"] * (grad / denom)
