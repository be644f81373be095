"""Recording one operation's backward node, as its own step (the part a learner writes).

``Function.apply`` does three things for every operation: read the arguments' arrays, **record
the node** (which inputs need a gradient, and the node behind each one: the graph's edges), and
run ``forward``. The package's own ``apply`` fuses them into one loop for speed; this module
spells out the middle step as ``record_node``, and ``apply_recorded`` is ``apply`` built on it.
When a learner installs their ``record_node`` (part ``autograd.record_node``),
``Function.apply`` becomes ``apply_recorded``, so every operation records through their code.
"""

from __future__ import annotations

from typing import Any

from . import function as _function
from .function import _apply_across_devices, _forward, _new_accumulator
from .grad_mode import _GradMode


def leaf_node(t: Any) -> Any:
    """The ``AccumulateGrad`` node of leaf tensor ``t`` (made on first use, then kept on ``t``)."""
    return t._accumulator or _new_accumulator(t)


def record_node(ctx: Any, args: tuple) -> bool:
    """Record ``ctx`` as the backward node of one operation on ``args``; True if it was recorded.

    The reference; the contract is ``tinygrad_edu.parts`` part ``autograd.record_node``.
    """
    Tensor = _function.Tensor
    needs = False
    inputs, nodes = [], []
    for a in args:
        if isinstance(a, Tensor):
            inputs.append(a)
            if a.requires_grad:
                needs = True
                nodes.append(a.grad_fn if a.grad_fn is not None else leaf_node(a))
            else:
                nodes.append(None)
        else:
            inputs.append(None)
            nodes.append(None)
    if not (needs and _GradMode.enabled):
        return False
    ctx.inputs, ctx.next_nodes = tuple(inputs), tuple(nodes)
    return True


def apply_recorded(cls: Any, *args: Any) -> Any:
    """``Function.apply`` with the recording step done by ``record_node`` (looked up each call)."""
    Tensor = _function.Tensor
    array_type = dtype = None
    mixed = False
    raw = []
    for a in args:
        if isinstance(a, Tensor):
            data = a.array
            if array_type is None:
                array_type, dtype = type(data), data.dtype
            elif type(data) is not array_type:
                return _apply_across_devices(cls, args)
            elif data.dtype is not dtype:
                mixed = True
            raw.append(data)
        else:
            raw.append(a)
    ctx = object.__new__(cls._node)  # the node class named as PyTorch names it (MulBackward0)
    needs_grad = bool(record_node(ctx, args))
    return _forward(cls, ctx, args, raw, array_type, dtype, mixed, needs_grad)
