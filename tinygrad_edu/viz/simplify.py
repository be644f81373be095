"""Keep big graphs drawable: fold repeated loop bodies, copy busy leaves, cut far nodes.

Graphviz's ``dot`` lays out a chain of 2,000 boxes in half a second, but one leaf used by
hundreds of operations (``y = y + x`` in a loop) pulls hundreds of long edges across the
picture and the layout takes minutes. So, before drawing, a big graph is simplified, and
the picture says how (a note, and ``simplify=False`` draws every node):

1. **Fold a repeated loop body.** Walk the *spine*, the longest path from the output down
   to the inputs. Each step of it is one operation plus whatever it reads from the side
   (``x`` in ``y + x``). When the steps repeat with period ``p`` (``+ x``, ``* 1.001``,
   ``tanh``, ``+ x``, ...), draw one body in a frame marked "× N" and drop the other copies.
   Only graphs bigger than ``FOLD_ABOVE`` nodes are folded: a lesson's three-step loop
   stays three steps.
2. **Copy a busy box.** A box used by more than ``MAX_USES`` operations is drawn once with
   its full label, and as a small copy next to each further use.
3. **Cut far nodes.** Past ``max_nodes`` boxes, keep the ones nearest the output (breadth
   first, the order the walk found them) and say how many more there are.

>>> import tinygrad_edu as tg
>>> from tinygrad_edu.viz.graph import walk
>>> x = tg.tensor([1.0, 2.0], requires_grad=True)
>>> y = x
>>> for i in range(300):
...     y = (y * 1.001).tanh() if i % 2 else y + x
>>> g = simplify(walk([y]), max_nodes=400)
>>> len(g.nodes) < 20, g.clusters[0][0]
(True, 'loop body × 149')
"""

from __future__ import annotations

from collections import deque
from typing import Any

from tinygrad_edu.viz.graph import DATA_KINDS, Edge, Graph, Node
from tinygrad_edu.viz.labels import is_tensor

FOLD_ABOVE = 150  # graphs with more boxes than this get their loop bodies folded
MAX_USES = 12  # a box used by more operations than this is drawn as small copies
MAX_NODES = 400  # default cap on the boxes drawn (draw_graph(..., max_nodes=...))
MAX_PERIOD = 16  # the longest loop body (in operations along the spine) that is folded
MIN_REPEATS = 3  # fold only bodies repeated at least this often
HASH_DEPTH = 3  # how far into a step's side inputs two steps must look alike


def inputs_of(g: Graph) -> dict[str, list[str]]:
    """Node id -> the ids of its data inputs, in argument order."""
    ins: dict[str, list[str]] = {n.id: [] for n in g.nodes}
    for e in g.edges:
        if e.kind == "data" and e.head in ins:
            ins[e.head].append(e.tail)
    return ins


def reachable_from_roots(g: Graph) -> set[str]:
    """Ids of nodes with a path to an output (along edges, backwards from the outputs)."""
    into: dict[str, list[str]] = {}
    for e in g.edges:
        into.setdefault(e.head, []).append(e.tail)
    todo = [n.id for n in g.nodes if n.kind == "output"]
    seen = set(todo)
    while todo:
        for tail in into.get(todo.pop(), []):
            if tail not in seen:
                seen.add(tail)
                todo.append(tail)
    return seen


def keep_only(g: Graph, keep: set[str], edges: list[Edge] | None = None) -> Graph:
    """A copy of ``g`` with only the nodes in ``keep`` (and the edges between them)."""
    edges = g.edges if edges is None else edges
    return Graph(
        nodes=[n for n in g.nodes if n.id in keep],
        edges=[e for e in edges if e.tail in keep and e.head in keep],
        ids={k: v for k, v in g.ids.items() if v in keep},
        clusters=[(t, [i for i in ids if i in keep]) for t, ids in g.clusters],
        notes=list(g.notes),
    )


# ------------------------------------------------------------------ 1. fold loop bodies
def shape_key(node: Node) -> tuple:
    """What must match for two boxes to count as "the same" in two loop iterations."""
    x = node.obj
    if node.kind == "op":
        return ("op", node.label[0])
    if node.kind in DATA_KINDS and is_tensor(x):
        return (node.kind, tuple(x.shape), str(x.dtype))
    return (node.kind,)


