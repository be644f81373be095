"""The backward pass as a list of frames, one per node, in the engine's own order.

Frame ``k`` says which node backward processes at step ``k``, the gradient it receives,
what it sends to each input, and every gradient known after that step. The frames are
*computed on the side*: your tensors' and Values' ``.grad`` are left exactly as they were.

* ``Value`` graphs: nodes in ``tinygrad_edu.scalar.topological_order(root)``; each node
  adds its gradient to ``.grad`` (shown as ``AccumulateGrad`` for a leaf, like PyTorch) and
  calls its ``_backward`` closure. The closures are pure, so we just call them here.
* Tensor graphs: nodes in ``tinygrad_edu.autograd.engine.topological_order(roots)``; the
  engine itself runs, reporting each step through its ``on_step`` callback, with every
  leaf's gradient *captured* instead of added to ``.grad`` (what ``autograd.grad`` does).

Either way the graph must still be alive: draw the steps *before* ``backward()``, or call
``backward(retain_graph=True)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tinygrad_edu.scalar import Value, topological_order
from tinygrad_edu.viz.graph import DATA_KINDS, Graph
from tinygrad_edu.viz.labels import VALUE_OP_NAMES, keeps_grad, to_numpy

MAX_STEPS = 1000  # each frame keeps every gradient so far: memory grows like steps**2
NEEDS_GRAPH = ("draw_backward_steps needs the graph that backward() frees: draw the steps "
               "before calling .backward(), or call .backward(retain_graph=True).")


@dataclass
class Frame:
    """Step ``index`` of the backward pass."""

    index: int
    name: str                # "MulBackward0", "AccumulateGrad", ...
    node: Any                # the backward node (a grad_fn, an AccumulateGrad, or a Value)
    current: str | None      # the picture's node id being processed
    grad_output: Any         # the gradient this node receives
    grad_inputs: tuple       # what it sends to each input (its local derivative * grad_output)
    grads: dict[str, Any] = field(default_factory=dict)  # data node id -> gradient so far
    fresh: list[str] = field(default_factory=list)  # data node ids that got a gradient now


def _check_size(order: list[Any]) -> None:
    if len(order) > MAX_STEPS:
        raise ValueError(f"This backward pass has {len(order)} steps, too many to step through "
                         f"(the limit is {MAX_STEPS}). Step through a smaller example: a few "
                         "layers with a few units show the same pattern.")


def _add(known: dict[str, Any], nid: str | None, grad: Any) -> None:
    if nid is not None and grad is not None:
        known[nid] = grad if nid not in known else known[nid] + grad


def value_frames(root: Value, g: Graph) -> list[Frame]:
    """Simulate ``root.backward()`` on the side, recording one frame per node."""
    order = topological_order(root)
    _check_size(order)
    if any(v._backward is None for v in order):
        raise RuntimeError(NEEDS_GRAPH)
    pending: dict[Value, float] = {root: 1.0}
    known: dict[str, Any] = {}
    _add(known, g.data_id(root), 1.0)
    frames = []
    for k, v in enumerate(order):
        grad = pending.pop(v)
        grad_inputs = v._backward(grad)
        for child, child_grad in zip(v._prev, grad_inputs, strict=True):
            pending[child] = pending.get(child, 0.0) + child_grad
            if child.requires_grad:
                _add(known, g.data_id(child), child_grad)
        if v._op:
            name, current = VALUE_OP_NAMES.get(v._op, v._op), g.op_id(v)
        else:
            name = "AccumulateGrad" if v.requires_grad else "constant (no grad)"
            current = g.data_id(v)
        fresh = [g.data_id(c) for c in v._prev if c.requires_grad and g.data_id(c)]
        frames.append(Frame(k, name, v, current, grad, tuple(grad_inputs), dict(known), fresh))
    return frames


def tensor_frames(roots: list[Any], g: Graph) -> list[Frame]:
    """Run the engine with ``on_step`` and captured leaf gradients, one frame per node."""
    from tinygrad_edu.autograd import engine
    from tinygrad_edu.autograd.broadcast import unbroadcast
    from tinygrad_edu.device import array_module

    for i, r in enumerate(roots):
        if not r.requires_grad:
            raise RuntimeError(f"Output {i} does not require grad, so backward has nothing to "
                               "do: did you forget requires_grad=True on a leaf?")
    order = engine.topological_order(roots)
    _check_size(order)
    leaves = {n: None for n in order if n.name() == "AccumulateGrad"}
    steps: dict[Any, tuple[Any, tuple]] = {}
    seeds = [array_module(r.array).ones_like(r.array) for r in roots]  # d(root)/d(root) = 1
    kept = [n.obj for n in g.nodes if n.kind in DATA_KINDS and keeps_grad(n.obj)]
    before = [(t, None if t.grad is None else t.grad.array.copy()) for t in kept]
    try:
        engine.run_backward(roots, seeds, retain_graph=True, capture=leaves,
                            on_step=lambda node, go, gi: steps.__setitem__(node, (go, gi)))
    except RuntimeError as err:
        if "second time" in str(err):
            raise RuntimeError(NEEDS_GRAPH) from err
        raise
    finally:  # hooks and retain_grad() may have written .grad: put everything back
        for t, old in before:
            if old is None:
                t.grad = None
            else:
                t.grad.array[...] = old
    known: dict[str, Any] = {}
    for root, seed in zip(roots, seeds, strict=True):
        _add(known, g.data_id(root), to_numpy(seed))
    frames = []
    for k, node in enumerate(order):
        fresh = []
        if node in leaves:
            leaf = node.variable
            grad, grad_inputs, current = leaves[node], (), g.data_id(leaf)
        else:
            grad, raw = steps.get(node, (None, ()))
            current, grad_inputs = g.op_id(node), []
            for t, gi in zip(node.inputs, raw, strict=False):
                if t is None:
                    continue  # a non-tensor argument (a dim, a number): no gradient
                if gi is not None and t.requires_grad:
                    gi = to_numpy(unbroadcast(gi, t.array.shape) if gi.shape != t.array.shape
                                  else gi)
                    _add(known, g.data_id(t), gi)
                    fresh += [g.data_id(t)] if g.data_id(t) else []
                grad_inputs.append(gi)
        grad = None if grad is None else to_numpy(grad)
        frames.append(Frame(k, node.name(), node, current, grad, tuple(grad_inputs),
                            dict(known), fresh))
    return frames


def backward_frames(roots: list[Any], g: Graph) -> list[Frame]:
    """Frames for one ``Value`` root, or for tensor roots."""
    if isinstance(roots[0], Value):
        if len(roots) != 1:
            raise ValueError("Step through one Value at a time: draw_backward_steps(loss).")
        return value_frames(roots[0], g)
    return tensor_frames(roots, g)
