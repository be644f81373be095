r"""Gradient clipping: keep one bad batch from throwing the weights far away.

* ``clip_grad_norm_``: treat all the gradients as one long vector $g$; if $\|g\|$ exceeds
  ``max_norm``, scale every gradient by $\frac{\text{max\_norm}}{\|g\| + 10^{-6}}$. The
  direction is kept, only the step gets shorter.
* ``clip_grad_value_``: clamp every gradient entry into $[-c, c]$ (changes the direction).

Both change ``p.grad`` in place, between ``loss.backward()`` and ``optimizer.step()``.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from ...autograd.grad_mode import no_grad
from ...creation import tensor
from ...tensor import Tensor


def _grads(parameters: Any) -> list[Tensor]:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return [p.grad for p in params if p.grad is not None]


def clip_grad_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach: bool | None = None) -> Tensor:
    r"""Scale the gradients so that their joint ``norm_type``-norm is at most ``max_norm``.

    Returns the total norm before clipping (a 0-d tensor), handy to log.
    """
    grads = _grads(parameters)
    norm_type = float(norm_type)
    if not grads:
        return tensor(0.0)
    with no_grad():
        norms = [g.norm(norm_type) for g in grads]
        if norm_type == math.inf:
            total = norms[0] if len(norms) == 1 else _stack_max(norms)
        else:
            total = sum((n.to(grads[0].device) ** norm_type for n in norms[1:]),
                        norms[0] ** norm_type) ** (1.0 / norm_type)
        if error_if_nonfinite and not math.isfinite(total.item()):
            raise RuntimeError(
                f"The total norm of order {norm_type} for gradients from `parameters` is "
                "non-finite, so it cannot be clipped. To disable this error and scale the "
                "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
            )
        coef = (max_norm / (total + 1e-6)).clamp(max=1.0)
        for g in grads:
            g.mul_(coef.to(g.device, g.dtype))
    return total


def _stack_max(norms: list[Tensor]) -> Tensor:
    out = norms[0]
    for n in norms[1:]:
        out = out.maximum(n)
    return out


def clip_grad_value_(parameters: Iterable[Tensor] | Tensor, clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every gradient entry into ``[-clip_value, clip_value]``, in place."""
    clip_value = float(clip_value)
    with no_grad():
        for g in _grads(parameters):
            g.clamp_(min=-clip_value, max=clip_value)