def heights(g: Graph, ins: dict[str, list[str]]) -> dict[str, int]:
    """Node id -> length of the longest path down to an input (Kahn's order, no recursion)."""
    users: dict[str, list[str]] = {}
    waiting = {nid: len(tails) for nid, tails in ins.items()}
    for head, tails in ins.items():
        for t in tails:
            users.setdefault(t, []).append(head)
    ready = deque(nid for nid, k in waiting.items() if k == 0)
    height: dict[str, int] = {}
    while ready:
        nid = ready.popleft()
        height[nid] = 1 + max((height.get(t, 0) for t in ins[nid]), default=0)
        for head in users.get(nid, []):
            waiting[head] -= 1
            if waiting[head] == 0:
                ready.append(head)
    return height


def spine(g: Graph, nodes: dict[str, Node],
          ins: dict[str, list[str]]) -> list[tuple[str, str, str | None]]:
    """Steps ``(result id, op id, spine input id)`` from the first output down to the inputs,
    always taking the input with the longest history (the loop-carried value)."""
    height = heights(g, ins)
    outputs = [n.id for n in g.nodes if n.kind == "output"]
    steps: list[tuple[str, str, str | None]] = []
    current = outputs[0] if outputs else None
    while current is not None:
        ops = [t for t in ins[current] if nodes[t].kind == "op"]
        if len(ops) != 1:
            break
        op = ops[0]
        below = max(ins[op], key=lambda t: height.get(t, 0), default=None)
        steps.append((current, op, below))
        current = below
    return steps


def step_signatures(nodes: dict[str, Node], ins: dict[str, list[str]], users: dict[str, int],
                    steps: list[tuple[str, str, str | None]]) -> list[Any]:
    """One fingerprint per step: its result's shape, its op, and what it reads on the side
    (``HASH_DEPTH`` levels deep; a box read by several steps, like ``x``, by identity)."""
    memo: dict[tuple[str, int], Any] = {}

    def fingerprint(nid: str, depth: int) -> Any:
        key = (nid, depth)
        if key not in memo:
            node = nodes[nid]
            if node.kind in ("leaf", "const") and users.get(nid, 0) > 1:
                memo[key] = ("shared", nid)  # the same x in every iteration
            elif depth == 0:
                memo[key] = shape_key(node)
            else:
                memo[key] = (shape_key(node),
                             tuple(fingerprint(t, depth - 1) for t in ins[nid]))
        return memo[key]

    return [(shape_key(nodes[result]), nodes[op].label[0],
             tuple("spine" if t == below else fingerprint(t, HASH_DEPTH) for t in ins[op]))
            for result, op, below in steps]


