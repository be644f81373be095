r"""``optim.SGD``: stochastic gradient descent, with PyTorch's momentum, dampening and Nesterov.

For each parameter $p$ with gradient $g$, one step is (exactly PyTorch's order):

$$g \leftarrow g + \lambda p \quad\text{(weight decay } \lambda\text{)}$$
$$b \leftarrow \mu b + (1 - \tau) g \quad\text{(momentum } \mu\text{, dampening } \tau\text{)}$$
(on the first step the buffer starts as $b = g$)
$$g \leftarrow g + \mu b \text{ (Nesterov)} \quad\text{or}\quad g \leftarrow b$$
$$p \leftarrow p - \eta g \quad\text{(learning rate } \eta\text{)}$$

The update works on the raw arrays, in place: it is not part of any graph.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..tensor import Tensor
from .optimizer import Optimizer, refuse_differentiable


class SGD(Optimizer):
    """``SGD(model.parameters(), lr=0.1, momentum=0.9)``."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False,
                 *, maximize: bool = False, foreach: bool | None = None,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        refuse_differentiable(differentiable)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    def update(self, p: Tensor, grad: Any, group: dict, state: dict) -> None:
        """PyTorch's SGD: weight decay, then momentum (optionally Nesterov), then the step."""
        mu, tau, decay = group["momentum"], group["dampening"], group["weight_decay"]
        if decay != 0:
            grad = grad + decay * p.array
        if mu != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = Tensor._make(grad.copy())
            else:
                buf.array *= mu
                buf.array += (1 - tau) * grad
            grad = grad + mu * buf.array if group["nesterov"] else buf.array
        p.array -= group["lr"] * grad
