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

from collections.abc import Callable, Iterable
from typing import Any

from ..autograd.grad_mode import enable_grad
from ..tensor import Tensor
from .optimizer import Optimizer, mark_updated


class SGD(Optimizer):
    """``SGD(model.parameters(), lr=0.1, momentum=0.9)``."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False,
                 *, maximize: bool = False) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    def step(self, closure: Callable | None = None) -> Any:
        """One update of every parameter that has a gradient."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, mu, tau = group["lr"], group["momentum"], group["dampening"]
            decay, nesterov, maximize = group["weight_decay"], group["nesterov"], group["maximize"]
            for p in group["params"]:
                if p._grad is None:
                    continue
                g = p._grad.data
                if maximize:
                    g = -g
                if decay != 0:
                    g = g + decay * p.data
                if mu != 0:
                    state = self.state.setdefault(p, {})
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = Tensor._make(g.copy())
                    else:
                        buf.data *= mu
                        buf.data += (1 - tau) * g
                    g = g + mu * buf.data if nesterov else buf.data
                p.data -= lr * g
                mark_updated(p)
        return loss
