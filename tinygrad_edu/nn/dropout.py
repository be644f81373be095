r"""``nn.Dropout``: during training, zero each activation with probability ``p``.

Survivors are scaled by $1/(1-p)$ so the expected value is unchanged; in ``model.eval()`` mode
the layer does nothing. That is why you must call ``eval()`` before measuring accuracy.
"""
from __future__ import annotations

from ..tensor import Tensor
from . import functional as F
from .module import Module


class Dropout(Module):
    """Randomly zero elements (probability ``p``) while ``self.training`` is True."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
