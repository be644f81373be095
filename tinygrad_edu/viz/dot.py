"""Turn a walked graph (``graph.Graph``) into DOT: colours, arrow direction, legend.

The colours follow torchviz, so they carry over to real PyTorch pictures:

================  =====================  =========================================
kind              colour                 means
================  =====================  =========================================
leaf              light blue             a tensor you made that requires grad
const             white                  no gradient wanted (inputs, plain numbers)
result            light yellow           an intermediate result
output            green                  a root you asked to draw
op                grey                   an operation = a backward node
saved             orange                 a tensor an operation saved for backward
module            steel blue, 3-D box    an nn module folded into one box
================  =====================  =========================================

The backward stepper adds marks: the node being processed (red border, gold), the nodes
already processed (darker grey) and the boxes that just received a gradient (red border).
The legend is one small table node that names only the colours the picture uses.

A saved tensor that is a box already drawn is a dashed orange arrow from that box, labelled
with PyTorch's name for it (``self``, ``result``); it does not move boxes around
(``constraint=false``). Simplified graphs (``simplify.py``) add: a dashed frame around a
folded loop body ("loop body × 166"), small dashed copies of a busy box, and a note that
says what was simplified. Which way the graph runs and how hard ``dot`` tries to lay it
out come from ``layout.py``.
"""

from __future__ import annotations

from collections.abc import Iterable

import graphviz

from tinygrad_edu.viz.graph import Graph, Node
from tinygrad_edu.viz.layout import choose_rankdir, size_attrs, stagger
from tinygrad_edu.viz.render import Drawing

BOX = {"shape": "box", "style": "rounded,filled"}
STYLES: dict[str, dict[str, str]] = {
    "leaf": {**BOX, "fillcolor": "lightblue"},
    "const": {**BOX, "fillcolor": "white", "color": "grey50"},
    "result": {**BOX, "fillcolor": "lightyellow"},
    "output": {**BOX, "fillcolor": "darkolivegreen1"},
    "op": {"shape": "ellipse", "style": "filled", "fillcolor": "lightgrey"},
    "saved": {"shape": "box", "style": "filled", "fillcolor": "orange"},
    "module": {"shape": "box3d", "style": "filled", "fillcolor": "lightsteelblue"},
    "elided": {"shape": "plaintext"},
    "note": {"shape": "note", "style": "filled", "fillcolor": "lightyellow", "fontsize": "9"},
}
COPY = {"fontsize": "8", "height": "0.2", "width": "0.3", "margin": "0.04,0.02",
        "style": "rounded,filled,dashed"}
CLUSTER = {"style": "dashed,rounded", "color": "grey40", "fontname": "Helvetica",
           "fontsize": "11", "labeljust": "l"}
MARKS: dict[str, dict[str, str]] = {
    "current": {"fillcolor": "gold", "color": "red", "penwidth": "3"},
    "done": {"fillcolor": "grey70"},
    "fresh": {"color": "red", "penwidth": "2"},
}
LEGEND = {
    "leaf": "leaf (requires grad)", "const": "constant (no grad)",
    "result": "intermediate result", "output": "output", "op": "operation (backward node)",
    "saved": "saved for backward", "module": "module (folded)",
    "current": "backward is here", "done": "already processed",
    "fresh": "gradient just arrived",
}
DIRECTIONS = ("forward", "backward")


def label_text(lines: list[str]) -> str:
    """DOT label: lines joined by DOT's own line break ``\\n`` (backslashes escaped)."""
    return "\\n".join(line.replace("\\", "\\\\") for line in lines)


def node_attrs(node: Node, marks: dict[str, str]) -> dict[str, str]:
    attrs = STYLES[node.kind]
    if node.copy:
        attrs = {**attrs, **COPY}
    if node.id in marks:
        attrs = {**attrs, **MARKS[marks[node.id]]}
    return attrs


