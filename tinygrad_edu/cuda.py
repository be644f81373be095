"""``tinygrad_edu.cuda``: ask whether a GPU is there, like ``torch.cuda``.

The PyTorch idiom for code that runs on any machine::

    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.randn(3, device=device)

works unchanged here, and :func:`default_device` is the same line as a function.
Asking (the first call) imports CuPy, which takes about a second; ``import tinygrad_edu`` never
does.
"""

from __future__ import annotations

from .device import backend


def is_available() -> bool:
    """True when CuPy imports and sees at least one CUDA GPU (False without CuPy or GPU)."""
    return backend("cuda").is_available()


def device_count() -> int:
    """How many CUDA GPUs CuPy sees (0 without CuPy or without a GPU)."""
    return backend("cuda").device_count()


def default_device() -> str:
    """``"cuda"`` when a GPU is available, else ``"cpu"``: the device a lesson should use.

    >>> x = tinygrad_edu.randn(3, device=tinygrad_edu.cuda.default_device())
    """
    return "cuda" if is_available() else "cpu"


def synchronize() -> None:
    """Wait until the GPU has finished all queued work.

    GPU calls return before the GPU is done (they only queue the work), so time GPU code as
    ``synchronize(); t0 = time.perf_counter(); step(); synchronize(); t1 = ...``.
    Raises the "no CuPy / no GPU" error where there is no GPU, like ``torch.cuda.synchronize``.
    """
    backend("cuda").synchronize()
