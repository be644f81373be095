"""The backward engine: walk the graph from the output back to the leaves, applying the chain rule.

Two steps, as on paper:

1. **Order the nodes** so that every node comes before the nodes that produced its inputs
   (a reverse topological order). We sort *iteratively*, with our own stack, so a graph of
   100,000 operations is fine (a recursive sort would hit Python's recursion limit near 1,000).
2. **Visit them in that order.** Each node receives the sum of the gradients flowing into it,
   calls its Function's ``backward`` (one local derivative per input, times the incoming
   gradient: the chain rule), and passes each result on to the node behind that input. At a
   leaf (``AccumulateGrad``) the gradient is added into ``.grad``.

After the walk the graph is *freed* (saved values dropped) unless ``retain_graph=True``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ..device import array_module
from .anomaly import _Anomaly, check_gradients
from .broadcast import unbroadcast
from .function import _FREED, AccumulateGrad, _InplaceClock, _new_accumulator
from .grad_mode import no_grad as _no_grad
from .higher_order import _accumulate as _accumulate_graph
from .higher_order import run_backward_graph


def topological_order(roots: Iterable[Any]) -> list:
    """The backward nodes reachable from ``roots`` (nodes or tensors), in the engine's order.

    Every node appears before all the nodes it sends gradients to.
    """
    starts = [
        getattr(r, "grad_fn", r) if not _is_leaf_tensor(r) else _accumulator(r) for r in roots
    ]
    visited: set = set()
    post_order: list = []
    for start in starts:
        if start is None or start in visited:
            continue
        visited.add(start)
        stack = [(start, iter(start.next_nodes))]
        while stack:
            node, children = stack[-1]
            for child in children:
                if child is not None and child not in visited:
                    visited.add(child)
                    stack.append((child, iter(child.next_nodes)))
                    break
            else:  # all children done: node is finished
                stack.pop()
                post_order.append(node)
    post_order.reverse()
    return post_order


def run_backward(
    roots: Sequence[Any],
    grads: Sequence[Any],
    retain_graph: bool = False,
    on_step: Callable | None = None,
    capture: dict | None = None,
) -> None:
    """Backpropagate ``grads`` (arrays, one per root tensor) through the graph.

    ``on_step(node, grad_output, grad_inputs)`` is called after each node (the viz stepper uses
    it). With ``capture`` (a dict from node to None), gradients arriving at those nodes are stored
    there and the leaves' ``.grad`` are left alone: that is how :func:`grad` works.
    """
    pending: dict = {}  # node -> the sum of gradients that reached it so far
    for root, g in zip(roots, grads):
        node = root.grad_fn if root.grad_fn is not None else _accumulator(root)
        pending[node] = g if node not in pending else pending[node] + g
    anomaly = _Anomaly.enabled
    with _no_grad():
        for node in topological_order(pending):
            grad = pending.pop(node, None)
            if grad is None:
                continue
            if node._hooks:
                grad = _run_hooks(node._hooks, grad)
            if node._retain is not None:
                _accumulate(node._retain(), grad)
            if capture is not None:  # autograd.grad / backward(inputs=): no other .grad changes
                if node in capture:
                    capture[node] = grad if capture[node] is None else capture[node] + grad
                if type(node) is AccumulateGrad:
                    continue
            if type(node) is AccumulateGrad:
                if capture is None:  # autograd.grad() leaves every .grad alone
                    _accumulate(node.variable, grad)
                if on_step is not None:
                    on_step(node, grad, ())
                continue
            if node.array_io and (node._clock == _InplaceClock.now or not node._saved):
                grad_inputs = node.backward(node, grad)  # the chain rule, one op at a time
                if type(grad_inputs) is not tuple:
                    grad_inputs = (grad_inputs,)
            else:  # a learner's Function (tensors in and out), or a saved value changed in place
                grad_inputs = node._backward_arrays(grad)
            if anomaly:  # detect_anomaly(): name the first node whose gradient is nan
                check_gradients(node, grad_inputs)
            for child, g, t in zip(node.next_nodes, grad_inputs, node.inputs):
                if child is None or g is None:
                    continue
                if g.shape != t.array.shape:
                    g = _sum_to_input(node, g, t)
                total = pending.get(child)  # gradients from several users add up
                pending[child] = g if total is None else total + g
            if on_step is not None:
                on_step(node, grad, grad_inputs)
            if not retain_graph and node._saved:
                node._saved = _FREED


def backward(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Any = None,
    on_step: Callable | None = None,
) -> None:
    """``tinygrad_edu.autograd.backward``: what ``tensor.backward()`` calls.

    ``create_graph=True`` records the backward pass itself, so the ``.grad`` it fills can be
    differentiated again (``higher_order.py``); the graph is then kept unless
    ``retain_graph=False``.
    """
    tensors = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors) if grad_tensors is not None else (None,) * len(tensors)
    grads = [
        _initial_grad(t, g, i, create_graph)
        for i, (t, g) in enumerate(zip(tensors, grad_tensors))
    ]
    retain = create_graph if retain_graph is None else bool(retain_graph)
    if inputs is not None:
        _backward_into(tensors, grads, _as_tuple(inputs), retain, create_graph)
        return
    if create_graph:
        run_backward_graph(tensors, grads, retain_graph=retain)
        return
    run_backward(tensors, grads, retain_graph=retain, on_step=on_step)


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple:
    """Return d(outputs)/d(inputs) as new tensors, without touching anyone's ``.grad``.

    ``grad_outputs``: the vector in the vector-Jacobian product (one per output; needed for
    non-scalar outputs). ``create_graph=True``: the returned gradients have a graph of their
    own, so they can be differentiated again (Hessian-vector products, gradient penalties).
    ``allow_unused=True``: an input the outputs do not depend on gets ``None`` (or zeros, with
    ``materialize_grads=True``) instead of an error.
    """
    from ..tensor import Tensor

    if is_grads_batched:
        raise NotImplementedError("autograd.grad(is_grads_batched=True) is not supported")
    if materialize_grads and allow_unused is False:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, "
            "but got: allow_unused=False."
        )
    allow_unused = bool(allow_unused) or materialize_grads
    outputs, inputs = _as_tuple(outputs), _as_tuple(inputs)
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    grad_outputs = _as_tuple(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(
            f"grad requires one grad_output per output: got {len(grad_outputs)} grad_outputs "
            f"for {len(outputs)} outputs"
        )
    grads = [
        _initial_grad(t, g, i, create_graph)
        for i, (t, g) in enumerate(zip(outputs, grad_outputs))
    ]
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(
                f"One of the differentiated Tensors (input {i}) does not require grad"
            )
    capture = {_node_of(t): None for t in inputs}
    retain = create_graph if retain_graph is None else bool(retain_graph)
    if create_graph:
        run_backward_graph(outputs, grads, retain_graph=retain, capture=capture)
    else:
        run_backward(outputs, grads, retain_graph=retain, capture=capture)
    result = []
    for i, t in enumerate(inputs):
        g = capture[_node_of(t)]
        if g is None and not allow_unused:
            raise RuntimeError(
                f"One of the differentiated Tensors (input {i}) appears to not have been used in "
                "the graph. Set allow_unused=True if this is the desired behavior."
            )
        if g is None and materialize_grads:
            g = array_module(t.array).zeros_like(t.array)
        result.append(g if g is None or isinstance(g, Tensor) else Tensor._make(g))
    return tuple(result)


# ------------------------------------------------------------------------------------ helpers
def _backward_into(
    tensors: tuple, grads: list, inputs: tuple, retain_graph: bool, create_graph: bool = False
) -> None:
    """backward(inputs=...): accumulate only into the given tensors' .grad."""
    capture = {_node_of(t): None for t in inputs}
    if create_graph:
        run_backward_graph(tensors, grads, retain_graph=retain_graph, capture=capture)
    else:
        run_backward(tensors, grads, retain_graph=retain_graph, capture=capture)
    for t in inputs:
        g = capture[_node_of(t)]
        if g is not None:
            (_accumulate_graph if create_graph else _accumulate)(t, g)