def add_graph(dg: graphviz.Digraph, g: Graph, *, direction: str = "forward",
              prefix: str = "", marks: dict[str, str] | None = None,
              minlen: dict[tuple[str, str], int] | None = None) -> None:
    """Add ``g``'s nodes and edges to ``dg`` (ids prefixed, so several graphs can share it).

    ``direction="forward"`` draws arrows the way data flows (inputs -> op -> result);
    ``"backward"`` reverses them: the way gradients flow, from the output to the leaves.
    Arrows from saved tensors always point at the op that saved them. ``minlen`` spreads
    some edges over several rows (``layout.stagger``).
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be 'forward' or 'backward', not {direction!r}")
    marks = marks or {}
    minlen = minlen or {}
    framed = {nid for _, ids in g.clusters for nid in ids}
    for node in g.nodes:
        if node.id not in framed:
            dg.node(prefix + node.id, label_text(node.label), **node_attrs(node, marks))
    by_id = {node.id: node for node in g.nodes}
    for i, (title, ids) in enumerate(g.clusters):
        with dg.subgraph(name=f"cluster_{prefix}loop{i}",
                         graph_attr={"label": title, **CLUSTER}) as sub:
            for nid in ids:
                node = by_id[nid]
                sub.node(prefix + nid, label_text(node.label), **node_attrs(node, marks))
    for e in g.edges:
        tail, head = prefix + e.tail, prefix + e.head
        if e.kind == "saved":
            extra = {"label": e.label, "fontname": "Helvetica", "fontsize": "8",
                     "constraint": "false"} if e.label else {}
            dg.edge(tail, head, style="dashed", color="darkorange", **extra)
            continue
        extra = {"minlen": str(minlen[(e.tail, e.head)])} if (e.tail, e.head) in minlen else {}
        if direction == "forward":
            dg.edge(tail, head, **extra)
        else:
            dg.edge(head, tail, **extra)


def add_notes(dg: graphviz.Digraph, notes: list[str], prefix: str = "") -> None:
    """One note box saying what the picture simplified (and how to see everything)."""
    if notes:
        lines = ["Simplified to stay readable and fast:", *(f"- {n}" for n in notes),
                 "draw_graph(..., simplify=False) draws every node"]
        dg.node(prefix + "notes", label_text(lines), **STYLES["note"])


def add_legend(dg: graphviz.Digraph, kinds: Iterable[str], vertical: bool = True) -> None:
    """One small table node naming the colours of the kinds shown (none other)."""
    wanted = set(kinds)
    cells = []
    for kind, text in LEGEND.items():
        if kind in wanted:
            attrs = {**STYLES.get(kind, STYLES["const"]), **MARKS.get(kind, {})}
            border = "3" if kind == "current" else "2" if kind == "fresh" else "1"
            cells.append(f'<td bgcolor="{attrs.get("fillcolor", "white")}" border="{border}" '
                         f'color="{attrs.get("color", "black")}">{text}</td>')
    per_row = 1 if vertical else 3  # a row of 3: the legend stays narrower than the graph
    rows = "</tr><tr>".join("".join(cells[i:i + per_row]) for i in range(0, len(cells), per_row))
    dg.node("legend", f'<<table border="0" cellspacing="3" cellpadding="3"><tr>{rows}'
            "</tr></table>>", shape="plaintext", fontsize="9")


def new_drawing(rankdir: str = "LR", title: str | None = None,
                extra: dict[str, str] | None = None) -> Drawing:
    """An empty ``Drawing`` with the course's layout and fonts (``extra``: graph attributes)."""
    graph_attr = {"rankdir": rankdir, **(extra or {})}
    if title:
        graph_attr.update(label=title, labelloc="t")
    return Drawing(graph_attr=graph_attr, node_attr={"fontname": "Helvetica", "fontsize": "10"})


def to_digraph(g: Graph, *, direction: str = "forward", legend: bool = True,
               rankdir: str | None = "LR", title: str | None = None,
               marks: dict[str, str] | None = None) -> Drawing:
    """The whole picture of one graph: nodes, arrows, notes and (optionally) the legend.

    ``rankdir=None`` picks the direction that fits the page (``layout.choose_rankdir``).
    """
    rankdir = choose_rankdir(g, rankdir, legend)
    dg = new_drawing(rankdir, title, size_attrs(len(g.nodes)))
    add_graph(dg, g, direction=direction, marks=marks, minlen=stagger(g, rankdir))
    add_notes(dg, g.notes)
    if legend:
        add_legend(dg, [n.kind for n in g.nodes] + list((marks or {}).values()),
                   vertical=rankdir in ("LR", "RL"))
    return dg
