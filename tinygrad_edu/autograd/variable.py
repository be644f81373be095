"""``Variable``: before PyTorch 0.4 a Tensor had to be wrapped in one to get gradients.

Today ``Variable(t, requires_grad=True)`` simply returns a Tensor, as PyTorch's does, and
``isinstance(x, Variable)`` is true for every Tensor. Old tutorials run unchanged.
"""

from __future__ import annotations

from typing import Any


class _VariableType(type):
    def __instancecheck__(cls, obj: Any) -> bool:
        from ..tensor import Tensor

        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableType):
    """``Variable(data, requires_grad=False)``: a Tensor with ``data``'s numbers (shared)."""

    def __new__(cls, data: Any = None, requires_grad: bool = False, volatile: bool = False) -> Any:
        from ..creation import tensor
        from ..tensor import Tensor

        out = Tensor._make(data.array) if isinstance(data, Tensor) else tensor(data)
        return out.requires_grad_(requires_grad) if requires_grad else out
