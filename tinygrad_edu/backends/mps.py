"""``torch.backends.mps``: Apple's GPUs. tinygrad_edu runs on CPUs and CUDA GPUs only."""


def is_available() -> bool:
    """Always False: there is no MPS backend (use ``"cuda"`` or ``"cpu"``)."""
    return False


def is_built() -> bool:
    return False
