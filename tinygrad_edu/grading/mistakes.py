"""Classic mistakes, recognised from a wrong answer and named by the concept they miss.

`classic_mistake(expected, got)` runs on the trusted side after a case failed, for every
task: a task's own `Task.diagnose` comes first, then these readings, which need only the
expected value and the answer (no reference code, so nothing here gives an answer away):

* the transpose of the expected matrix: which axis each index runs along;
* the right numbers in a shape with a 1 more or less: a reduced dimension kept or dropped;
* every value with the opposite sign;
* twice or half the expected value: a contribution counted twice, or not accumulated;
* off by a factor n/(n-1): dividing by n versus n - 1;
* an integer off by one: where a count starts and ends;
* the right values in another dtype: type promotion.

Each reading names the concept, never the fix.

    >>> import numpy as np
    >>> classic_mistake(np.arange(6.0).reshape(2, 3), np.arange(6.0).reshape(2, 3).T)[:38]
    'Your answer is the expected one transp'
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from tinygrad_edu.grading.compare import as_array


def _array(x: Any) -> np.ndarray | None:
    """``x`` as a float array when it is numeric (a number, an array, a tensor), else None."""
    if isinstance(x, bool):
        return None
    if isinstance(x, numbers.Integral):
        return np.asarray(int(x))
    if isinstance(x, numbers.Real):
        return np.asarray(float(x))
    a = as_array(x)
    if a is None or a.dtype.kind not in "biuf":
        return None
    return a


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-5, atol=1e-7))


def _ratio(e: np.ndarray, g: np.ndarray) -> float | None:
    """The one factor with ``g == factor * e`` (e not all zero), else None."""
    if e.shape != g.shape or e.size == 0 or not np.any(e):
        return None
    e, g = e.astype(np.float64), g.astype(np.float64)
    i = int(np.argmax(np.abs(e)))
    r = float(g.reshape(-1)[i] / e.reshape(-1)[i])
    return r if np.isfinite(r) and _close(g, r * e) else None


def _n_minus_one(r: float) -> int | None:
    """n when ``r`` is n/(n-1), (n-1)/n or their square roots, for 2 <= n <= 10000."""
    for x in (r, 1 / r, r * r, 1 / (r * r)):
        if x > 1 and abs(x - 1) > 1e-9:
            n = round(x / (x - 1))  # x = n/(n-1)  =>  n = x/(x-1)
            if 2 <= n <= 10000 and abs(n / (n - 1) - x) < 1e-6 * x:
                return n
    return None


def _first_difference(expected: Any, got: Any) -> tuple[Any, Any]:
    """Into lists, tuples and dicts: the first pair of items that differ."""
    from tinygrad_edu.grading.compare import mismatch

    while True:
        if isinstance(expected, (list, tuple)) and isinstance(got, (list, tuple)):
            if len(expected) != len(got):
                return expected, got
            pairs = list(zip(expected, got, strict=True))
        elif isinstance(expected, dict) and isinstance(got, dict) and set(expected) == set(got):
            pairs = [(expected[k], got[k]) for k in expected]
        else:
            return expected, got
        wrong = [(e, g) for e, g in pairs if mismatch(e, g)]
        if not wrong:
            return expected, got
        expected, got = wrong[0]


def classic_mistake(expected: Any, got: Any) -> str:
    """The concept a wrong ``got`` misses, when it is a classic mistake; else ""."""
    expected, got = _first_difference(expected, got)
    e, g = _array(expected), _array(got)
    if e is None or g is None or e.size == 0 or g.size == 0:
        return ""
    if e.shape == g.shape and e.dtype != g.dtype and _close(e.astype(float), g.astype(float)):
        return (
            f"The values are right but the dtype is {g.dtype}, not {e.dtype}: think about "
            "which dtype an operation's result gets (type promotion)."
        )
    if e.shape != g.shape:
        if e.ndim == 2 and g.shape == e.shape[::-1] and _close(g, e.T):
            return (
                "Your answer is the expected one transposed (rows and columns swapped): "
                "think about which axis each index runs along."
            )
        if e.size == g.size and _close(g.reshape(e.shape), e):
            return (
                f"The numbers are right but the shape is {g.shape}, not {e.shape}: a "
                "reduction drops the dimension it reduces unless it is kept (keepdim)."
            )
        return ""
    if e.ndim == 2 and e.shape[0] == e.shape[1] and not _close(e, e.T) and _close(g, e.T):
        return (
            "Your answer is the expected one transposed (rows and columns swapped): think "
            "about which axis each index runs along, and how a (n,) result broadcasts."
        )
    if e.dtype.kind in "iu" and g.dtype.kind in "iu" and np.all(np.abs(g - e) == 1):
        return "Off by one: think about where the count starts and whether the end is included."
    if not np.any(g) and np.any(e):
        return (
            "Every value is 0 where the expected ones are not: nothing reached this result. "
            "Think about where each value gets written."
        )
    r = _ratio(e, g)
    if r is None:
        return ""
    if abs(r + 1) < 1e-6:
        return (
            "Every value has the opposite sign: think about the sign of each term "
            "(a minus sign, or which way a step goes)."
        )
    if abs(r - 2) < 1e-6:
        return (
            "Every value is twice the expected: something is counted twice (a contribution "
            "added in two places, or gradients kept from an earlier pass)."
        )
    if abs(r - 0.5) < 1e-6:
        return (
            "Every value is half the expected: a contribution is missing. The gradient of a "
            "value used twice accumulates (+=) from both uses."
        )
    n = _n_minus_one(r) if e.dtype.kind == "f" else None
    if n is not None:
        return (
            f"Your numbers are off by a factor of n/(n-1) with n = {n}: dividing by n versus "
            "n - 1 (the plain mean versus the unbiased estimate)."
        )
    return ""
