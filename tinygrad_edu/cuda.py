"""``tinygrad_edu.cuda``: ask whether a GPU is there, like ``torch.cuda``."""
from __future__ import annotations

from .device import backend


def is_available() -> bool:
    """True when CuPy imports and sees at least one CUDA device (imports CuPy on first call)."""
    return backend("cuda").is_available()


def device_count() -> int:
    """How many CUDA devices CuPy sees (0 without CuPy or without a GPU)."""
    return backend("cuda").device_count()


def synchronize() -> None:
    """Wait until the GPU has finished all queued work (needed before timing GPU code)."""
    backend("cuda").synchronize()
