"""Grad mode: the one switch that says whether operations record a graph.

``with no_grad():`` turns recording off (for evaluation and for updating weights);
``enable_grad()`` turns it back on inside a ``no_grad`` block. Both also work as decorators.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any


class _GradModeState(threading.local):
    """Grad mode is per thread, as in PyTorch: ``no_grad()`` in one thread (a grader's judge,
    a data-loading worker) never switches recording off in another. Each thread starts on."""

    enabled = True


_GradMode = _GradModeState()


def is_grad_enabled() -> bool:
    """True when new operations are recorded for backward."""
    return _GradMode.enabled


class set_grad_enabled:  # noqa: N801  (PyTorch's name)
    """Set grad mode to ``mode``; as a context manager, restore the previous mode on exit."""

    def __init__(self, mode: bool) -> None:
        self.prev = _GradMode.enabled
        _GradMode.enabled = bool(mode)

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        _GradMode.enabled = self.prev


class _GradModeContext:
    """Base of no_grad / enable_grad: a context manager that is also a decorator."""

    mode = True

    def __enter__(self) -> None:
        self.prev = _GradMode.enabled
        _GradMode.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        _GradMode.enabled = self.prev

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with type(self)():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradModeContext):  # noqa: N801
    """Operations inside record no graph: results have ``requires_grad=False``.

    >>> with no_grad():
    ...     y = x * 2        # y.grad_fn is None even if x requires grad
    """

    mode = False


class enable_grad(_GradModeContext):  # noqa: N801
    """Turn recording back on inside a ``no_grad`` block."""

    mode = True


class inference_mode(_GradModeContext):  # noqa: N801
    """Like :class:`no_grad` (PyTorch's faster variant for evaluation; here the same switch).

    ``inference_mode(False)`` leaves grad mode as it is.
    """

    def __init__(self, mode: bool = True) -> None:
        self.mode = False if mode else _GradMode.enabled

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with inference_mode():
                return fn(*args, **kwargs)

        return wrapper
