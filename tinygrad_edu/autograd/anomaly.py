"""Anomaly detection: which forward operation made backward produce ``nan``?

A ``nan`` in a gradient usually appears long after its cause. With anomaly mode on, every
operation remembers where in *your* code it ran (its stack trace), and the backward engine checks
each node's output: the first node whose gradient contains ``nan`` raises, naming itself and
printing the forward line that created it, as PyTorch does::

    with torch.autograd.detect_anomaly():
        loss = (x.sqrt() * 0).sum()       # sqrt(0) has an infinite slope: 0 * inf = nan
        loss.backward()                   # RuntimeError: Function 'SqrtBackward0' returned nan
"""

from __future__ import annotations

import traceback
import warnings
from typing import Any


class _Anomaly:
    """The switch, read by Function.apply (record the stack) and the engine (check for nan)."""

    enabled = False

    @classmethod
    def set(cls, mode: bool) -> None:
        from .function import set_anomaly_recording

        cls.enabled = bool(mode)
        set_anomaly_recording(cls.enabled)


def is_anomaly_enabled() -> bool:
    return _Anomaly.enabled


class set_detect_anomaly:  # noqa: N801  (PyTorch's name)
    """Turn anomaly detection on or off; as a context manager, restore it on exit."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = _Anomaly.enabled
        _Anomaly.set(mode)

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        _Anomaly.set(self.prev)


class detect_anomaly:  # noqa: N801
    """Context manager (or decorator) that turns anomaly detection on inside it."""

    def __init__(self, check_nan: bool = True) -> None:
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should "
            "only be enabled for debugging.", UserWarning, stacklevel=2,
        )

    def __enter__(self) -> None:
        self.prev = _Anomaly.enabled
        _Anomaly.set(True)

    def __exit__(self, *exc: object) -> None:
        _Anomaly.set(self.prev)

    def __call__(self, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return fn(*args, **kwargs)

        return wrapper


def record_forward(node: Any) -> None:
    """Remember where the forward of ``node`` was called (the stack, minus this module)."""
    node._forward_trace = traceback.format_stack()[:-3]


def check_gradients(node: Any, grad_inputs: tuple) -> None:
    """Raise if the backward of ``node`` returned a ``nan``, naming the forward that made it."""
    for i, g in enumerate(grad_inputs):
        if g is None or getattr(g, "dtype", None) is None or g.dtype.kind not in "fc":
            continue
        if bool((g != g).any()):
            trace = getattr(node, "_forward_trace", None)
            if trace:
                warnings.warn(
                    "Error detected in " + node.name() + ". Traceback of forward call that caused "
                    "the error:\n" + "".join(trace), UserWarning, stacklevel=2,
                )
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")