def _initial_grad(t: Any, g: Any, index: int, as_tensor: bool = False) -> Any:
    """The gradient backward starts from: ``g`` checked, or 1 for a scalar output.

    An array, or a Tensor (``as_tensor``, for ``create_graph=True``: ``g`` keeps its graph)."""
    if as_tensor:
        from ..tensor import Tensor

        array = _initial_grad(t, g, index)
        return g if isinstance(g, Tensor) and g.dtype == t.dtype else Tensor._make(array)
    from ..tensor import Tensor

    if not t.requires_grad:
        raise RuntimeError(
            f"element {index} of tensors does not require grad and does not have a grad_fn. "
            "Did you forget requires_grad=True on a leaf, or compute this under no_grad()?"
        )
    if g is None:
        if t.array.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs (this output has shape "
                f"{list(t.shape)}). Pass a gradient of the same shape, e.g. "
                "y.backward(tinygrad_edu.ones_like(y)), or reduce it first, e.g. "
                "y.sum().backward()."
            )
        return array_module(t.array).ones_like(t.array)
    if not isinstance(g, Tensor):
        g = Tensor(g, dtype=t.dtype, device=t.device)
    if tuple(g.shape) != tuple(t.shape):
        raise RuntimeError(
            f"Mismatch in shape: grad_output[{index}] has a shape of {g.shape} and "
            f"output[{index}] has a shape of {t.shape}."
        )
    if g.device != t.device:
        raise RuntimeError(
            f"invalid gradient at index {index} - expected device {t.device} but got {g.device}"
        )
    return g.array


