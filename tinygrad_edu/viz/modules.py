"""Collapse each ``nn`` module's nodes into one box, so a model's graph stays readable.

``nn.Module`` names every parameter by its path (``fc1.weight``), so a parameter belongs
to the module named by everything before its last dot (``fc1``). An operation belongs to
module ``M`` when a direct input is one of ``M``'s parameters, or something computed from
``M``'s parameters alone (like ``fc1.weight.T``); its result goes with it. So in
``relu(x @ W.T + b)`` the transpose, the matmul and the add are inside ``fc1``, and the
``relu`` applied afterwards is not. Outputs (the roots) always stay visible.

>>> from tinygrad_edu.scalar import Value
>>> from tinygrad_edu.viz.graph import walk
>>> w, b, x = Value(2.0, label="fc1.w"), Value(1.0, label="fc1.b"), Value(3.0, label="x")
>>> g = collapse_modules(walk([(w * x + b).relu()]))
>>> [n.label[0] or n.kind for n in g.nodes]
['output', 'ReluBackward0', 'fc1', 'x']
>>> g.nodes[2].label      # the box lists the module's parameters and how many ops it hides
['fc1', 'b', 'w', '2 ops']
"""

from __future__ import annotations

from collections import deque

from tinygrad_edu.scalar import Value
from tinygrad_edu.viz.graph import Edge, Graph, Node
from tinygrad_edu.viz.labels import meta_text


def module_of(name: str) -> str | None:
    """``"fc1.weight" -> "fc1"``, ``"net.fc1.bias" -> "net.fc1"``, ``"x" -> None``."""
    return name.rsplit(".", 1)[0] if "." in name else None


def inputs_first(g: Graph) -> list[str]:
    """Node ids ordered so every node comes after its inputs (Kahn's algorithm)."""
    users: dict[str, list[str]] = {}
    waiting = {node.id: 0 for node in g.nodes}
    for e in g.edges:
        users.setdefault(e.tail, []).append(e.head)
        waiting[e.head] += 1
    ready = deque(nid for nid, n in waiting.items() if n == 0)
    order = []
    while ready:
        nid = ready.popleft()
        order.append(nid)
        for user in users.get(nid, []):
            waiting[user] -= 1
            if waiting[user] == 0:
                ready.append(user)
    return order


def module_members(g: Graph) -> dict[str, str]:
    """Node id -> module name, for every node that goes inside a module's box."""
    nodes = {node.id: node for node in g.nodes}
    inputs: dict[str, list[str]] = {}
    for e in g.edges:
        if e.kind == "data":
            inputs.setdefault(e.head, []).append(e.tail)
    pure: dict[str, str | None] = {}  # the module a node is computed from *alone*
    member: dict[str, str] = {}
    for nid in inputs_first(g):
        node, ins = nodes[nid], inputs.get(nid, [])
        if node.kind in ("leaf", "const"):
            pure[nid] = module_of(node.name)
            if pure[nid]:
                member[nid] = pure[nid]
        elif node.kind == "op":
            from_params = {pure.get(t) for t in ins}
            pure[nid] = next(iter(from_params)) if len(from_params) == 1 else None
            modules = from_params - {None}
            if len(modules) == 1:
                member[nid] = modules.pop()
        else:  # a result goes with its op; saved tensors go with their op below
            pure[nid] = pure.get(ins[0]) if len(ins) == 1 else None
            if node.kind == "result" and len(ins) == 1 and ins[0] in member:
                member[nid] = member[ins[0]]
    for e in g.edges:
        if e.kind == "saved" and e.head in member:
            member[e.tail] = member[e.head]
    return member


def collapse_modules(g: Graph) -> Graph:
    """A new graph where each module's nodes are one ``module`` box listing its parameters."""
    member = module_members(g)
    out = Graph(ids=dict(g.ids))
    boxes: dict[str, Node] = {}
    ops: dict[str, int] = {}
    for node in g.nodes:
        module = member.get(node.id)
        if module is None:
            out.nodes.append(node)
            continue
        if module not in boxes:
            boxes[module] = Node(f"m{len(boxes)}", "module", [module], name=module)
            out.nodes.append(boxes[module])
        box = boxes[module]
        ops[module] = ops.get(module, 0) + (node.kind == "op")
        if node.kind in ("leaf", "const"):
            short = node.name[len(module) + 1:]
            x = node.obj
            box.label.append(short if isinstance(x, Value) else
                             f"{short} {meta_text(x.shape, x.dtype)}")
    for module, box in boxes.items():
        box.label.append(f"{ops[module]} op" + ("s" if ops[module] != 1 else ""))
    renamed = {nid: boxes[m].id for nid, m in member.items()}
    out.ids = {key: renamed.get(nid, nid) for key, nid in g.ids.items()}
    seen = set()
    for e in g.edges:
        e = Edge(renamed.get(e.tail, e.tail), renamed.get(e.head, e.head), e.kind)
        if e.tail != e.head and e not in seen:
            seen.add(e)
            out.edges.append(e)
    return out
