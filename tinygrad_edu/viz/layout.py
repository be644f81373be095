"""Fit the page: which way the graph runs, and how hard ``dot`` tries, by graph size.

A notebook cell is about ``PAGE_WIDTH_PT`` wide (JupyterLab 4 in a 1280-px window with the
file browser open: about 860 px for outputs). JupyterLab shows an SVG at its own size and
cuts off what does not fit, so ``render.fit_width`` shrinks a wider picture to the cell.
Boxes use a 10 pt font (13.3 px); shrunk below 3/4 of its size, labels drop under 10 px,
so the layout may be at most ``PAGE_WIDTH_PT / 0.75`` points wide. ``rankdir=None``
("auto") estimates the width of both layouts from the labels and picks:

* left to right (``LR``) when it fits: short graphs read like a formula;
* top to bottom (``TB``) otherwise: long chains grow down the page, where scrolling is free;
* in ``TB``, a row with too many inputs side by side is *wrapped*: its inputs are staggered
  over up to ``MAX_STAGGER`` rows (what graphviz's ``unflatten`` does).

Big graphs also get cheaper layout settings (fewer crossing-minimisation passes, straight
edges), so that ``dot`` stays within its time budget.
"""

from __future__ import annotations

from collections import deque

from tinygrad_edu.viz.graph import Graph
from tinygrad_edu.viz.render import PAGE_WIDTH_PT

MAX_WIDTH_PT = PAGE_WIDTH_PT / 0.75  # wider, and 10 pt labels shrink below 10 px
CHAR_PT = 5.6  # average width of a 10 pt Helvetica character
RANKSEP_PT, NODESEP_PT = 36, 18  # graphviz's defaults (0.5 and 0.25 inch)
MAX_STAGGER = 4
SAFE = 0.9  # estimates are rough: choose LR only with this much room to spare
LEGEND_PT = (150, 400)  # the legend: a column beside an LR picture, a block above a TB one


def box_width(label: list[str], ellipse: bool = False) -> float:
    """Estimated width of a box in points: its longest line, plus margins (an ellipse, which
    must go round the text, a quarter more)."""
    width = CHAR_PT * max((len(line) for line in label), default=1) + 16
    return max(54.0, width * 1.25 if ellipse else width)


def ranks(g: Graph) -> dict[str, int]:
    """Node id -> its row counted from the outputs (longest path to an output), along data
    edges: what ``dot`` does too, which puts each input just before its first use."""
    users: dict[str, list[str]] = {n.id: [] for n in g.nodes}
    ins: dict[str, list[str]] = {}
    for e in g.edges:
        if e.kind == "data" and e.head in users and e.tail in users:
            users[e.tail].append(e.head)
            ins.setdefault(e.head, []).append(e.tail)
    waiting = {nid: len(u) for nid, u in users.items()}
    ready = deque(nid for nid, k in waiting.items() if k == 0)
    rank: dict[str, int] = {}
    while ready:
        nid = ready.popleft()
        rank[nid] = 1 + max((rank[u] for u in users[nid]), default=-1)
        for tail in ins.get(nid, []):
            waiting[tail] -= 1
            if waiting[tail] == 0:
                ready.append(tail)
    return rank


def estimate_widths(g: Graph, legend: bool = True) -> tuple[float, float]:
    """(width if laid out left to right, width if top to bottom), in points."""
    rank = ranks(g)
    widest: dict[int, float] = {}
    row: dict[int, float] = {}
    for node in g.nodes:
        r = rank.get(node.id, 0)
        w = 40.0 if node.copy else box_width(node.label, node.kind == "op")
        widest[r] = max(widest.get(r, 0.0), w)
        row[r] = row.get(r, -NODESEP_PT) + w + NODESEP_PT
    lr = sum(widest.values()) + RANKSEP_PT * (len(widest) - 1)
    tb = max(row.values(), default=0.0)
    if legend:
        lr, tb = lr + LEGEND_PT[0] + RANKSEP_PT, max(tb, LEGEND_PT[1])
    return lr, tb


def choose_rankdir(g: Graph, rankdir: str | None, legend: bool = True) -> str:
    """``rankdir`` as given, or for ``None``: ``LR`` if it fits the page, else ``TB``."""
    if rankdir is not None:
        if rankdir not in ("LR", "RL", "TB", "BT"):
            raise ValueError(f"rankdir must be 'LR', 'TB', 'RL', 'BT' or None (auto), "
                             f"not {rankdir!r}")
        return rankdir
    lr, _ = estimate_widths(g, legend)
    return "LR" if lr <= SAFE * MAX_WIDTH_PT else "TB"


def stagger(g: Graph, rankdir: str) -> dict[tuple[str, str], int]:
    """Edge (tail, head) -> ``minlen``: inputs of a too-wide row spread over several rows."""
    if rankdir not in ("TB", "BT"):
        return {}
    _, tb = estimate_widths(g)
    if tb <= MAX_WIDTH_PT:
        return {}
    rows = min(MAX_STAGGER, int(tb // MAX_WIDTH_PT) + 1)
    sources = {n.id for n in g.nodes} - {e.head for e in g.edges}
    minlen: dict[tuple[str, str], int] = {}
    k = 0
    for e in g.edges:
        if e.tail in sources and (e.tail, e.head) not in minlen:
            minlen[(e.tail, e.head)] = 1 + k % rows
            k += 1
    return minlen


def size_attrs(n_nodes: int) -> dict[str, str]:
    """Graph attributes that keep ``dot`` fast on big graphs (nothing for small ones)."""
    if n_nodes <= 100:
        return {}
    attrs = {"remincross": "false", "mclimit": "0.5", "nslimit": "4", "nslimit1": "4"}
    if n_nodes > 300:
        attrs.update(mclimit="0.1", nslimit="1", nslimit1="1", searchsize="10",
                     splines="line")
    return attrs
