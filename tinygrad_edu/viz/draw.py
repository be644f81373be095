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
from tinygrad_edu.viz.graph import Graph, data_name, walk
from tinygrad_edu.viz.labels import is_tensor
from tinygrad_edu.viz.modules import collapse_modules
from tinygrad_edu.viz.render import DOT_TIMEOUT_S, Drawing
from tinygrad_edu.viz.simplify import MAX_NODES, simplify

MAX_OPS = 500  # with simplify=False, past this many operations draw_graph warns


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
                collapse: str | None = None, max_depth: int | None = None,
                simplify_big: bool = True, max_nodes: int = MAX_NODES) -> Graph:
    """Walk, optionally fold modules, then simplify what is too big to draw fast.

    ``None`` for show_data/show_grad means "auto": values in every ``Value`` box and in
    tensors of at most 8 elements; gradients once ``backward()`` has run.
    """
    roots = as_roots(roots)
    if collapse not in (None, "module"):
        raise ValueError(f"collapse must be None or 'module', not {collapse!r}")
    if max_nodes < 1:
        raise ValueError(f"max_nodes must be at least 1, not {max_nodes}")
    g = walk(roots, show_data=show_data, show_grad=show_grad, show_saved=show_saved,
             max_depth=max_depth)
    if collapse == "module":
        g = collapse_modules(g)
    if simplify_big:
        g = simplify(g, max_nodes=max_nodes, root_text=data_name(roots[0]) or "y")
    return g


def warn_if_big(g: Graph, stacklevel: int = 3) -> None:
    n = g.op_count()
    if n > MAX_OPS:
        warnings.warn(
            f"This graph has {n} operations: too many to read in one picture (and slow to "
            "lay out). Let draw_graph simplify it (simplify=True), fold each nn module into "
            "one box with collapse='module', or draw only the last few levels with "
            "max_depth=5.", stacklevel=stacklevel)


def draw_graph(*roots: Any, show_data: bool | None = None, show_grad: bool | None = None,
               show_saved: bool = False, direction: str = "forward", legend: bool = True,
               collapse: str | None = None, max_depth: int | None = None,
               rankdir: str | None = None, title: str | None = None, simplify: bool = True,
               max_nodes: int = MAX_NODES, timeout: float = DOT_TIMEOUT_S) -> Drawing:
    """Draw the graph that computed ``roots`` (tensors or ``Value``s), as a notebook picture.

    Boxes are data (tensors/Values), ellipses are operations, named like PyTorch's backward
    functions (``MulBackward0``; for a ``Value`` the operator symbol follows). Colours:
    blue = leaf that requires grad, white = constant, yellow = intermediate, green = output,
    grey = operation, orange = saved for backward (see the legend; ``legend=False`` hides it).

    Args:
        show_data, show_grad: print values / gradients in the boxes. Default (``None``):
            every ``Value``, and tensors of at most 8 elements; gradients once
            ``backward()`` has run (an intermediate's says it was not kept). ``True``
            shows them for tensors up to 16 elements, ``False`` never.
        show_saved: draw what each operation saved for backward, under PyTorch's names
            (``self``, ``other``, ``exponent``, ``result``): an orange box, or a dashed
            arrow from the box of the very tensor it saved.
        direction: ``"forward"`` (arrows follow the data) or ``"backward"`` (arrows follow
            the gradients, from the output back to the leaves).
        collapse: ``"module"`` folds each nn module (tensors named ``fc1.weight``, ...) and
            the operations that use its parameters into one box.
        max_depth: keep only this many levels of operations below the roots ("…" marks the cut).
        rankdir: ``"LR"`` (left to right), ``"TB"`` (top to bottom), or ``None``: left to
            right when that fits the page, else top to bottom.
        title: a caption above the picture.
        simplify: big graphs fold repeated loop bodies ("× N"), draw a box used many times
            as small copies, and keep the ``max_nodes`` boxes nearest the output; a note
            says what was simplified. ``False`` draws every node (slow past ~1,000).
        max_nodes: how many boxes at most (with ``simplify``).
        timeout: seconds graphviz may take to lay the picture out before it is stopped.

    Returns a ``graphviz.Digraph`` (``.source`` is the DOT text); without graphviz's ``dot``
    program, or when it is too slow, the notebook says so instead of crashing or hanging.
    """
    g = build_graph(roots, show_data=show_data, show_grad=show_grad, show_saved=show_saved,
                    collapse=collapse, max_depth=max_depth, simplify_big=simplify,
                    max_nodes=max_nodes)
    if not simplify:
        warn_if_big(g)
    drawing = to_digraph(g, direction=direction, legend=legend, rankdir=rankdir, title=title)
    drawing.timeout = timeout
    return drawing
