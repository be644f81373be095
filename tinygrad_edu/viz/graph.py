"""Walk a computation graph into plain lists of nodes and edges (no drawing yet).

Both engines are walked the same way: from each result go to the operation that produced
it, and from each operation to its inputs.

* A ``Value`` is a number *and*, when it has an ``_op``, the operation that made it; the
  operation's inputs are ``value._prev``.
* A ``Tensor`` points to its operation through ``tensor.grad_fn`` (``None`` for a leaf);
  the operation's inputs are ``grad_fn.inputs``.

The walk is breadth-first from the roots, inputs in order, so node ids ``n0, n1, ...``
follow the graph and never ``id()``: the same program gives the same picture, byte for
byte. No recursion, so a 100,000-node graph is fine.

Labels are written after the walk, once the whole graph is known: "after backward" (some
leaf holds a gradient) decides whether boxes get a gradient line, and a saved tensor that
is the very array of a tensor already in the picture becomes a dashed arrow from that box.

>>> from tinygrad_edu.scalar import Value
>>> a = Value(2.0, label="a")
>>> g = walk([a * a])
>>> [(n.id, n.kind, n.label[0]) for n in g.nodes]
[('n0', 'output', ''), ('n1', 'op', 'MulBackward0'), ('n2', 'leaf', 'a')]
>>> [(e.tail, e.head) for e in g.edges]      # a is used twice: two arrows
[('n1', 'n0'), ('n2', 'n1'), ('n2', 'n1')]
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tinygrad_edu.scalar import Value
from tinygrad_edu.viz.labels import (
    data_label,
    is_small,
    is_tensor,
    op_label,
    raw,
    saved_label,
    stored_grad,
)
from tinygrad_edu.viz.saved import saved_values

# Node kinds, each with its own colour (see dot.py):
#   leaf     a tensor/Value you made that requires grad (a parameter)
#   const    a tensor/Value without grad (inputs, plain numbers)
#   result   an intermediate result      output   a root you asked to draw
#   op       an operation (backward node) saved    something an op saved for backward
#   elided   "…" where max_depth or max_nodes cut the graph
#   module   a collapsed nn module       note     what the picture simplified, in words
DATA_KINDS = ("leaf", "const", "result", "output")  # boxes that stand for a tensor/Value


@dataclass
class Node:
    """One box of the picture. ``obj`` is what it stands for (never printed)."""

    id: str
    kind: str
    label: list[str]
    obj: Any = None
    name: str = ""  # the tensor's name ("fc1.weight"), used to group nodes by module
    copy: bool = False  # a small repeated copy of a box used many times (see simplify.py)


@dataclass(frozen=True)
class Edge:
    """An arrow in the forward direction: ``tail`` is used to compute ``head``."""

    tail: str
    head: str
    kind: str = "data"  # "data", or "saved" for a saved tensor feeding its op
    label: str = ""  # a saved tensor's name when the arrow comes from a drawn tensor


@dataclass
class Graph:
    """Nodes in graph order, edges, and a lookup from objects to node ids.

    ``clusters`` are (title, node ids) drawn inside one frame (a folded loop body);
    ``notes`` say in words what the picture left out or simplified.
    """

    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    ids: dict[tuple, str] = field(default_factory=dict)  # (role, id(obj)) -> node id
    clusters: list[tuple[str, list[str]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, key: tuple, kind: str, label: list[str], obj: Any = None,
            name: str = "") -> str:
        node = Node(f"n{len(self.nodes)}", kind, label, obj, name)
        self.nodes.append(node)
        self.ids[key] = node.id
        return node.id

    def data_id(self, x: Any) -> str | None:
        """The node id of a tensor or ``Value`` drawn as data, if it is in the picture."""
        return self.ids.get(("data", id(x)))

    def op_id(self, op: Any) -> str | None:
        """The node id of an operation (a ``grad_fn``, or the ``Value`` it produced)."""
        return self.ids.get(("op", id(op)))

    def op_count(self) -> int:
        return sum(node.kind == "op" for node in self.nodes)


def producer(x: Any) -> Any:
    """The operation that made ``x``, or ``None`` for a leaf."""
    if isinstance(x, Value):
        return x if x._op else None
    return x.grad_fn


def op_inputs(op: Any) -> list[Any]:
    """The tensors or Values an operation read (non-tensor arguments are left out)."""
    if isinstance(op, Value):
        return list(op._prev)
    return [t for t in op.inputs if t is not None and is_tensor(t)]


def data_kind(x: Any, is_root: bool) -> str:
    if producer(x) is None:
        return "leaf" if x.requires_grad else "const"
    return "output" if is_root else "result"


def data_name(x: Any) -> str:
    return x.label if isinstance(x, Value) else (getattr(x, "name", None) or "")


def walk(roots: Sequence[Any], *, show_data: bool | None = False,
         show_grad: bool | None = False, show_saved: bool = False,
         max_depth: int | None = None) -> Graph:
    """Nodes and edges reachable from ``roots``; ``max_depth`` = how many op levels to keep.

    ``show_data``/``show_grad`` = ``None`` means "auto": values for small tensors (see
    ``labels.SMALL_TENSOR``), and gradients only once ``backward()`` has run.
    """
    g = Graph()
    root_ids = {id(r) for r in roots}
    queue: deque[tuple[Any, int]] = deque()
    made_by: list[tuple[Any, str, Any]] = []  # (op, op node id, the tensor it produced)

    def visit(x: Any, depth: int) -> str:
        nid = g.data_id(x)
        if nid is None:
            nid = g.add(("data", id(x)), data_kind(x, id(x) in root_ids), [], x, data_name(x))
            queue.append((x, depth))
        return nid

    for root in roots:
        visit(root, 0)
    while queue:
        x, depth = queue.popleft()
        op, xid = producer(x), g.data_id(x)
        if op is None:
            continue
        if max_depth is not None and depth >= max_depth:
            cut = g.ids.get(("elided",)) or g.add(
                ("elided",), "elided", ["…", f"deeper ops hidden (max_depth={max_depth})"])
            g.edges.append(Edge(cut, xid))
            continue
        op_id = g.op_id(op)
        is_new = op_id is None
        if is_new:
            op_id = g.add(("op", id(op)), "op", op_label(op), op)
            made_by.append((op, op_id, x))
        g.edges.append(Edge(op_id, xid))
        if is_new:
            for t in op_inputs(op):
                g.edges.append(Edge(visit(t, depth + 1), op_id))
    label_data(g, show_data, show_grad)
    if show_saved:
        drawn = {id(raw(n.obj)): n.id for n in g.nodes
                 if n.kind in DATA_KINDS and is_tensor(n.obj)}
        for op, op_id, out in made_by:
            if not isinstance(op, Value):
                add_saved(g, op, op_id, out, show_data, drawn)
    return g


def after_backward(g: Graph) -> bool:
    """Has ``backward()`` run on this graph? (Some box that keeps a gradient holds one.)"""
    for node in g.nodes:
        x = node.obj
        if node.kind in DATA_KINDS and x.requires_grad:
            grad = stored_grad(x)
            if isinstance(x, Value) or (grad is not None and not isinstance(grad, str)):
                return True
    return False


def label_data(g: Graph, show_data: bool | None, show_grad: bool | None) -> None:
    """Write each data box's lines (name, shape, values, gradient)."""
    auto_grad = show_grad is None and after_backward(g)
    for node in g.nodes:
        if node.kind in DATA_KINDS:
            small = is_small(node.obj)
            data = small if show_data is None else show_data
            grad = (small and auto_grad) if show_grad is None else show_grad
            node.label = data_label(node.obj, data, grad)


def add_saved(g: Graph, op: Any, op_id: str, out: Any, show_data: bool | None,
              drawn: dict[int, str]) -> None:
    """What ``op`` saved for backward, named as PyTorch names it (``self``, ``result``...).

    A saved array that is a tensor already drawn (``drawn``: id of its array -> node id)
    becomes a dashed arrow from that tensor's
    box; anything else gets its own orange box. After ``backward()`` a note says they are
    freed.
    """
    try:
        saved = saved_values(op, out)
    except RuntimeError:  # PyTorch's rule: backward() frees what ops saved
        sid = g.add(("saved", id(op)), "saved", ["saved tensors", "freed by backward()"])
        g.edges.append(Edge(sid, op_id, "saved"))
        return
    for i, (name, value) in enumerate(saved):
        sid = drawn.get(id(raw(value)))
        if sid is not None:
            g.edges.append(Edge(sid, op_id, "saved", name))
            continue
        sid = g.add(("saved", id(op), i), "saved", saved_label(value, show_data, name))
        g.edges.append(Edge(sid, op_id, "saved"))
