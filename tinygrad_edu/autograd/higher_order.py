"""Backward that records its own graph: ``create_graph=True``, for higher-order gradients.

The ordinary backward (``engine.py``) works on raw arrays under ``no_grad``: fast, and the
gradients it computes are plain numbers. To differentiate a gradient again (a Hessian-vector
product, a gradient penalty, the second derivative of tanh) the gradient itself must be a Tensor
with a graph. So this walk is the same algorithm, in the same order, but

* the gradients flowing between nodes are Tensors, and grad mode stays **on**, so every
  multiplication the chain rule does is recorded as a new node;
* each node runs its *same* ``backward`` on Tensors (``Function._backward_tensors``): its saved
  values come back as the Tensors they were (inputs, output) and ``array_module(grad)`` hands
  it differentiable ``where``/``exp``/... (``tensor_xp.py``).

The graph is kept (``retain_graph`` defaults to True here), since the new gradient graph runs
back through the old nodes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .function import _FREED, AccumulateGrad
from .grad_mode import enable_grad


def run_backward_graph(
    roots: Sequence[Any],
    grads: Sequence[Any],
    retain_graph: bool = True,
    capture: dict | None = None,
) -> None:
    """Like ``engine.run_backward``, with Tensor gradients whose own graph is recorded."""
    from .engine import _accumulator, _sum_to_input, topological_order

    pending: dict = {}
    for root, g in zip(roots, grads):
        node = root.grad_fn if root.grad_fn is not None else _accumulator(root)
        pending[node] = g if node not in pending else pending[node] + g
    with enable_grad():
        for node in topological_order(pending):
            grad = pending.pop(node, None)
            if grad is None:
                continue
            if node._hooks:
                grad = _run_hooks(node._hooks, grad)
            if node._retain is not None:
                _accumulate(node._retain(), grad)
            if capture is not None and node in capture:
                capture[node] = grad if capture[node] is None else capture[node] + grad
                if type(node) is AccumulateGrad:
                    continue
            if type(node) is AccumulateGrad:
                if capture is None:  # autograd.grad() leaves every .grad alone
                    _accumulate(node.variable, grad)
                continue
            grad_inputs = node._backward_tensors(grad)
            for child, g, t in zip(node.next_nodes, grad_inputs, node.inputs):
                if child is None or g is None:
                    continue
                if g.array.shape != t.array.shape:
                    g = _sum_to_input(node, g, t)
                total = pending.get(child)
                pending[child] = g if total is None else total + g
            if not retain_graph and node._saved:
                node._saved = _FREED


def _accumulate(t: Any, grad: Any) -> None:
    """``t.grad = t.grad + grad``, out of place, so ``t.grad`` keeps its graph (as in PyTorch)."""
    if t is None:
        return
    if t._hooks and t.grad_fn is None:
        grad = _run_hooks(t._hooks, grad)
    if grad.array.dtype != t.array.dtype:
        grad = grad.to(t.dtype)
    if grad.grad_fn is None:  # a constant that may flow elsewhere too: keep a private copy
        grad = grad.clone()
    t._grad = grad if t._grad is None else t._grad + grad


def _run_hooks(hooks: list, grad: Any) -> Any:
    for hook in hooks:
        result = hook(grad)
        if result is not None:
            grad = result
    return grad
