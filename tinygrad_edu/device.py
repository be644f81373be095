"""Devices, and the ONE place that decides which array library holds a tensor's numbers.

A CPU tensor keeps its numbers in a NumPy array; a CUDA tensor keeps them in a CuPy array, whose
API is NumPy's. Ops never ask "am I on the GPU?": they ask :func:`array_module` for the module
(``numpy`` or ``cupy``) that matches their input and call the same functions on it::

    xp = array_module(x)          # numpy for a CPU array, cupy for a GPU array
    y = xp.exp(x)                 # runs on whichever device x lives on

A :class:`Backend` says how one device type stores arrays: its array module, how to copy to and
from host (CPU) memory, how to wait for it. Backends are registered by device type; the test
suite registers a second, fake "cuda" backend (NumPy arrays of a subclass) to test every device
rule on machines without a GPU.

CuPy is imported only when a CUDA tensor is first asked for, so ``import tinygrad_edu`` stays
fast and silent on machines without it.
"""

from __future__ import annotations

import importlib
import math
from types import ModuleType
from typing import Any

import numpy as np

GPU_HELP = (
    "Install the GPU extra: pip install -e '.[gpu]' (or pip install cupy-cuda12x; use "
    "cupy-cuda13x for CUDA 13). Without a GPU, keep tensors on 'cpu', or pick the device with "
    "tinygrad_edu.cuda.default_device()."
)


class device:  # noqa: N801  (lower case, like torch.device)
    """Where a tensor lives: ``device("cpu")``, ``device("cuda")``, ``device("cuda:0")``.

    >>> device("cuda:0")
    device(type='cuda', index=0)
    >>> str(device("cuda", 0))
    'cuda:0'
    """

    def __init__(self, type: str | device | int, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, int) and not isinstance(type, bool):  # device(0): cuda:0, as torch
            type, index = "cuda", type
        if not isinstance(type, str):
            raise TypeError(f"device() expected a string like 'cpu' or 'cuda:0', got {type!r}")
        if ":" in type:
            if index is not None:
                raise RuntimeError(
                    f"type (string) must not include an index because index was "
                    f"passed explicitly: {type}"
                )
            type, _, idx = type.partition(":")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if type not in ("cpu", "cuda"):
            hint = " (did you mean 'cuda'?)" if type.lower() in ("gpu", "cupy", "nvidia") else ""
            raise RuntimeError(
                f"Expected one of cpu, cuda device type at start of device string: {type}{hint}"
            )
        if index is not None and index < 0:
            raise RuntimeError(f"Device index must not be negative, got {index}")
        self.type, self.index = type, index

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        extra = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{extra})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            try:
                other = device(other)
            except RuntimeError:
                return False
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


class Backend:
    """How one device type stores arrays: its array module, and copies to and from the host.

    This base class is the CPU: NumPy arrays, already in host memory.
    """

    type = "cpu"
    array_types: tuple[type, ...] = (np.ndarray,)

    @property
    def xp(self) -> Any:
        """The array module: ``numpy`` here, ``cupy`` for CUDA."""
        return np

    def is_available(self) -> bool:
        return True

    def device_count(self) -> int:
        return 1

    def from_host(self, array: np.ndarray, index: int = 0) -> Any:
        """Copy a NumPy array onto device ``index`` of this type."""
        return array

    def to_host(self, array: Any) -> np.ndarray:
        """A NumPy array holding the same numbers (a copy for a device array)."""
        return array

    def index_of(self, array: Any) -> int | None:
        """Which device of this type holds ``array`` (None for the CPU)."""
        return None

    def synchronize(self) -> None:
        """Wait for the device to finish queued work (the CPU never queues)."""
        return None

    def scatter_add(self, target: Any, key: Any, values: Any) -> None:
        """``target[key] += values``, adding repeats (NumPy's ``add.at``), in place."""
        self.xp.add.at(target, key, values)

    def erf(self, x: Any) -> Any:
        """The error function, elementwise (NumPy has none: Python's exact ``math.erf``)."""
        out = np.asarray(_erf_host(np.asarray(x)), dtype=x.dtype)
        if isinstance(x, np.generic):  # a NumPy scalar (e.g. from 0-d arithmetic) stays one
            return out[()]
        return out if type(x) is np.ndarray else out.view(type(x))  # keep a subclass (sim. GPU)


