"""Step through the backward pass: one picture per node, in the engine's own order.

In JupyterLab the stepper is a slider (and a play button) over the frames. Its output also
carries a static *filmstrip*: every frame as a picture with its caption, the legend once,
plain HTML with no JavaScript and no network. Whatever cannot run widgets shows that
instead: GitHub, nbviewer, an ``nbconvert --to html`` export, a notebook reopened without
its kernel. Without ``ipywidgets``, or with ``widget=False``, the filmstrip is all there is.
In every frame:

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

import base64
import html
from typing import Any

import graphviz

from tinygrad_edu.viz.dot import MARKS, add_legend, new_drawing, to_digraph
from tinygrad_edu.viz.draw import as_roots
from tinygrad_edu.viz.frames import Frame, backward_frames
from tinygrad_edu.viz.graph import DATA_KINDS, Graph, Node, walk
from tinygrad_edu.viz.labels import array_text, data_label, is_small, number_text
from tinygrad_edu.viz.layout import choose_rankdir
from tinygrad_edu.viz.render import (
    DOT_TIMEOUT_S,
    DotTimeout,
    Drawing,
    fit_width,
    missing_dot_bundle,
    run_dot,
    stopped_bundle,
)

FRAME_STYLE = "margin:0;padding:4px;border:1px solid #ddd;max-width:100%"


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
                 direction: str = "forward", legend: bool = True, rankdir: str | None = None,
                 widget: bool | None = None, timeout: float = DOT_TIMEOUT_S) -> None:
        self.roots = as_roots(roots)
        self.show_data = show_data  # None: values of Values and of small tensors
        self.graph: Graph = walk(self.roots, show_data=show_data)
        self.frames: list[Frame] = backward_frames(self.roots, self.graph)
        self.legend = legend
        self.options = {"direction": direction,
                        "rankdir": choose_rankdir(self.frame_graph(len(self.frames) - 1),
                                                  rankdir, legend=False)}
        self.widget = widget  # None: a slider if ipywidgets works; False: always static
        self.timeout = timeout

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

    def frame_graph(self, k: int) -> Graph:
        """The graph with every box's gradient as known after step ``k`` (``?``: not yet)."""
        frame = self.frames[k]
        nodes = []
        for node in self.graph.nodes:
            x = node.obj
            if node.kind in DATA_KINDS:
                data = is_small(x) if self.show_data is None else self.show_data
                grad = frame.grads.get(node.id, "?")
                node = Node(node.id, node.kind, data_label(x, data, bool(x.requires_grad), grad),
                            x, node.name)
            nodes.append(node)
        return Graph(nodes, self.graph.edges, self.graph.ids)

    def marks(self, k: int) -> dict[str, str]:
        """Node id -> "current" / "done" / "fresh" for the picture of step ``k``."""
        frame = self.frames[k]
        kinds = {n.id: n.kind for n in self.graph.nodes}
        marks = {f.current: "done" for f in self.frames[:k] if kinds.get(f.current) == "op"}
        marks.update({nid: "fresh" for nid in frame.fresh})
        if frame.current is not None:
            marks[frame.current] = "current"
        return marks

    def drawing(self, k: int, legend: bool | None = None, title: bool = True) -> Drawing:
        """The picture of step ``k`` (with the legend unless ``legend=False``)."""
        drawing = to_digraph(self.frame_graph(k), marks=self.marks(k),
                             title=f"step {k + 1}/{len(self)}: {self.frames[k].name}"
                             if title else None,
                             legend=self.legend if legend is None else legend,
                             **self.options)
        drawing.timeout = self.timeout
        return drawing

    def legend_drawing(self) -> Drawing:
        """The legend alone: every colour and mark any frame uses (shown once)."""
        dg = new_drawing(self.options["rankdir"])
        add_legend(dg, [n.kind for n in self.graph.nodes] + list(MARKS),
                   vertical=False)
        return dg

    def to_html(self) -> str:
        """The static filmstrip: the legend once, then every frame with its caption.

        Plain HTML and ``<img>`` tags with ``data:`` URLs: no JavaScript, no network, and
        nothing a notebook sanitizer strips. All pictures come from one ``dot`` run.
        """
        drawings = [self.drawing(k, legend=False, title=False) for k in range(len(self))]
        if self.legend:
            drawings.insert(0, self.legend_drawing())
        source = "\n".join(d.source for d in drawings)
        try:
            svgs = [fit_width(svg) for svg in
                    split_svgs(run_dot(source, "svg", self.timeout * 2).decode("utf-8"))]
        except graphviz.ExecutableNotFound:
            return missing_dot_bundle(drawings[-1].source)["text/html"]
        except DotTimeout as err:
            return stopped_bundle(source, str(err))["text/html"]
        except KeyboardInterrupt:
            return stopped_bundle(source, "interrupted")["text/html"]
        legend = f'<div class="tg-legend">{svg_img(svgs.pop(0), "legend")}</div>' \
            if self.legend else ""
        figures = [f'<figure class="tg-frame" style="{FRAME_STYLE}">'
                   f"<figcaption>{html.escape(self.caption(k))}</figcaption>"
                   f"{svg_img(svg, self.caption(k))}</figure>" for k, svg in enumerate(svgs)]
        return ('<div class="tg-backward-steps">' + legend +
                '<div style="display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start">'
                + "".join(figures) + "</div></div>")

    def _repr_html_(self) -> str:
        return self.to_html()

    def text_summary(self) -> str:
        """The captions, one per line: the plain-text form of the stepper."""
        return "\n".join(self.caption(k) for k in range(len(self)))

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
        """The slider, with the filmstrip in the same output for static renders."""
        from IPython.display import HTML, display

        if self.widget is not False and widgets_available():
            bundle = dict(self.slider()._repr_mimebundle_())
            bundle["text/html"] = self.to_html()
            bundle["text/plain"] = self.text_summary()
            display(bundle, raw=True)
        else:
            display(HTML(self.to_html()))


def split_svgs(text: str) -> list[str]:
    """The SVG documents ``dot`` wrote one after another, each from its ``<svg`` tag on."""
    parts = text.split("<svg")[1:]
    return ["<svg" + part[:part.rfind("</svg>") + len("</svg>")] for part in parts]


def svg_img(svg: str, alt: str) -> str:
    """An ``<img>`` showing ``svg`` from a data: URL, no wider than the page."""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f'<img alt="{html.escape(alt)}" style="max-width:100%;height:auto" '
            f'src="data:image/svg+xml;base64,{data}">')


def draw_backward_steps(*roots: Any, show_data: bool | None = None,
                        direction: str = "forward", legend: bool = True,
                        rankdir: str | None = None, widget: bool | None = None,
                        timeout: float = DOT_TIMEOUT_S) -> BackwardStepper:
    """Step through the backward pass from ``roots`` (one ``Value``, or tensors).

    There is one frame per node the engine processes, in its order (``topological_order``).
    ``widget=False`` forces the static page of all frames instead of the slider. Nothing
    is written to your ``.grad``; the graph must still be alive (draw before ``backward()``,
    or use ``backward(retain_graph=True)``). ``show_data=None`` shows the values of small
    tensors; ``rankdir=None`` picks the direction that fits the page.
    """
    return BackwardStepper(*roots, show_data=show_data, direction=direction, legend=legend,
                           rankdir=rankdir, widget=widget, timeout=timeout)
