"""Devices, and the ONE place that decides which array library holds a tensor's numbers.

A CPU tensor keeps its numbers in a NumPy array; a CUDA tensor keeps them in a CuPy array, whose
API is NumPy's. Ops never ask "am I on the GPU?": they ask :func:`array_module` for the module
(``numpy`` or ``cupy``) that matches their input and call the same functions on it.

Backends are registered by device type. The test-suite registers a second, fake "cuda" backend to
test every device rule on machines without a GPU.
"""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import numpy as np


class device:  # noqa: N801  (lower case, like torch.device)
    """Where a tensor lives: ``device("cpu")``, ``device("cuda")``, ``device("cuda:0")``."""

    def __init__(self, type: "str | device", index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index
        if not isinstance(type, str):
            raise TypeError(f"device() expected a string like 'cpu' or 'cuda:0', got {type!r}")
        if ":" in type:
            type, _, idx = type.partition(":")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if type not in ("cpu", "cuda"):
            raise RuntimeError(
                f"Expected one of cpu, cuda device type at start of device string: {type}"
            )
        self.type, self.index = type, index

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        extra = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{extra})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


class Backend:
    """How one device type stores arrays: its array module, and copies to and from the host."""

    type = "cpu"
    array_types: tuple[type, ...] = (np.ndarray,)

    @property
    def xp(self) -> ModuleType:
        return np

    def is_available(self) -> bool:
        return True

    def device_count(self) -> int:
        return 1

    def from_host(self, array: np.ndarray, index: int = 0) -> Any:
        return array

    def to_host(self, array: Any) -> np.ndarray:
        return array

    def index_of(self, array: Any) -> int | None:
        return None

    def synchronize(self) -> None:
        return None


class CupyBackend(Backend):
    """CUDA through CuPy, imported only when a CUDA tensor is first asked for."""

    type = "cuda"

    def __init__(self) -> None:
        self._cupy: ModuleType | None = None
        self._error: str | None = None
        self.array_types = ()

    def _load(self) -> ModuleType | None:
        if self._cupy is None and self._error is None:
            try:
                self._cupy = importlib.import_module("cupy")  # cupy-cuda12x or 13x, whichever
                self.array_types = (self._cupy.ndarray,)
            except Exception as exc:  # ImportError, or a broken CUDA install
                self._error = f"{type(exc).__name__}: {exc}"
        return self._cupy

    @property
    def xp(self) -> ModuleType:
        cupy = self._load()
        if cupy is None:
            raise RuntimeError(
                "A CUDA tensor needs CuPy, which could not be imported "
                f"({self._error}). Install the GPU extra: pip install -e '.[gpu]' "
                "(or pip install cupy-cuda12x). Without a GPU, keep tensors on 'cpu'."
            )
        if not self.is_available():
            raise RuntimeError(
                "CuPy is installed but sees no CUDA GPU (no NVIDIA driver or device). "
                "Use device='cpu', or check tinygrad_edu.cuda.is_available() first."
            )
        return cupy

    def is_available(self) -> bool:
        return self.device_count() > 0

    def device_count(self) -> int:
        cupy = self._load()
        if cupy is None:
            return 0
        try:
            return int(cupy.cuda.runtime.getDeviceCount())
        except Exception:
            return 0

    def from_host(self, array: np.ndarray, index: int = 0) -> Any:
        xp = self.xp
        with xp.cuda.Device(index):
            return xp.asarray(array)

    def to_host(self, array: Any) -> np.ndarray:
        return array.get()

    def index_of(self, array: Any) -> int | None:
        return int(array.device.id)

    def synchronize(self) -> None:
        self.xp.cuda.get_current_stream().synchronize()


_BACKENDS: dict[str, Backend] = {"cpu": Backend(), "cuda": CupyBackend()}


def register_backend(device_type: str, backend: Backend) -> Backend:
    """Install ``backend`` for ``device_type``; returns the one it replaces (tests restore it)."""
    old = _BACKENDS[device_type]
    _BACKENDS[device_type] = backend
    return old


def backend(device_type: str) -> Backend:
    return _BACKENDS[device_type]


def device_of(array: Any) -> device:
    """The device an array lives on (NumPy arrays: cpu)."""
    if type(array) is np.ndarray:
        return _CPU
    for b in _BACKENDS.values():
        if b.type != "cpu" and b.array_types and isinstance(array, b.array_types):
            return device(b.type, b.index_of(array) or 0)
    return _CPU


def array_module(array: Any) -> ModuleType:
    """``numpy`` for CPU arrays, ``cupy`` for CUDA arrays: the module to call ops on."""
    if type(array) is np.ndarray:
        return np
    return _BACKENDS[device_of(array).type].xp


def to_device(array: Any, target: device) -> Any:
    """Copy ``array`` to ``target`` (through host memory; a no-op when it is already there)."""
    source = device_of(array)
    if source == target or (target.index is None and source.type == target.type):
        return array
    host = _BACKENDS[source.type].to_host(array)
    return _BACKENDS[target.type].from_host(host, target.index or 0)


def as_device(d: "str | device | None") -> device:
    """Normalise ``"cuda"``/``"cuda:0"``/``device(...)``/``None`` (cpu) to a device."""
    if d is None:
        return _CPU
    if isinstance(d, int):
        return device("cuda", d)
    return d if isinstance(d, device) else device(d)


_CPU = device("cpu")