class CupyBackend(Backend):
    """CUDA through CuPy, imported only when a CUDA tensor is first asked for."""

    type = "cuda"

    def __init__(self) -> None:
        self._cupy: ModuleType | None = None
        self._ready: ModuleType | None = None  # cupy, once it imported and saw a GPU
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
        if self._ready is not None:
            return self._ready
        cupy = self._load()
        if cupy is None:
            raise RuntimeError(
                f"A CUDA tensor needs CuPy, which could not be imported ({self._error}). "
                + GPU_HELP
            )
        if not self.is_available():
            raise RuntimeError(
                "CuPy is installed, but it sees no CUDA GPU (no NVIDIA GPU or driver on this "
                "machine). Use device='cpu', or check tinygrad_edu.cuda.is_available() first, "
                "e.g. device = tinygrad_edu.cuda.default_device()."
            )
        self._ready = cupy
        return cupy

    def is_available(self) -> bool:
        return self.device_count() > 0

    def device_count(self) -> int:
        cupy = self._load()
        if cupy is None:
            return 0
        try:
            return int(cupy.cuda.runtime.getDeviceCount())
        except Exception:  # CUDARuntimeError: no driver, no device
            return 0

    def from_host(self, array: np.ndarray, index: int = 0) -> Any:
        xp = self.xp
        count = self.device_count()
        if index >= count:
            raise RuntimeError(
                f"CUDA error: invalid device ordinal: asked for cuda:{index}, but this machine has "
                f"{count} GPU{'s' if count != 1 else ''} (cuda:0 to cuda:{count - 1})."
            )
        with xp.cuda.Device(index):
            return xp.asarray(array)

    def to_host(self, array: Any) -> np.ndarray:
        return array.get()

    def index_of(self, array: Any) -> int | None:
        return int(array.device.id)

    def synchronize(self) -> None:
        self.xp.cuda.runtime.deviceSynchronize()

    def scatter_add(self, target: Any, key: Any, values: Any) -> None:
        import cupyx  # CuPy's add.at; exists in every CuPy version (cupy.add.at only in newer)

        cupyx.scatter_add(target, key, values)

    def erf(self, x: Any) -> Any:
        from cupyx.scipy.special import erf

        return erf(x)


_BACKENDS: dict[str, Backend] = {"cpu": Backend(), "cuda": CupyBackend()}
_CPU_BACKEND = _BACKENDS["cpu"]


def register_backend(device_type: str, backend: Backend) -> Backend:
    """Install ``backend`` for ``device_type``; returns the one it replaces (tests restore it)."""
    if device_type not in _BACKENDS:
        raise ValueError(f"unknown device type {device_type!r} (expected one of {list(_BACKENDS)})")
    old = _BACKENDS[device_type]
    _BACKENDS[device_type] = backend
    return old


def backend(device_type: str) -> Backend:
    """The backend registered for ``device_type`` ("cpu" or "cuda")."""
    return _BACKENDS[device_type]


def _backend_of(array: Any) -> Backend:
    """The backend whose arrays ``array`` is one of (NumPy arrays and scalars: the CPU)."""
    if type(array) is np.ndarray:
        return _CPU_BACKEND
    for b in _BACKENDS.values():
        if b.type != "cpu" and b.array_types and isinstance(array, b.array_types):
            return b
    return _CPU_BACKEND


def device_of(array: Any) -> device:
    """The device an array lives on (NumPy arrays: cpu)."""
    b = _backend_of(array)
    if b is _CPU_BACKEND:
        return _CPU
    return device(b.type, b.index_of(array) or 0)


def array_module(array: Any) -> Any:
    """``numpy`` for CPU arrays, ``cupy`` for CUDA arrays: the module to call ops on.

    >>> array_module(np.ones(2)) is np
    True
    """
    if type(array) is np.ndarray:
        return np
    if hasattr(array, "grad_fn"):  # a Tensor: a backward running under create_graph=True
        from .autograd.tensor_xp import namespace_for

        return namespace_for(array)
    return _backend_of(array).xp


