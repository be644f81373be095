r"""``optim.RMSprop``: divide each step by a running average of the gradient's size.

For each parameter $p$ with gradient $g$ (PyTorch's order; momentum and ``centered`` included):

$$v \leftarrow \alpha v + (1 - \alpha) g^2$$
$$p \leftarrow p - \eta\, g / (\sqrt{v} + \epsilon)$$

A parameter whose gradients are large takes small steps, and the other way round.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..device import array_module
from ..tensor import Tensor
from .optimizer import Optimizer


class RMSprop(Optimizer):
    """``RMSprop(model.parameters(), lr=1e-3)`` (the optimizer of PyTorch's polynomial_optim)."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0,
                 centered: bool = False, *, maximize: bool = False) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if eps < 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                        centered=centered, maximize=maximize)
        super().__init__(params, defaults)

    def update(self, p: Tensor, grad: Any, group: dict, state: dict) -> None:
        xp = array_module(grad)
        alpha, eps, decay = group["alpha"], group["eps"], group["weight_decay"]
        if decay != 0:
            grad = grad + decay * p.array
        if "square_avg" not in state:
            state["square_avg"] = Tensor._make(xp.zeros_like(p.array))
            if group["centered"]:
                state["grad_avg"] = Tensor._make(xp.zeros_like(p.array))
            if group["momentum"] > 0:
                state["momentum_buffer"] = Tensor._make(xp.zeros_like(p.array))
        v = state["square_avg"].array
        v *= alpha
        v += (1 - alpha) * grad * grad
        if group["centered"]:
            m = state["grad_avg"].array
            m *= alpha
            m += (1 - alpha) * grad
            avg = xp.sqrt(v - m * m) + eps
        else:
            avg = xp.sqrt(v) + eps
        if group["momentum"] > 0:
            buf = state["momentum_buffer"].array
            buf *= group["momentum"]
            buf += grad / avg
            p.array -= group["lr"] * buf
        else:
            p.array -= group["lr"] * grad / avg
