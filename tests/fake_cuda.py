"""A fake "cuda" device for machines without a GPU: every device rule, tested on the CPU.

The fake GPU's arrays are :class:`FakeCudaArray`, a NumPy ``ndarray`` subclass, so every NumPy
function works on them and results stay fake-GPU arrays. To catch the bugs real CuPy would
catch, the fake is as strict as CuPy where it matters:

* mixing a plain NumPy array with a fake-GPU array in a NumPy function raises CuPy's
  ``TypeError`` (CuPy never converts host arrays silently);
* 0-d results stay 0-d arrays (NumPy would hand back scalars like ``np.float32(3.)`` for
  ``a[0, 1]`` or ``a.argmax()``; CuPy returns 0-d device arrays);
* its array module (:class:`FakeXp`, what ``array_module`` returns) makes *new* arrays on the
  fake GPU: ``xp.zeros(...)``, ``xp.ones_like(...)``, ``xp.asarray(...)``.

Use the ``fake_cuda`` fixture (registered in ``conftest.py``): inside a test, ``"cuda"`` means the
fake GPU, and the real backend comes back afterwards.
"""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import numpy as np
import pytest

# The module, not the class: ``tinygrad_edu.device`` is the device class, like ``torch.device``.
device_module = importlib.import_module("tinygrad_edu.device")


def _plain(x: Any) -> Any:
    """Fake-GPU arrays (also inside lists and tuples) as plain NumPy views."""
    if isinstance(x, FakeCudaArray):
        return x.view(np.ndarray)
    if isinstance(x, (list, tuple)):
        return type(x)(_plain(v) for v in x)
    return x


def _fake(x: Any) -> Any:
    """Results back on the fake GPU: arrays and NumPy scalars become fake-GPU arrays."""
    if isinstance(x, FakeCudaArray):
        return x
    if isinstance(x, (np.ndarray, np.generic)):
        return np.asarray(x).view(FakeCudaArray)
    if isinstance(x, (list, tuple)):
        return type(x)(_fake(v) for v in x)
    return x


def _reject_host_arrays(values: Any, what: str) -> None:
    for v in values:
        if isinstance(v, (list, tuple)):
            _reject_host_arrays(v, what)
        elif type(v) is np.ndarray:
            raise TypeError(
                f"Unsupported type {np.ndarray} in {what}: a fake-GPU array met a plain NumPy "
                "(CPU) array. CuPy refuses this too; move the array to the device first."
            )


class FakeCudaArray(np.ndarray):
    """An array "on the GPU": a NumPy array that keeps its type through every operation."""

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        _reject_host_arrays(inputs, f"{ufunc.__name__}.{method}")
        if "out" in kwargs:
            kwargs["out"] = _plain(kwargs["out"])
        result = getattr(ufunc, method)(*_plain(inputs), **kwargs)
        if method == "at":  # in place, returns None
            return None
        if "out" in kwargs and kwargs["out"] is not None:
            outs = tuple(o.view(FakeCudaArray) for o in kwargs["out"])
            return outs[0] if len(outs) == 1 else outs
        return _fake(result)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        _reject_host_arrays(list(args) + list(kwargs.values()), func.__name__)
        return _fake(func(*_plain(args), **_plain(kwargs)))

    def __getitem__(self, key: Any) -> Any:
        return _fake(super().__getitem__(key))

    def argmax(self, *args: Any, **kwargs: Any) -> Any:
        return _fake(super().argmax(*args, **kwargs))

    def argmin(self, *args: Any, **kwargs: Any) -> Any:
        return _fake(super().argmin(*args, **kwargs))

    def get(self) -> np.ndarray:
        """A host copy, like ``cupy.ndarray.get()``."""
        return np.array(self.view(np.ndarray), copy=True)


class FakeXp:
    """The fake GPU's array module: NumPy, with every new array made on the fake GPU."""

    def __init__(self) -> None:
        self._wrapped: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        if name in self._wrapped:
            return self._wrapped[name]
        obj = getattr(np, name)
        # ufuncs (np.exp, np.add.at) dispatch to FakeCudaArray.__array_ufunc__ by themselves;
        # types (np.float32), modules and context managers (np.errstate) pass through.
        if isinstance(obj, (np.ufunc, type, ModuleType)) or not callable(obj):
            return obj

        def on_fake_gpu(*args: Any, **kwargs: Any) -> Any:
            return _fake(obj(*args, **kwargs))

        on_fake_gpu.__name__ = name
        self._wrapped[name] = on_fake_gpu
        return on_fake_gpu


class FakeCudaBackend(device_module.Backend):
    """One fake GPU, ``cuda:0``, whose memory is host memory; counts the copies it makes."""

    type = "cuda"
    array_types = (FakeCudaArray,)

    def __init__(self) -> None:
        self._xp = FakeXp()
        self.copies_to_device = 0
        self.copies_to_host = 0
        self.synchronized = 0

    @property
    def xp(self) -> Any:
        return self._xp

    def from_host(self, array: np.ndarray, index: int = 0) -> Any:
        if index != 0:
            raise RuntimeError(f"CUDA error: invalid device ordinal: cuda:{index} (one fake GPU)")
        self.copies_to_device += 1
        return np.array(array, copy=True).view(FakeCudaArray)

    def to_host(self, array: Any) -> np.ndarray:
        self.copies_to_host += 1
        return array.get()

    def index_of(self, array: Any) -> int | None:
        return 0

    def synchronize(self) -> None:
        self.synchronized += 1

    def scatter_add(self, target: Any, key: Any, values: Any) -> None:
        np.add.at(target, key, values)


@pytest.fixture
def fake_cuda():
    """Make "cuda" the fake GPU for one test; yields the backend (its copy counters)."""
    fake = FakeCudaBackend()
    old = device_module.register_backend("cuda", fake)
    try:
        yield fake
    finally:
        device_module.register_backend("cuda", old)
