"""``draw_graph``: the picture of a computation graph, for tensors and for scalar ``Value``s.

>>> from tinygrad_edu.scalar import Value
>>> a, b = Value(2.0, label="a"), Value(3.0, label="b")
>>> dot = draw_graph(a * b, show_grad=False, legend=False)
>>> print(dot.source, end="")    # DOT text: what tests compare  # doctest: +NORMALIZE_WHITESPACE
digraph {
    graph [rankdir=LR]
    node [fontname=Helvetica fontsize=10]
    n0 [label="data=6" fillcolor=darkolivegreen1 shape=box style="rounded,filled"]
    n1 [label="MulBackward0\\n*" fillcolor=lightgrey shape=ellipse style=filled]
    n2 [label="a\\ndata=2" fillcolor=lightblue shape=box style="rounded,filled"]
    n3 [label="b\\ndata=3" fillcolor=lightblue shape=box style="rounded,filled"]
    n1 -> n0
    n2 -> n1
    n3 -> n1
}
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from tinygrad_edu.scalar import Value
from tinygrad_edu.viz.dot import to_digraph
from tinygrad_edu.viz.graph import Graph, walk
from tinygrad_edu.viz.labels import is_tensor
from tinygrad_edu.viz.modules import collapse_modules
from tinygrad_edu.viz.render import Drawing

MAX_OPS = 500  # past this many operations a picture stops being readable: draw_graph warns


def as_roots(roots: Sequence[Any]) -> list[Any]:
    """Accept ``draw_graph(a, b)`` and ``draw_graph([a, b])``; check what was passed."""
    flat: list[Any] = []
    for r in roots:
        flat.extend(r if isinstance(r, (list, tuple)) else [r])
    if not flat:
        raise ValueError("Nothing to draw: pass the output(s) of your computation, "
                         "e.g. draw_graph(loss).")
    for r in flat:
        if not (isinstance(r, Value) or is_tensor(r)):
            raise TypeError(f"draw_graph draws tensors and Values, not {type(r).__name__}. "
                            "Pass the result of a computation, e.g. draw_graph(loss).")
    return flat


def build_graph(roots: Sequence[Any], *, show_data: bool | None = None,
                show_grad: bool | None = None, show_saved: bool = False,
                collapse: str | None = None, max_depth: int | None = None) -> Graph:
    """Walk, then optionally fold modules. ``None`` for show_data/show_grad means "auto":
    on for ``Value`` graphs (one number per box is readable), off for tensors."""
    roots = as_roots(roots)
    scalar = all(isinstance(r, Value) for r in roots)
    if collapse not in (None, "module"):
        raise ValueError(f"collapse must be None or 'module', not {collapse!r}")
    g = walk(roots, show_data=scalar if show_data is None else show_data,
             show_grad=scalar if show_grad is None else show_grad,
             show_saved=show_saved, max_depth=max_depth)
    return collapse_modules(g) if collapse == "module" else g


def warn_if_big(g: Graph, stacklevel: int = 3) -> None:
    n = g.op_count()
    if n > MAX_OPS:
        warnings.warn(
            f"This graph has {n} operations: too many to read in one picture (and slow to "
            "lay out). Fold each nn module into one box with collapse='module', or draw only "
            "the last few levels with max_depth=5.", stacklevel=stacklevel)


def draw_graph(*roots: Any, show_data: bool | None = None, show_grad: bool | None = None,
               show_saved: bool = False, direction: str = "forward", legend: bool = True,
               collapse: str | None = None, max_depth: int | None = None,
               rankdir: str = "LR", title: str | None = None) -> Drawing:
    """Draw the graph that computed ``roots`` (tensors or ``Value``s), as a notebook picture.

    Boxes are data (tensors/Values), ellipses are operations, named like PyTorch's backward
    functions (``MulBackward0``; for a ``Value`` the operator symbol follows). Colours:
    blue = leaf that requires grad, white = constant, yellow = intermediate, green = output,
    grey = operation, orange = saved for backward (see the legend; ``legend=False`` hides it).

    Args:
        show_data, show_grad: print values / gradients in the boxes (small tensors only).
            Default: on for ``Value`` graphs, off for tensor graphs.
        show_saved: draw what each operation saved for backward (orange, dashed arrows).
        direction: ``"forward"`` (arrows follow the data) or ``"backward"`` (arrows follow
            the gradients, from the output back to the leaves).
        collapse: ``"module"`` folds each nn module (tensors named ``fc1.weight``, ...) and
            the operations that use its parameters into one box.
        max_depth: keep only this many levels of operations below the roots ("…" marks the cut).
        rankdir: graphviz layout direction, ``"LR"`` (left to right) or ``"TB"``.
        title: a caption above the picture.

    Returns a ``graphviz.Digraph`` (``.source`` is the DOT text); without graphviz's ``dot``
    program the notebook shows how to install it instead of crashing.
    """
    g = build_graph(roots, show_data=show_data, show_grad=show_grad, show_saved=show_saved,
                    collapse=collapse, max_depth=max_depth)
    warn_if_big(g)
    return to_digraph(g, direction=direction, legend=legend, rankdir=rankdir, title=title)