def scatter_add(target: Any, key: Any, values: Any) -> None:
    """``target[key] += values`` where repeated indices add up (``np.add.at``), on any device."""
    if hasattr(target, "grad_fn"):  # Tensors (a backward under create_graph=True)
        target.index_put_(key, values, accumulate=True)
        return
    _backend_of(target).scatter_add(target, key, values)


def as_strided(x: Any, shape: tuple, strides: tuple) -> Any:
    """A view of ``x``'s memory with ``shape`` and ``strides`` (in bytes), on any device; it
    keeps the simulated GPU's array type (NumPy's ``subok``; CuPy's version has no such flag)."""
    tricks = array_module(x).lib.stride_tricks
    try:
        return tricks.as_strided(x, shape, strides, subok=True)
    except TypeError:
        return tricks.as_strided(x, shape, strides)


def erf(x: Any) -> Any:
    """The Gauss error function of an array, on the array's device."""
    return _backend_of(x).erf(x)


_erf_host = np.frompyfunc(math.erf, 1, 1)


def mismatch_error(devices: Any) -> RuntimeError:
    """PyTorch's error for an op whose tensors live on different devices (names each once)."""
    names = list(dict.fromkeys(str(d) for d in devices))
    return RuntimeError(
        "Expected all tensors to be on the same device, but found at least two devices, "
        f"{' and '.join(names)}! Move them with .to(device) first, e.g. x.to(y.device)."
    )


def on_common_device(a: Any, b: Any) -> tuple[Any, Any]:
    """``a`` and ``b`` on one device, for ops outside autograd (comparisons).

    As in PyTorch, a 0-d CPU array counts as a number and moves to the other's device;
    anything else on two devices is an error.
    """
    if type(a) is type(b):
        return a, b
    da, db = device_of(a), device_of(b)
    if da == db:
        return a, b
    if da.type == "cpu" and a.ndim == 0:
        return to_device(a, db), b
    if db.type == "cpu" and b.ndim == 0:
        return a, to_device(b, da)
    raise mismatch_error((da, db))


def index_on_device(index: Any, array: Any) -> Any:
    """An index array ready to index ``array``.

    PyTorch accepts CPU indices (and lists) for a CUDA tensor: they are copied over. A GPU index
    for a CPU tensor is an error.
    """
    if type(index) is type(array):
        return index
    source, target = device_of(index), device_of(array)
    if source == target:
        return index
    if target.type == "cpu":
        raise RuntimeError(
            f"indices should be either on cpu or on the same device as the indexed tensor "
            f"({target}). Move the index with .cpu() (or the tensor with .to({str(source)!r}))."
        )
    return to_device(index, target)


def to_device(array: Any, target: device) -> Any:
    """Copy ``array`` to ``target`` (through host memory; a no-op when it is already there)."""
    source = device_of(array)
    if source == target or (target.index is None and source.type == target.type):
        return array
    host = _BACKENDS[source.type].to_host(array)
    return _BACKENDS[target.type].from_host(host, target.index or 0)


def as_device(d: str | device | int | None) -> device:
    """Normalise ``"cuda"``/``"cuda:0"``/``0``/``device(...)`` to a device; ``None`` is the
    default device (cpu unless :func:`set_default_device` chose another)."""
    if d is None:
        return _DEFAULT[0]
    return d if isinstance(d, device) else device(d)


_CPU = device("cpu")
_DEFAULT = [_CPU]  # where new tensors go when no device is given (torch.set_default_device)


def set_default_device(d: str | device | int | None) -> None:
    """Make new tensors (``zeros``, ``tensor``, ``randn``, layers' weights) go to ``d``.

    ``None`` goes back to the CPU. As in PyTorch, tensors that already exist stay where they are.
    """
    _DEFAULT[0] = _CPU if d is None else as_device(d)


def get_default_device() -> device:
    """The device new tensors go to when none is given (``device(type='cpu')`` by default)."""
    return _DEFAULT[0]
