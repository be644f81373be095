r"""``optim.Adagrad``: step sizes that shrink with everything a parameter has seen.

Each parameter keeps the sum of its squared gradients $s$; its step is divided by $\sqrt s$,
so parameters with rare (small) gradients keep large steps. Per step $t$ (PyTorch's order):

$$g \leftarrow g + \lambda p, \qquad \eta_t = \frac{\eta}{1 + (t-1)\,\text{lr\_decay}}$$
$$s \leftarrow s + g^2, \qquad p \leftarrow p - \eta_t \frac{g}{\sqrt s + \epsilon}$$
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..device import array_module
from ..tensor import Tensor
from .optimizer import Optimizer


class Adagrad(Optimizer):
    """``Adagrad(model.parameters(), lr=0.01)``."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        for name, value in (("learning rate", lr), ("lr_decay value", lr_decay),
                            ("weight_decay value", weight_decay),
                            ("initial_accumulator_value value", initial_accumulator_value),
                            ("epsilon value", eps)):
            if value < 0.0:
                raise ValueError(f"Invalid {name}: {value}")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:  # PyTorch fills the state at once, not at the 1st step
            for p in group["params"]:
                xp = array_module(p.array)
                self.state[p] = {
                    "step": 0,
                    "sum": Tensor._make(xp.full_like(p.array, group["initial_accumulator_value"])),
                }

    def update(self, p: Tensor, grad: Any, group: dict, state: dict) -> None:
        """PyTorch's Adagrad: decay, decayed learning rate, running sum of squares, step."""
        xp = array_module(p.array)
        if not state:  # a parameter group added later
            state["step"] = 0
            state["sum"] = Tensor._make(xp.full_like(p.array, group["initial_accumulator_value"]))
        state["step"] += 1
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * p.array
        lr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        s = state["sum"].array
        s += grad * grad
        p.array[...] -= lr * (grad / (xp.sqrt(s) + group["eps"]))
