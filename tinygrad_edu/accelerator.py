"""``tinygrad_edu.accelerator``: PyTorch's device-neutral way to ask "is there a GPU?".

Newer tutorials write::

    device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() \\
        else "cpu"

Here the only accelerator is a CUDA GPU reached through CuPy (see ``tinygrad_edu.cuda``).
"""

from __future__ import annotations

from . import cuda
from .device import device


def is_available() -> bool:
    """True when a CUDA GPU is usable (CuPy imports and sees one)."""
    return cuda.is_available()


def current_accelerator(check_available: bool = False) -> device | None:
    """``device(type='cuda')`` when a GPU is there, else ``None`` (as in PyTorch on a CPU-only
    machine)."""
    return device("cuda") if cuda.is_available() else None


def device_count() -> int:
    return cuda.device_count()


def current_device_index() -> int:
    if not cuda.is_available():
        raise RuntimeError("Cannot access accelerator device when none is available.")
    return 0


def synchronize(device: object = None) -> None:
    """Wait for the GPU to finish its queued work (see ``tinygrad_edu.cuda.synchronize``)."""
    cuda.synchronize()
