"""In-place Tensor methods (``add_``, ``x[i] = v``, ``copy_``, ...) and PyTorch's rules for them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd.grad_mode import _GradMode
from .operands import (
    _operand,
    _operand_tensor,
    _raw,
)

if TYPE_CHECKING:
    from ..tensor import Tensor
from ..autograd.function import _InplaceClock
from ..ops.arithmetic import Add, Div, Mul, Sub
from ..ops.compare import Clamp
from ..ops.indexing import IndexPut


class InplaceMethods:
    """Methods ending in ``_`` change the tensor itself; autograd checks that this is safe."""

    def _inplace(self, op: Any, *args: Any) -> Tensor:
        """Run ``op`` out of place, then write the result into this tensor's own memory.

        PyTorch's rules: a leaf that requires grad refuses (outside no_grad), since its old value
        is what the gradient is about; the tensor's version goes up, so any backward that saved
        the old value can tell it was overwritten.
        """
        if self.grad_fn is None and self._requires_grad and _GradMode.enabled:
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place operation. "
                "Update it inside `with tinygrad_edu.no_grad():`, or use an out-of-place op."
            )
        if self._base is not None and not self._detached and _GradMode.enabled:
            _refuse_inplace_on_graph_view(self, args)
        for t in (self, self._base):  # a node may have saved this very output (exp, sqrt, ...)
            if t is not None and t.grad_fn is not None:
                t.grad_fn._output = t
        before = Tensor._make(self.array)  # this tensor as it was: the new node's input
        before._requires_grad, before.grad_fn, before.name = (
            self._requires_grad,
            self.grad_fn,
            self.name,
        )
        result = op.apply(before, *args)
        if result.array.shape != self.array.shape:
            raise RuntimeError(
                f"output with shape {list(self.shape)} doesn't match the broadcast shape "
                f"{list(result.shape)}"
            )
        if not np.can_cast(result.array.dtype, self.array.dtype, casting="same_kind"):
            raise RuntimeError(
                f"result type {result.dtype.name.capitalize()} can't be cast to the desired "
                f"output type {self.dtype.name.capitalize()}"
            )
        node = result.grad_fn
        if node is not None and any(s is self.array for s in node._saved):
            node._saved = tuple(s.copy() if s is self.array else s for s in node._saved)
        self.array[...] = result.array
        self._mark_inplace()
        if node is not None:
            self._requires_grad, self.grad_fn = True, node
        return self

    def _mark_inplace(self) -> None:
        """Record that this tensor's values changed in place (a new version).

        Nodes that saved the old values compare the in-place clock with the one at their
        forward and refuse to backward with changed values. Only the last few changes are kept:
        the history stays small however many optimizer steps update a parameter.
        """
        owner = self if self._base is None else self._base  # views share their base's counter
        owner._version += 1
        owner._bumps = (*owner._bumps[-7:], _InplaceClock.tick())

    def add_(self, other: Any, alpha: float = 1) -> Tensor:
        return self._inplace(Add, _operand(other if alpha == 1 else other * alpha))

    def sub_(self, other: Any, alpha: float = 1) -> Tensor:
        return self._inplace(Sub, _operand(other if alpha == 1 else other * alpha))

    def mul_(self, other: Any) -> Tensor:
        return self._inplace(Mul, _operand(other))

    def div_(self, other: Any) -> Tensor:
        return self._inplace(Div, _operand(other))

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        return self._inplace(Clamp, _raw(min), _raw(max))

    def fill_(self, value: Any) -> Tensor:
        return self._inplace(IndexPut, Ellipsis, _operand(value))

    def zero_(self) -> Tensor:
        return self.fill_(0)

    def copy_(self, src: Tensor) -> Tensor:
        return self._inplace(IndexPut, Ellipsis, _operand_tensor(src, self).to(self.device))

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_

    def uniform_(self, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
        from ..random import rng

        with _no_grad_if_leaf(self):
            return self.copy_(Tensor._make(rng(generator).uniform(a, b, self.array.shape)))

    def normal_(self, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
        from ..random import rng

        with _no_grad_if_leaf(self):
            return self.copy_(Tensor._make(rng(generator).normal(mean, std, self.array.shape)))


def _refuse_inplace_on_graph_view(view: Tensor, args: tuple) -> None:
    """In-place on a view whose base is in the graph: refuse rather than drop gradients.

    PyTorch rewrites the base's history (a CopySlices node) so gradients flow through the
    change; tinygrad_edu does not, so it says so instead of giving wrong gradients.
    """
    base = view._base
    if (
        base._requires_grad
        or view._requires_grad
        or any(isinstance(a, Tensor) and a._requires_grad for a in args)
    ):
        raise RuntimeError(
            "in-place operation on a view (x[...], x.view(...), x.T, ...) of a tensor that is "
            "part of an autograd graph: tinygrad_edu does not rewrite the base's history as "
            "PyTorch does (CopySlices). Write to the base instead (x[idx] = value), use an "
            "out-of-place op, or do it under no_grad()."
        )


class _no_grad_if_leaf:  # noqa: N801  init functions fill leaves in place, as torch.nn.init does
    def __init__(self, t: Tensor) -> None:
        self.leaf = t.grad_fn is None

    def __enter__(self) -> None:
        self.prev = _GradMode.enabled
        if self.leaf:
            _GradMode.enabled = False

    def __exit__(self, *exc: object) -> None:
        _GradMode.enabled = self.prev
