"""In-place Tensor methods (``add_``, ``x[i] = v``, ``copy_``, ...) and PyTorch's rules for them."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd.grad_mode import _GradMode
from .operands import (
    _index_key,
    _operand,
    _operand_tensor,
)

if TYPE_CHECKING:
    from ..tensor import Tensor
from ..autograd.function import _InplaceClock
from ..ops.arithmetic import Add, Div, Mul, Neg, Pow, Sub
from ..ops.compare import Clamp
from ..ops.copy_slices import AsStrided, CopySlices, view_positions
from ..ops.indexing import Fill, IndexPut, Zero
from ..ops.rounding import Floor, Round
from ..ops.trig import Cos, Sin
from ..ops.unary import Abs, Exp, Log, Relu, Sigmoid, Sqrt, Tanh


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
        if not self.array.flags.writeable:
            raise RuntimeError(
                "unsupported operation: more than one element of the written-to tensor refers to "
                "a single memory location. Please clone() the tensor before performing the "
                "operation."
            )
        base = self._base
        graph_view = (
            base is not None
            and not self._detached
            and _GradMode.enabled
            and (
                base._requires_grad
                or self._requires_grad
                or any(isinstance(a, Tensor) and a._requires_grad for a in args)
            )
        )
        if graph_view:
            positions = view_positions(self.array, base.array)
            if positions is None:
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
        view = (base, positions) if graph_view else None
        return self._write(op.apply(before, *args), before, view)

    def _write(self, result: Tensor, before: Tensor | None = None, view: Any = None) -> Tensor:
        """Copy an out-of-place ``result`` into this tensor's memory; it takes result's node.

        ``before``: the input tensor standing for this tensor's old values (kept if saved);
        ``view``: ``(base, positions)`` when this is a view of a tensor in a graph (CopySlices).
        """
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
            kept = self.array.copy()  # forward saved the old values: keep them
            node._saved = tuple(kept if s is self.array else s for s in node._saved)
            if before is not None:
                before.array = kept
        if view is not None and node is not None:
            _copy_slices(self, *view, result)
        self.array[...] = result.array
        self._mark_inplace()
        if node is not None and view is None:
            self._requires_grad, self.grad_fn = True, node
        if node is not None:
            _refresh_views(self if self._base is None else self._base, self)
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
        return self._inplace(Clamp, min, max)

    clip_ = clamp_

    def index_put_(self, indices: Any, values: Any, accumulate: bool = False) -> Tensor:
        """``self[indices] = values``, or ``+= values`` with repeats adding up (``accumulate``)."""
        key = _index_key(tuple(indices) if isinstance(indices, list) else indices, self)
        return self._inplace(IndexPut, key, _operand(values), bool(accumulate))

    def index_put(self, indices: Any, values: Any, accumulate: bool = False) -> Tensor:
        """``index_put_`` on a copy: a new tensor, self unchanged (IndexPutBackward0)."""
        key = _index_key(tuple(indices) if isinstance(indices, list) else indices, self)
        return IndexPut.apply(self, key, _operand(values), bool(accumulate))

    def fill_(self, value: Any) -> Tensor:
        return self._inplace(Fill, Ellipsis, _operand(value))

    def zero_(self) -> Tensor:
        return self._inplace(Zero, Ellipsis, 0)

    def copy_(self, src: Tensor) -> Tensor:
        return self._inplace(IndexPut, Ellipsis, _operand_tensor(src, self).to(self.device))

    def pow_(self, exponent: Any) -> Tensor:
        return self._inplace(Pow, _operand(exponent))

    def neg_(self) -> Tensor:
        return self._inplace(Neg)

    def exp_(self) -> Tensor:
        return self._inplace(Exp)

    def log_(self) -> Tensor:
        return self._inplace(Log)

    def sqrt_(self) -> Tensor:
        return self._inplace(Sqrt)

    def abs_(self) -> Tensor:
        return self._inplace(Abs)

    def relu_(self) -> Tensor:
        return self._inplace(Relu)

    def sigmoid_(self) -> Tensor:
        return self._inplace(Sigmoid)

    def tanh_(self) -> Tensor:
        return self._inplace(Tanh)

    def sin_(self) -> Tensor:
        return self._inplace(Sin)

    def cos_(self) -> Tensor:
        return self._inplace(Cos)

    def floor_(self) -> Tensor:
        return self._inplace(Floor)

    def round_(self, decimals: int = 0) -> Tensor:
        return self._inplace(Round, int(decimals))

    def masked_fill_(self, mask: Tensor, value: Any) -> Tensor:
        return self._inplace_from(lambda x: x.masked_fill(mask, value))

    def scatter_(self, dim: int, index: Tensor, src: Any = None, value: Any = None) -> Tensor:
        return self._inplace_from(lambda x: x.scatter(dim, index, src, value))

    def scatter_add_(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return self._inplace_from(lambda x: x.scatter_add(dim, index, src))

    def _inplace_from(self, compute: Any) -> Tensor:
        """``x.scatter_(...)``: run the out-of-place method (``compute(x)``) under the in-place
        rules, then write its result into x (x takes its node: ScatterBackward0, ...)."""
        return self._inplace(_Computed, compute)

    def squeeze_(self, dim: Any = None) -> Tensor:
        return self._reshape_inplace(self.squeeze(dim))

    def unsqueeze_(self, dim: int) -> Tensor:
        return self._reshape_inplace(self.unsqueeze(dim))

    def t_(self) -> Tensor:
        return self._reshape_inplace(self.t())

    def _reshape_inplace(self, out: Tensor) -> Tensor:
        """squeeze_/unsqueeze_: same numbers, new shape; this tensor becomes ``out``."""
        if self.grad_fn is None and self._requires_grad and _GradMode.enabled:
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place operation. "
                "Update it inside `with tinygrad_edu.no_grad():`, or use an out-of-place op."
            )
        self.array = out.array
        if out.grad_fn is not None:
            self.grad_fn = out.grad_fn
        return self

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


def _copy_slices(view: Tensor, base: Tensor, positions: Any, result: Tensor) -> None:
    """PyTorch's CopySlices: the base's history becomes "old base, with the view's region
    replaced by ``result``", and the view reads its region back from the new base."""
    if base.grad_fn is None and base._requires_grad:
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place "
            "operation. Update it inside `with tinygrad_edu.no_grad():`, or clone() it first."
        )
    old = Tensor._make(base.array)  # the base before the change: the new node's input
    old._requires_grad, old.grad_fn, old.name = base._requires_grad, base.grad_fn, base.name
    if base.grad_fn is not None:
        base.grad_fn._output = base  # a node that saved the base's values will notice
    new_base = CopySlices.apply(old, positions, result)
    base._requires_grad, base.grad_fn = True, new_base.grad_fn
    view_node = AsStrided.apply(base, positions).grad_fn
    view._requires_grad, view.grad_fn = True, view_node