def _sum_to_input(node: Any, g: Any, t: Any) -> Any:
    """Sum a broadcast gradient back to input ``t``'s shape; refuse one that cannot fit."""
    try:
        summed = unbroadcast(g, t.array.shape)
    except (IndexError, ValueError):
        summed = g
    if summed.shape != t.array.shape:
        index = next(i for i, x in enumerate(node.inputs) if x is t)
        raise RuntimeError(
            f"Function {node.name()} returned an invalid gradient at index {index} - got "
            f"{list(g.shape)} but expected shape compatible with {list(t.array.shape)}. "
            "A backward must return one gradient per input, each with that input's shape."
        )
    return summed


def _accumulate(t: Any, grad: Any) -> None:
    """``t.grad += grad``, creating ``t.grad`` (a private copy) the first time."""
    from ..tensor import Tensor

    if t is None:
        return
    if t._hooks and t.grad_fn is None:
        grad = _run_hooks(t._hooks, grad)
    if grad.dtype != t.array.dtype:
        grad = grad.astype(t.array.dtype)
    if t._grad is None:  # a private copy: the same array may also flow to other inputs
        t._grad = Tensor._make(array_module(grad).array(grad, copy=True))
    else:
        t._grad.array += grad


def _run_hooks(hooks: list, grad: Any) -> Any:
    from ..tensor import Tensor

    for hook in hooks:
        result = hook(Tensor._make(grad))
        if result is not None:
            grad = result.array if isinstance(result, Tensor) else result
    return grad


def _is_leaf_tensor(r: Any) -> bool:
    return hasattr(r, "_accumulator") and r.grad_fn is None


def _accumulator(t: Any) -> AccumulateGrad:
    """A leaf's AccumulateGrad node (made on first use)."""
    return t._accumulator or _new_accumulator(t)


def _node_of(t: Any) -> Any:
    return t.grad_fn if t.grad_fn is not None else _accumulator(t)


def _as_tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)

