r"""Numerical gradient checking: is backward right? Compare it with finite differences.

For each input element $x_i$, nudge it both ways and measure the output's slope:

$$\frac{\partial f}{\partial x_i} \approx
  \frac{f(x + \epsilon e_i) - f(x - \epsilon e_i)}{2\epsilon}$$

then compare with what ``backward`` computed. Use float64 inputs: float32 is too coarse.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .engine import grad


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` when the analytical and numerical gradients disagree."""


def numerical_grad(
    fn: Callable, inputs: Sequence[Any], index: int, eps: float = 1e-6, weight: Any = None
) -> np.ndarray:
    """d(sum of fn's output * weight)/d(inputs[index]) by central differences (weight 1 if None)."""
    x = inputs[index]
    flat = x.array.reshape(-1)
    grad = np.zeros(flat.shape, dtype=np.float64)
    w = 1.0 if weight is None else weight
    for i in range(flat.size):
        old = flat[i].item()
        flat[i] = old + eps
        plus = float((fn(*inputs).array * w).sum())
        flat[i] = old - eps
        minus = float((fn(*inputs).array * w).sum())
        flat[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad.reshape(x.array.shape)


def gradcheck(
    fn: Callable,
    inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """True when ``backward`` agrees with finite differences for every input that requires grad.

    On a mismatch, raises (or returns False) with a message naming the input and the element, and
    the expected (numerical) against the computed (analytical) value.
    """
    from ..tensor import Tensor

    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor) and x.requires_grad and x.dtype.name != "float64":
            raise GradcheckError(
                f"gradcheck needs float64 inputs for precision; input {i} is {x.dtype}"
            )
    for i, x in enumerate(inputs):
        if not (isinstance(x, Tensor) and x.requires_grad):
            continue
        out = fn(*inputs)
        # A different weight per output element: with all ones, a backward that forgets to
        # multiply by grad_output (or mixes its elements up) would still pass. PyTorch's
        # gradcheck builds the whole Jacobian instead; weighting is its fast_mode=True.
        weight = np.random.default_rng(0).uniform(0.5, 1.5, size=out.array.shape)
        # autograd.grad, not backward(): like PyTorch's, gradcheck leaves every .grad alone.
        (g,) = grad(out, x, Tensor(weight, dtype=out.dtype), allow_unused=True)
        analytical = np.zeros(x.array.shape) if g is None else g.numpy_host()
        numerical = numerical_grad(fn, inputs, i, eps, weight=weight)
        bad = ~np.isclose(analytical, numerical, atol=atol, rtol=rtol)
        if bad.any():
            where = tuple(int(k) for k in np.argwhere(bad)[0])
            message = (
                f"Jacobian mismatch for output 0 with respect to input {i} at index {where}:\n"
                f"numerical (expected): {numerical[where]:.6g}\n"
                f"analytical (backward): {analytical[where]:.6g}\n"
                f"(both are d(sum(w * output))/d(input {i}), w fixed random weights, so a "
                "backward that ignores grad_output fails too.)\n"
                "Check that input's formula in your backward (and that broadcast dims are summed)."
            )
            if raise_exception:
                raise GradcheckError(message)
            return False
    return True
