"""``torch.backends.cudnn``: NVIDIA's library of neural-network kernels.

tinygrad_edu's GPU path goes through CuPy, not cuDNN, so the switches below exist only so that
programs setting them (``torch.backends.cudnn.benchmark = True``) run unchanged.
"""

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    """False: tinygrad_edu never calls cuDNN (its convolutions are matrix products)."""
    return False


def version() -> None:
    return None