def best_runs(sigs: list[Any]) -> list[tuple[int, int, int]]:
    """Non-overlapping ``(start, period, repeats)`` of repeated steps, biggest saving first."""
    candidates = []
    n = len(sigs)
    for p in range(1, min(MAX_PERIOD, n // MIN_REPEATS) + 1):
        i = 0
        while i + p < n:
            if sigs[i] != sigs[i + p]:
                i += 1
                continue
            start = i
            while i + p < n and sigs[i] == sigs[i + p]:
                i += 1
            repeats = (i + p - start) // p
            if repeats >= MIN_REPEATS:
                candidates.append(((repeats - 1) * p, -p, start, p, repeats))
    candidates.sort(reverse=True)
    taken: list[tuple[int, int, int]] = []
    for _, _, start, p, repeats in candidates:
        end = start + p * repeats
        if all(end <= s or start >= s + q * r for s, q, r in taken):
            taken.append((start, p, repeats))
    return taken


def fold_loops(g: Graph) -> Graph:
    """Draw each long run of a repeated loop body once, in a frame marked "× N"."""
    ins = inputs_of(g)
    nodes = {n.id: n for n in g.nodes}
    users: dict[str, int] = {}
    for e in g.edges:
        users[e.tail] = users.get(e.tail, 0) + 1
    steps = spine(g, nodes, ins)
    runs = best_runs(step_signatures(nodes, ins, users, steps)) if steps else []
    if not runs:
        return g
    edges = list(g.edges)
    clusters = list(g.clusters)
    notes = list(g.notes)
    for start, p, repeats in runs:
        body = steps[start:start + p]
        last_op = body[-1][1]
        old_below = body[-1][2]
        new_below = steps[start + p * repeats - 1][2]  # what the deepest copy read
        edges = [Edge(new_below, e.head, e.kind, e.label)
                 if e.tail == old_below and e.head == last_op and new_below else e
                 for e in edges]
        members = [nid for result, op, _ in body for nid in (op, result)]
        side = [t for _, op, below in body for t in ins[op]
                if t != below and nodes[t].kind in ("result", "op")]
        clusters.append((f"loop body × {repeats}", members + side))
        notes.append(f"a loop body of {p} operation{'s' * (p != 1)} ran {repeats} times: "
                     f"drawn once (× {repeats})")
    folded = Graph(g.nodes, edges, g.ids, clusters, notes)
    return keep_only(folded, reachable_from_roots(folded))


# ------------------------------------------------------------------ 2. copy busy boxes
def copy_busy(g: Graph, max_uses: int = MAX_USES) -> Graph:
    """A box used by more than ``max_uses`` operations: one small copy next to each use."""
    uses: dict[str, int] = {}
    for e in g.edges:
        uses[e.tail] = uses.get(e.tail, 0) + 1
    nodes = {n.id: n for n in g.nodes}
    busy = {nid for nid, k in uses.items()
            if k > max_uses and nodes[nid].kind in DATA_KINDS}
    if not busy:
        return g
    out = Graph(list(g.nodes), [], dict(g.ids), list(g.clusters), list(g.notes))
    first: set[str] = set()
    copies: set[str] = set()
    for e in g.edges:
        if e.tail not in busy or e.tail not in first:
            first.add(e.tail)
            out.edges.append(e)
            continue
        node = nodes[e.tail]
        copy_id = f"{e.tail}_{e.head}"
        if copy_id not in copies:
            copies.add(copy_id)
            short = node.name or node.label[0]
            out.nodes.append(Node(copy_id, node.kind, [short], node.obj, node.name, copy=True))
        out.edges.append(Edge(copy_id, e.head, e.kind, e.label))
    for nid in busy:
        node = nodes[nid]
        node.label = [*node.label, f"used {uses[nid]} times: drawn as copies"]
        out.notes.append(f"{node.name or 'a box'} is used {uses[nid]} times: "
                         "drawn once, then as small copies")
    return out


# ------------------------------------------------------------------ 3. cut far nodes
def cut_far(g: Graph, max_nodes: int, root_text: str = "y") -> Graph:
    """Keep the ``max_nodes`` boxes nearest the outputs; one "…" box stands for the rest."""
    if len(g.nodes) <= max_nodes:
        return g
    into: dict[str, list[str]] = {}
    for e in g.edges:
        into.setdefault(e.head, []).append(e.tail)
    queue = deque(n.id for n in g.nodes if n.kind == "output")
    order, seen = [], set(queue)
    while queue:
        nid = queue.popleft()
        order.append(nid)
        for tail in into.get(nid, []):
            if tail not in seen:
                seen.add(tail)
                queue.append(tail)
    order += [n.id for n in g.nodes if n.id not in seen]  # notes and the like
    keep = set(order[:max_nodes])
    hidden = len(g.nodes) - len(keep)
    cut = keep_only(g, keep)
    more = Node("more", "elided", [
        f"… {hidden:,} more nodes:", f"draw_graph({root_text}, max_nodes={len(g.nodes)})"])
    cut.nodes.append(more)
    position = {nid: i for i, nid in enumerate(order)}
    frontier = sorted({e.head for e in g.edges if e.head in keep and e.tail not in keep},
                      key=position.__getitem__)
    cut.edges += [Edge("more", head) for head in frontier]
    cut.notes.append(f"only the {len(keep):,} nodes nearest the output are drawn")
    return cut


def simplify(g: Graph, *, max_nodes: int = MAX_NODES, root_text: str = "y") -> Graph:
    """Fold loops (big graphs only), copy busy boxes, then cut to ``max_nodes``."""
    if len(g.nodes) > FOLD_ABOVE:
        g = fold_loops(g)
    g = copy_busy(g)
    return cut_far(g, max_nodes, root_text)
