"""``torch.return_types``: the named pairs that max/min/sort/topk/median return.

``values, indices = x.max(dim=1)`` unpacks like a tuple, ``x.max(1).values`` reads a field, and
the pair prints as PyTorch prints it: ``torch.return_types.max(values=..., indices=...)``.
"""

from __future__ import annotations

from collections import namedtuple


def _make(name: str) -> type:
    base = namedtuple(name, ["values", "indices"])

    def __repr__(self) -> str:  # noqa: N807
        return f"torch.return_types.{name}(\nvalues={self.values!r},\nindices={self.indices!r})"

    cls = type(name, (base,), {"__repr__": __repr__, "__slots__": ()})
    cls.__module__ = "torch.return_types"
    return cls


max = _make("max")  # noqa: A001
min = _make("min")  # noqa: A001
sort = _make("sort")
topk = _make("topk")
median = _make("median")
kthvalue = _make("kthvalue")
