"""Step through the backward pass: one picture per node, in the engine's own order.

In JupyterLab the stepper is a slider (and a play button) over the frames; where widgets
are not available (no ``ipywidgets``, a static HTML export) or with ``widget=False`` it
shows all frames at once, side by side, each with its caption. In every frame:

* the node being processed has a red border (gold if it is an operation);
* operations already processed are darker grey;
* boxes that just received a gradient have a red border; every box that requires grad
  shows the gradient known so far (``grad=?`` until backward reaches it).

>>> from tinygrad_edu.scalar import Value
>>> a, b = Value(2.0, label="a"), Value(3.0, label="b")
>>> steps = draw_backward_steps(a * b + a)
>>> for k in range(len(steps)):
...     print(steps.caption(k))
step 1/4: AddBackward0 receives grad 1 and sends 1, 1 to its inputs
step 2/4: MulBackward0 receives grad 1 and sends 3, 2 to its inputs
step 3/4: AccumulateGrad adds 2 into b.grad
step 4/4: AccumulateGrad adds 4 into a.grad
>>> a.grad      # drawing ran no backward: your gradients are untouched
0.0
"""

from __future__ import annotations

import html
from typing import Any

from tinygrad_edu.scalar import Value
from tinygrad_edu.viz.dot import to_digraph
from tinygrad_edu.viz.draw import as_roots
from tinygrad_edu.viz.frames import Frame, backward_frames
from tinygrad_edu.viz.graph import DATA_KINDS, Graph, Node, walk
from tinygrad_edu.viz.labels import array_text, data_label, number_text
from tinygrad_edu.viz.render import Drawing, missing_dot_bundle, svg_or_none


def widgets_available() -> bool:
    """Can this environment show ipywidgets? (False when the package is missing.)"""
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def grad_short(grad: Any) -> str:
    if grad is None:
        return "nothing"
    return number_text(grad) if isinstance(grad, float) else array_text(grad).replace("\n", " ")


class BackwardStepper:
    """The frames of one backward pass, shown as a slider or as a static page."""

    def __init__(self, *roots: Any, show_data: bool | None = None,
                 direction: str = "forward", legend: bool = True, rankdir: str = "LR",
                 widget: bool | None = None) -> None:
        self.roots = as_roots(roots)
        scalar = all(isinstance(r, Value) for r in self.roots)
        self.show_data = scalar if show_data is None else show_data
        self.graph: Graph = walk(self.roots, show_data=self.show_data)
        self.frames: list[Frame] = backward_frames(self.roots, self.graph)
        self.options = {"direction": direction, "legend": legend, "rankdir": rankdir}
        self.widget = widget  # None: a slider if ipywidgets works; False: always static

    def __len__(self) -> int:
        return len(self.frames)

    def caption(self, k: int) -> str:
        """What happens at step ``k``, in words."""
        f = self.frames[k]
        head = f"step {k + 1}/{len(self)}: {f.name}"
        if f.name == "AccumulateGrad":
            label = getattr(f.node, "label", None) or getattr(f.node.variable, "name", None)
            return f"{head} adds {grad_short(f.grad_output)} into {label or 'the leaf'}.grad"
        if not f.grad_inputs:
            return f"{head}: nothing to pass on"
        sends = ", ".join(grad_short(g) for g in f.grad_inputs)
        return f"{head} receives grad {grad_short(f.grad_output)} and sends {sends} to its inputs"

    def drawing(self, k: int) -> Drawing:
        """The picture of step ``k``."""
        frame = self.frames[k]
        nodes = []
        for node in self.graph.nodes:
            x = node.obj
            if node.kind in DATA_KINDS:
                wants_grad = bool(x.requires_grad)
                grad = frame.grads.get(node.id, "?")
                node = Node(node.id, node.kind, data_label(x, self.show_data, wants_grad, grad),
                            x, node.name)
            nodes.append(node)
        kinds = {n.id: n.kind for n in nodes}
        marks = {f.current: "done" for f in self.frames[:k] if kinds.get(f.current) == "op"}
        marks.update({nid: "fresh" for nid in frame.fresh})
        if frame.current is not None:
            marks[frame.current] = "current"
        g = Graph(nodes, self.graph.edges, self.graph.ids)
        return to_digraph(g, marks=marks, title=f"step {k + 1}/{len(self)}: {frame.name}",
                          **self.options)

    def to_html(self) -> str:
        """Every frame's SVG with its caption, side by side (the static fallback)."""
        figures = []
        for k in range(len(self)):
            drawing = self.drawing(k)
            svg = svg_or_none(drawing)
            if svg is None:
                return missing_dot_bundle(drawing.source)["text/html"]
            figures.append('<figure style="margin:0;padding:4px;border:1px solid #ddd">'
                           f"<figcaption>{html.escape(self.caption(k))}</figcaption>"
                           f"{svg[svg.find('<svg'):]}</figure>")
        return ('<div style="display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start">'
                + "".join(figures) + "</div>")

    def _repr_html_(self) -> str:
        return self.to_html()

    def slider(self) -> Any:
        """An ipywidgets box: play button + slider over the steps, caption, picture."""
        import ipywidgets as widgets
        from IPython.display import display

        last = len(self) - 1
        slider = widgets.IntSlider(value=0, min=0, max=last, description="step")
        play = widgets.Play(value=0, min=0, max=last, interval=1500)
        widgets.jslink((play, "value"), (slider, "value"))
        caption, out = widgets.HTML(), widgets.Output()

        def show(change: Any = None) -> None:
            caption.value = f"<b>{html.escape(self.caption(slider.value))}</b>"
            with out:
                out.clear_output(wait=True)
                display(self.drawing(slider.value))

        slider.observe(show, names="value")
        show()
        return widgets.VBox([widgets.HBox([play, slider]), caption, out])

    def _ipython_display_(self) -> None:
        from IPython.display import HTML, display

        if self.widget is not False and widgets_available():
            display(self.slider())
        else:
            display(HTML(self.to_html()))


def draw_backward_steps(*roots: Any, show_data: bool | None = None,
                        direction: str = "forward", legend: bool = True, rankdir: str = "LR",
                        widget: bool | None = None) -> BackwardStepper:
    """Step through the backward pass from ``roots`` (one ``Value``, or tensors).

    There is one frame per node the engine processes, in its order (``topological_order``).
    ``widget=False`` forces the static page of all frames instead of the slider. Nothing
    is written to your ``.grad``; the graph must still be alive (draw before ``backward()``,
    or use ``backward(retain_graph=True)``).
    """
    return BackwardStepper(*roots, show_data=show_data, direction=direction, legend=legend,
                           rankdir=rankdir, widget=widget)
