"""A pretend GPU for machines without one: every device rule, on the CPU.

The simulated GPU's arrays are :class:`SimulatedGpuArray`, a NumPy ``ndarray`` subclass, so every
NumPy function works on them and results stay "on the GPU". To catch the bugs real CuPy would
catch, it is as strict as CuPy where it matters:

* mixing a plain NumPy (CPU) array with a GPU array raises CuPy's ``TypeError``
  (CuPy never converts host arrays silently);
* 0-d results stay 0-d arrays (NumPy would hand back scalars like ``np.float32(3.)`` for
  ``a[0, 1]`` or ``a.argmax()``; CuPy returns 0-d device arrays);
* its array module makes *new* arrays on the GPU: ``xp.zeros(...)``, ``xp.asarray(...)``.

It is never installed by itself: the test suite and the chapter-07 exercises swap it in for a
moment with :func:`simulated_machine` and put the real backend back afterwards::

    with simulated_machine("gpu"):        # one GPU, cuda:0
        x = tinygrad_edu.ones(3, device="cuda")
    with simulated_machine("no gpu"):     # CuPy not installed
        tinygrad_edu.cuda.is_available()  # False
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import numpy as np

# The module, not the class: ``tinygrad_edu.device`` is the device class, like torch.device.
_device_module = importlib.import_module("tinygrad_edu.device")


def _plain(x: Any) -> Any:
    """GPU arrays (also inside lists, tuples and keyword-argument dicts) as plain NumPy views."""
    if isinstance(x, SimulatedGpuArray):
        return x.view(np.ndarray)
    if isinstance(x, (list, tuple)):
        return type(x)(_plain(v) for v in x)
    if isinstance(x, dict):  # keyword arguments: ``xp.copyto(a, b, where=mask)``
        return {k: _plain(v) for k, v in x.items()}
    return x


def _on_gpu(x: Any) -> Any:
    """Results back on the GPU: arrays and NumPy scalars become GPU arrays."""
    if isinstance(x, SimulatedGpuArray):
        return x
    if isinstance(x, (np.ndarray, np.generic)):
        return np.asarray(x).view(SimulatedGpuArray)
    if isinstance(x, (list, tuple)):
        return type(x)(_on_gpu(v) for v in x)
    return x


def _refuse_host_arrays(values: Any, what: str) -> None:
    for v in values:
        if isinstance(v, (list, tuple)):
            _refuse_host_arrays(v, what)
        elif type(v) is np.ndarray:
            raise TypeError(
                f"Unsupported type {np.ndarray} in {what}: a GPU array met a CPU (NumPy) array. "
                "CuPy refuses this too: move the array to the device first."
            )


class SimulatedGpuArray(np.ndarray):
    """An array "in GPU memory": NumPy underneath, kept apart from CPU arrays like CuPy's."""

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        _refuse_host_arrays(list(inputs) + list(kwargs.values()), f"{ufunc.__name__}.{method}")
        kwargs = _plain(kwargs)  # out=, where=: NumPy gets plain arrays everywhere
        result = getattr(ufunc, method)(*_plain(inputs), **kwargs)
        if method == "at":  # in place, returns None
            return None
        if kwargs.get("out") is not None:
            outs = tuple(o.view(SimulatedGpuArray) for o in kwargs["out"])
            return outs[0] if len(outs) == 1 else outs
        return _on_gpu(result)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        _refuse_host_arrays(list(args) + list(kwargs.values()), func.__name__)
        return _on_gpu(func(*_plain(args), **_plain(kwargs)))

    def __getitem__(self, key: Any) -> Any:
        return _on_gpu(super().__getitem__(key))

    def argmax(self, *args: Any, **kwargs: Any) -> Any:
        return _on_gpu(super().argmax(*args, **kwargs))

    def argmin(self, *args: Any, **kwargs: Any) -> Any:
        return _on_gpu(super().argmin(*args, **kwargs))

    def get(self) -> np.ndarray:
        """A host copy, like ``cupy.ndarray.get()``."""
        return np.array(self.view(np.ndarray), copy=True)


class SimulatedXp:
    """The simulated GPU's array module: NumPy, with every new array made on the GPU."""

    def __init__(self) -> None:
        self._wrapped: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        if name in self._wrapped:
            return self._wrapped[name]
        obj = getattr(np, name)
        # ufuncs (np.exp, np.add.at) dispatch to SimulatedGpuArray.__array_ufunc__ by themselves;
        # types (np.float32), modules and context managers (np.errstate) pass through.
        if isinstance(obj, (np.ufunc, type, ModuleType)) or not callable(obj):
            return obj

        def on_gpu(*args: Any, **kwargs: Any) -> Any:
            return _on_gpu(obj(*args, **kwargs))

        on_gpu.__name__ = name
        self._wrapped[name] = on_gpu
        return on_gpu


class SimulatedGpu(_device_module.Backend):
    """One simulated GPU, ``cuda:0``, in host memory; counts the copies and synchronisations."""

    type = "cuda"
    array_types = (SimulatedGpuArray,)

    def __init__(self) -> None:
        self._xp = SimulatedXp()
        self.copies_to_device = 0
        self.copies_to_host = 0
        self.synchronized = 0

    @property
    def xp(self) -> Any:
        return self._xp

    def from_host(self, array: np.ndarray, index: int = 0) -> Any:
        if index != 0:
            raise RuntimeError(
                f"CUDA error: invalid device ordinal: asked for cuda:{index}, but this machine "
                "has 1 GPU (cuda:0)."
            )
        self.copies_to_device += 1
        return np.array(array, copy=True).view(SimulatedGpuArray)

    def to_host(self, array: Any) -> np.ndarray:
        self.copies_to_host += 1
        return array.get()

    def index_of(self, array: Any) -> int | None:
        return 0

    def synchronize(self) -> None:
        self.synchronized += 1

    def scatter_add(self, target: Any, key: Any, values: Any) -> None:
        np.add.at(target, key, values)


def no_gpu() -> Any:
    """The CUDA backend of a machine where CuPy is not installed."""
    backend = _device_module.CupyBackend()
    backend._error = "ModuleNotFoundError: No module named 'cupy' (a simulated machine)"
    return backend


@contextlib.contextmanager
def simulated_machine(kind: str) -> Iterator[Any]:
    """Inside, "cuda" is a simulated GPU (``kind="gpu"``) or missing (``"no gpu"``).

    Yields the backend in use; the real one comes back afterwards, whatever happened.
    """
    backend = SimulatedGpu() if kind == "gpu" else no_gpu()
    old = _device_module.register_backend("cuda", backend)
    try:
        yield backend
    finally:
        _device_module.register_backend("cuda", old)
