"""The text inside each box of a graph picture: names, shapes, values, gradients.

Works on both kinds of graph nodes the course builds:

* a scalar ``Value`` (chapter 03): ``label``, ``data=2``, ``grad=0``;
* a ``Tensor`` (chapter 04 on): ``name``, ``(2, 3) float32 cpu``, and on request its
  values and gradient (only when small: a picture is not a spreadsheet).

Operation nodes are named like PyTorch's backward functions (``MulBackward0``), so the
picture of a ``Value`` graph and of the same program in PyTorch read the same. For a
``Value`` the operator symbol follows on a second line (``MulBackward0`` / ``*``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.scalar import Value

MAX_VALUES = 16  # tensors with more elements show a count instead of their values

VALUE_OP_NAMES = {
    "+": "AddBackward0", "-": "SubBackward0", "*": "MulBackward0", "/": "DivBackward0",
    "**": "PowBackward0", "neg": "NegBackward0", "exp": "ExpBackward0",
    "log": "LogBackward0", "tanh": "TanhBackward0", "relu": "ReluBackward0",
    "sigmoid": "SigmoidBackward0",
}

NO_GRAD = object()  # "no gradient known yet", distinct from a gradient of None


def is_tensor(x: Any) -> bool:
    """Duck-typed: anything with ``grad_fn`` and ``data`` is drawn as a tensor."""
    return hasattr(x, "grad_fn") and hasattr(x, "data") and not isinstance(x, Value)


def to_numpy(a: Any) -> np.ndarray:
    """A NumPy copy of an array that may live on the GPU (CuPy arrays have ``.get()``)."""
    if is_tensor(a):
        a = a.array
    if not isinstance(a, np.ndarray) and hasattr(a, "get"):
        a = a.get()
    return np.asarray(a)


def number_text(x: float) -> str:
    """``2.0 -> '2'``, ``0.333333 -> '0.3333'``: 4 significant digits, short."""
    return f"{x:.4g}"


def array_text(a: Any) -> str:
    """Values of a small array (one line per row), or just how many there are."""
    arr = to_numpy(a)
    if arr.size > MAX_VALUES:
        return f"[{arr.size} values]"
    if arr.ndim == 0:
        return number_text(float(arr)) if arr.dtype.kind in "fc" else str(arr.item())
    text = np.array2string(arr, precision=4, separator=", ", suppress_small=True)
    return "\n".join(line.strip() for line in text.splitlines())


def meta_text(shape: Any, dtype: Any, device: Any = None) -> str:
    """``(2, 3) float32 cpu``: what PyTorch would print for ``t.shape, t.dtype, t.device``."""
    parts = [str(tuple(shape)), str(dtype).rsplit(".", 1)[-1]]
    if device is not None:
        parts.append(str(device))
    return " ".join(parts)


def grad_text(grad: Any) -> str:
    """The gradient line: ``grad=...``, or ``grad=None`` before any backward."""
    if grad is None:
        return "grad=None"
    if isinstance(grad, str):  # "?": not known yet
        return "grad=" + grad
    return "grad=" + (number_text(grad) if isinstance(grad, float) else array_text(grad))


def keeps_grad(x: Any) -> bool:
    """Does ``x.grad`` hold anything? Leaves, and tensors that called ``retain_grad()``.

    (Reading ``.grad`` of any other tensor makes PyTorch warn, so we don't.)
    """
    return isinstance(x, Value) or x.is_leaf or bool(getattr(x, "retains_grad", False))


def stored_grad(x: Any) -> Any:
    """``x.grad`` where it is kept, else ``None`` (what PyTorch gives, minus the warning)."""
    return x.grad if keeps_grad(x) else None


def data_label(x: Any, show_data: bool, show_grad: bool, grad: Any = NO_GRAD) -> list[str]:
    """Lines for a tensor or ``Value`` box. ``grad`` overrides ``x.grad`` (the stepper's)."""
    if isinstance(x, Value):
        lines = [x.label] if x.label else []
        if show_data:
            lines.append("data=" + number_text(x.data))
    else:
        name = getattr(x, "name", None)
        lines = [name] if name else []
        lines.append(meta_text(x.shape, x.dtype, getattr(x, "device", None)))
        if show_data:
            lines.append("data=" + array_text(x.array))
    if show_grad and x.requires_grad:  # a constant never gets a gradient: no line for it
        lines.append(grad_text(stored_grad(x) if grad is NO_GRAD else grad))
    return lines or [""]


def op_label(op: Any) -> list[str]:
    """Lines for an operation: PyTorch's backward-function name (+ a ``Value``'s symbol)."""
    if isinstance(op, Value):
        return [VALUE_OP_NAMES.get(op._op, op._op), op._op]
    return [op.name()]


def saved_label(saved: Any, show_data: bool) -> list[str]:
    """Lines for one saved tensor (a raw array or a Tensor): shape, dtype, values."""
    arr = to_numpy(saved)
    lines = [meta_text(arr.shape, arr.dtype)]
    if show_data:
        lines.append(array_text(arr))
    return lines
