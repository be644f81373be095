"""``Parameter``: a tensor that a ``Module`` owns and an optimizer updates.

A Parameter is an ordinary Tensor with ``requires_grad=True``; the only thing special about it is
that assigning one to a module attribute (``self.weight = Parameter(...)``) *registers* it, so
``model.parameters()`` finds it.

>>> import tinygrad_edu
>>> p = Parameter(tinygrad_edu.zeros(2))
>>> p
Parameter containing:
tensor([0., 0.], requires_grad=True)
"""
from __future__ import annotations

from typing import Any

from ..tensor import Tensor


class Parameter(Tensor):
    """A Tensor that is a module's learnable weight (``requires_grad=True`` by default).

    Like PyTorch, it shares memory with the tensor it wraps.
    """

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        if data is None:
            from ..creation import empty

            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(
                f"Parameter(data) expects a Tensor, got {type(data).__name__}. "
                "Wrap numbers first: Parameter(tinygrad_edu.tensor([1.0, 2.0]))"
            )
        p = object.__new__(cls)
        p.array = data.array
        if requires_grad:
            p.requires_grad = True  # checks the dtype: only float tensors can learn
        return p

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass  # everything happened in __new__ (Tensor.__init__ would copy the data)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol: int) -> Any:  # copy.deepcopy(model) keeps name and grad
        state = {"name": self.name, "_grad": self._grad}
        return (Parameter, (Tensor._make(self.numpy_host()), self.requires_grad), state)
