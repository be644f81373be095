"""Small helpers for the parts' tests (plain asserts, no pytest needed: a notebook runs them too).

A part's test calls the package as a learner would (``tensor(...)``, ``x.reshape(2, -1)``) and,
where it helps, the part itself through `current`, so the same test checks whichever
implementation is installed: the reference, a learner's, or the solutions'.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import numpy as np

from .registry import INSTALLED, get


def current(name: str) -> Any:
    """The implementation of part ``name`` that the package uses right now."""
    part = get(name)
    return INSTALLED.get(name, part.reference)


def close(got: Any, want: Any, atol: float = 1e-6, rtol: float = 1e-5, what: str = "") -> None:
    """Assert two arrays (or tensors, or numbers) have the same shape and values."""
    got_a = np.asarray(getattr(got, "array", got))
    want_a = np.asarray(getattr(want, "array", want))
    label = f"{what}: " if what else ""
    assert got_a.shape == want_a.shape, f"{label}shape {got_a.shape}, expected {want_a.shape}"
    assert np.allclose(got_a, want_a, atol=atol, rtol=rtol, equal_nan=True), (
        f"{label}got {got_a.tolist()}, expected {want_a.tolist()}"
    )


@contextlib.contextmanager
def raises(kind: type, match: str = "") -> Iterator[None]:
    """Assert the block raises ``kind`` (with ``match`` found in its message)."""
    try:
        yield
    except NotImplementedError:
        if kind is not NotImplementedError:
            raise  # an unwritten stub (NotImplementedError is a RuntimeError): not this error
    except kind as exc:
        assert re.search(match, str(exc)), f"{kind.__name__} said {str(exc)!r}, expected {match!r}"
    else:
        raise AssertionError(f"expected {kind.__name__}" + (f" ({match})" if match else ""))
