"""How a tensor prints: PyTorch's format, so output here matches what you will see in PyTorch.

Floats print with 4 decimals (``0.1000``), or as ``4.`` when every value is a whole number, or in
scientific notation when values span more than 1000x. Rows wrap at 80 characters and tensors with
more than 1000 elements are summarised with ``...``. Then come the parts that differ from the
defaults: device, dtype, and either ``grad_fn=<...>`` or ``requires_grad=True``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH = 4, 1000, 3, 80
SCI_MODE = None  # None: decide per tensor; True/False: always/never scientific notation


class _Formatter:
    """Decides one format for every element, so columns line up."""

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.int_mode, self.sci_mode = True, False
        shown = values.ravel()
        if self.floating:
            # PyTorch sizes the columns by the non-zero finite values only: 0, inf, nan may be
            # narrower or wider than the rest (tensor([-0., 1.]), tensor([inf, 2.])).
            shown = finite = shown[np.isfinite(shown) & (shown != 0)]
            if finite.size:
                magnitudes = np.abs(finite).astype(np.float64)
                lo, hi = magnitudes.min(), magnitudes.max()
                self.int_mode = bool(np.all(finite == np.ceil(finite)))
                self.sci_mode = hi / lo > 1000.0 or hi > 1e8 or (not self.int_mode and lo < 1e-4)
        if SCI_MODE is not None and self.floating:
            self.sci_mode = SCI_MODE
        self.width = max((len(self.raw(v)) for v in shown), default=1)

    def raw(self, v: Any) -> str:
        if not self.floating:
            return str(bool(v)) if isinstance(v, (bool, np.bool_)) else str(int(v))
        v = float(v)
        if not math.isfinite(v):
            return str(v)
        if self.sci_mode:
            return f"{v:.{PRECISION}e}"
        if self.int_mode:
            return f"{v:.0f}."
        return f"{v:.{PRECISION}f}"

    def __call__(self, v: Any) -> str:
        return self.raw(v).rjust(self.width)


def _summarised(a: np.ndarray) -> np.ndarray:
    """The edge elements that will actually be printed (for choosing the format)."""
    if a.ndim == 0:
        return a.reshape(1)
    if a.shape[0] > 2 * EDGEITEMS:
        a = np.concatenate([a[:EDGEITEMS], a[-EDGEITEMS:]])
    return np.concatenate([_summarised(x).ravel() for x in a]) if a.ndim > 1 else a


def _vector(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    per_line = max(1, (LINEWIDTH - indent) // (fmt.width + 2))
    if summarize and a.shape[0] > 2 * EDGEITEMS:
        items = [fmt(v) for v in a[:EDGEITEMS]] + [" ..."] + [fmt(v) for v in a[-EDGEITEMS:]]
    else:
        items = [fmt(v) for v in a]
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if a.ndim == 1:
        return _vector(a, indent, summarize, fmt)
    rows = range(a.shape[0])
    if summarize and a.shape[0] > 2 * EDGEITEMS:
        parts = [_nested(a[i], indent + 1, summarize, fmt) for i in rows[:EDGEITEMS]]
        parts += ["..."] + [_nested(a[i], indent + 1, summarize, fmt) for i in rows[-EDGEITEMS:]]
    else:
        parts = [_nested(a[i], indent + 1, summarize, fmt) for i in rows]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def format_values(a: np.ndarray, indent: int = 7) -> str:
    """The bracketed numbers of ``tensor(...)``, e.g. ``[4., 6.]``."""
    if a.size == 0:
        return "[]" if a.ndim == 1 else "[]"
    summarize = a.size > THRESHOLD
    fmt = _Formatter(_summarised(a) if summarize else a)
    if a.ndim == 0:
        return fmt.raw(a.item())
    return _nested(a, indent, summarize, fmt)


def tensor_repr(t: Any) -> str:
    """``tensor([1., 2.], requires_grad=True)`` and friends."""
    from .dtypes import bool_, float32, get_default_dtype, int64

    host = t.numpy_host()
    suffixes = []
    if t.device.type != "cpu":
        suffixes.append(f"device='{t.device}'")
    default_dtypes = (get_default_dtype(), int64, bool_)
    if t.array.size == 0 and t.dtype is not get_default_dtype():
        suffixes.append(f"size={tuple(t.shape)}") if t.array.ndim > 1 else None
        suffixes.append(f"dtype={t.dtype}")
    elif t.array.size == 0 and t.array.ndim > 1:
        suffixes.append(f"size={tuple(t.shape)}")
    elif t.dtype not in default_dtypes or (
        t.dtype is float32 and float32 is not get_default_dtype()
    ):
        suffixes.append(f"dtype={t.dtype}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes("tensor(" + format_values(host), suffixes)


def _add_suffixes(text: str, suffixes: list, indent: int = 7) -> str:
    """Append ``, dtype=...`` etc., starting a new line when the line would pass 80 characters.

    Lengths are measured as PyTorch would see them (``torch.float64``), so a tensor wraps at
    the same place in both libraries.
    """
    last_line_len = len(text) - text.rfind("\n") + 1  # PyTorch's arithmetic, kept as is
    for suffix in suffixes:
        n = len(suffix.replace("tinygrad_edu.", "torch."))
        if last_line_len + n + 2 > LINEWIDTH:
            text += ",\n" + " " * indent + suffix
            last_line_len = indent + n
        else:
            text += ", " + suffix
            last_line_len += n + 2
    return text + ")"


_PROFILES = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80), "full": (4, 2**63, 3, 80)}


def set_printoptions(precision: int | None = None, threshold: float | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """Change how tensors print, as ``torch.set_printoptions``: digits after the point
    (``precision``), how many elements before summarising with ``...`` (``threshold``), how
    many shown at each edge (``edgeitems``), the line width, or a ``profile`` ("default",
    "short", "full"); ``sci_mode`` forces scientific notation on (True) or off (False)."""
    global PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH, SCI_MODE
    if profile is not None:
        PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH = _PROFILES[profile]
    PRECISION = PRECISION if precision is None else int(precision)
    THRESHOLD = THRESHOLD if threshold is None else threshold
    EDGEITEMS = EDGEITEMS if edgeitems is None else int(edgeitems)
    LINEWIDTH = LINEWIDTH if linewidth is None else int(linewidth)
    SCI_MODE = sci_mode
