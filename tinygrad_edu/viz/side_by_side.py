"""Several graphs in one picture, for lessons about *dynamic* graphs.

PyTorch builds a new graph every time the code runs, so an ``if`` can make two different
graphs from the same function::

    def f(x):
        return x * 2 if x.data > 0 else x.exp()

    draw_side_by_side([f(Value(1.0, label="x")), f(Value(-1.0, label="x"))],
                      titles=["x > 0", "x <= 0"])

Each graph goes into its own titled box (a graphviz *cluster*); node ids are prefixed
``g0_``, ``g1_``, ... so the graphs never mix. Top-to-bottom layout by default, which puts
the graphs next to each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tinygrad_edu.viz.dot import add_graph, add_legend, new_drawing
from tinygrad_edu.viz.draw import build_graph, warn_if_big
from tinygrad_edu.viz.render import Drawing


def draw_side_by_side(graphs: Sequence[Any], titles: Sequence[str] | None = None, *,
                      show_data: bool | None = None, show_grad: bool | None = None,
                      show_saved: bool = False, direction: str = "forward",
                      legend: bool = True, collapse: str | None = None,
                      max_depth: int | None = None, rankdir: str = "TB") -> Drawing:
    """Draw each entry of ``graphs`` (a root, or a list of roots) in its own titled box.

    The options mean what they mean in ``draw_graph``; ``titles`` defaults to
    "graph 1", "graph 2", ...
    """
    if isinstance(graphs, (str, bytes)) or len(graphs) < 1:
        raise ValueError("Pass a list of graphs to compare, e.g. draw_side_by_side([y1, y2]).")
    titles = list(titles) if titles is not None else [f"graph {i + 1}" for i in range(len(graphs))]
    if len(titles) != len(graphs):
        raise ValueError(f"Got {len(graphs)} graphs but {len(titles)} titles: one title each.")
    dg = new_drawing(rankdir)
    kinds: list[str] = []
    for i, (roots, title) in enumerate(zip(graphs, titles, strict=True)):
        g = build_graph(roots if isinstance(roots, (list, tuple)) else [roots],
                        show_data=show_data, show_grad=show_grad, show_saved=show_saved,
                        collapse=collapse, max_depth=max_depth)
        warn_if_big(g)
        kinds += [n.kind for n in g.nodes]
        with dg.subgraph(name=f"cluster_{i}", graph_attr={
                "label": title, "style": "rounded", "color": "grey60"}) as sub:
            add_graph(sub, g, direction=direction, prefix=f"g{i}_")
    if legend:
        add_legend(dg, kinds, vertical=rankdir in ("LR", "RL"))
    return dg
