"""``tinygrad_edu.backends``: the switches tutorials check before choosing a device.

PyTorch programs often start with::

    device = ("cuda" if torch.cuda.is_available()
              else "mps" if torch.backends.mps.is_available() else "cpu")

Apple's MPS is never available here, and cuDNN's switches (``benchmark``, ``deterministic``) are
kept so that code setting them runs, but they change nothing: tinygrad_edu has no cuDNN.
"""

from . import cudnn, mps

__all__ = ["cudnn", "mps"]