def _refresh_views(base: Tensor, changed: Tensor) -> None:
    """After an in-place change of ``base`` (directly or through the view ``changed``), its
    other views read their values from the new ``base``: their graph must too. PyTorch
    regenerates their node (AsStridedBackward0 of the new base); so do we."""
    if not base._views:
        return
    views = [v for v in (ref() for ref in base._views) if v is not None]
    base._views = [weakref.ref(v) for v in views]
    for v in views:
        if v is changed or v._detached:
            continue
        positions = view_positions(v.array, base.array)
        if positions is not None:
            v._requires_grad, v.grad_fn = True, AsStrided.apply(base, positions).grad_fn


def _refuse_inplace_on_graph_view(view: Tensor, args: tuple) -> None:
    """In-place on a view whose base is in the graph: refuse rather than drop gradients.

    tinygrad_edu rewrites the base's history (CopySlices) when it can find the view's elements
    in its base (a C-contiguous base); otherwise it says so instead of giving wrong gradients.
    """
    base = view._base
    if (
        base._requires_grad
        or view._requires_grad
        or any(isinstance(a, Tensor) and a._requires_grad for a in args)
    ):
        raise RuntimeError(
            "in-place operation on a view (x[...], x.view(...), x.T, ...) of a tensor that is "
            "part of an autograd graph, whose base is not laid out contiguously: tinygrad_edu "
            "cannot rewrite the base's history (CopySlices) then. Write to the base instead "
            "(x[idx] = value), use an out-of-place op, or do it under no_grad()."
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


class _Computed:
    """Lets ``_inplace`` run a Tensor method instead of one op: ``apply`` calls it."""

    @staticmethod
    def apply(before: Tensor, compute: Any) -> Tensor:
        return compute(before)
