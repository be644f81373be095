"""``Size``: a tensor's shape, a tuple that prints like PyTorch's ``torch.Size([2, 3])``."""

from __future__ import annotations


class Size(tuple):
    """The shape of a tensor: a tuple of ints. ``x.shape == (2, 3)`` is True."""

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"  # what PyTorch prints

    __str__ = __repr__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n
