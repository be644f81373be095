"""The text inside each box of a graph picture: names, shapes, values, gradients.

Works on both kinds of graph nodes the course builds:

* a scalar ``Value`` (chapter 03): ``label``, ``data=2``, ``grad=0``;
* a ``Tensor`` (chapter 04 on): ``name``, ``(2, 3) float32 cpu``, and, when it is small
  (at most ``SMALL_TENSOR`` = 8 values, or on request), its values and, after ``backward()``,
  its gradient. A picture is not a spreadsheet: bigger tensors show only their shape.
* an intermediate tensor's gradient is not kept by ``backward()`` (PyTorch frees it unless
  you call ``retain_grad()``), and its box says so instead of a bare ``grad=None``.

Operation nodes are named like PyTorch's backward functions (``MulBackward0``), so the
picture of a ``Value`` graph and of the same program in PyTorch read the same. For a
``Value`` the operator symbol follows on a second line (``MulBackward0`` / ``*``).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from tinygrad_edu.scalar import Value

MAX_VALUES = 16  # tensors with more elements show a count instead of their values
SMALL_TENSOR = 8  # show_data=None ("auto"): tensors with at most this many values show them
NOT_KEPT = "grad=None: not kept\n(retain_grad() keeps it)"  # an intermediate's .grad

VALUE_OP_NAMES = {
    "+": "AddBackward0", "-": "SubBackward0", "*": "MulBackward0", "/": "DivBackward0",
    "**": "PowBackward0", "neg": "NegBackward0", "exp": "ExpBackward0",
    "log": "LogBackward0", "tanh": "TanhBackward0", "relu": "ReluBackward0",
    "sigmoid": "SigmoidBackward0",
}

NO_GRAD = object()  # "no gradient known yet", distinct from a gradient of None


def is_tensor(x: Any) -> bool:
    """Duck-typed: anything with ``grad_fn`` and ``array`` is drawn as a tensor."""
    return hasattr(x, "grad_fn") and hasattr(x, "array") and not isinstance(x, Value)


def raw(x: Any) -> Any:
    """The raw NumPy/CuPy array of a tensor (``x.array``); anything else as it is."""
    return x.array if is_tensor(x) else x


def numel(x: Any) -> int:
    """How many values ``x`` holds (a number counts as one)."""
    return int(getattr(raw(x), "size", 1))


def to_numpy(a: Any) -> np.ndarray:
    """A NumPy copy of an array that may live on the GPU (CuPy arrays have ``.get()``)."""
    a = raw(a)
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
    text = re.sub(r" +([,\]])", r"\1", text)  # NumPy pads columns: "[0.045 , 0.0981]"
    return "\n".join(line.strip() for line in text.splitlines())


def meta_text(shape: Any, dtype: Any, device: Any = None) -> str:
    """``(2, 3) float32 cpu``: what PyTorch would print for ``t.shape, t.dtype, t.device``."""
    parts = [str(tuple(shape)), str(dtype).rsplit(".", 1)[-1]]
    if device is not None:
        parts.append(str(device))
    return " ".join(parts)


def grad_text(grad: Any) -> str:
    """The gradient line: ``grad=...``, or ``grad=None`` before any backward."""
    if grad is NOT_KEPT:
        return NOT_KEPT
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
    return x.grad if keeps_grad(x) else NOT_KEPT


def is_small(x: Any, limit: int = SMALL_TENSOR) -> bool:
    """Few enough values to print in a box (a ``Value`` is always one number)."""
    return isinstance(x, Value) or numel(x) <= limit


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
        lines += grad_text(stored_grad(x) if grad is NO_GRAD else grad).split("\n")
    return lines or [""]


def op_label(op: Any) -> list[str]:
    """Lines for an operation: PyTorch's backward-function name (+ a ``Value``'s symbol)."""
    if isinstance(op, Value):
        return [VALUE_OP_NAMES.get(op._op, op._op), op._op]
    return [op.name()]


def saved_label(saved: Any, show_data: bool | None, name: str = "") -> list[str]:
    """Lines for one saved tensor (a raw array, a Tensor or a number): PyTorch's name for it
    (``self``, ``other``, ``exponent``, ``result``), shape, dtype, and its values when small
    (``show_data=None``) or asked for (``True``)."""
    arr = to_numpy(saved)
    lines = ([name] if name else []) + [meta_text(arr.shape, arr.dtype)]
    if show_data or (show_data is None and arr.size <= SMALL_TENSOR):
        lines.append(array_text(arr))
    return lines
