"""Graph pictures (``tinygrad_edu.viz``): compared as DOT text, never as SVG.

SVG depends on the graphviz version and the fonts installed; the DOT text we generate
does not. Golden files live in ``tests/golden/``. After an intended change, regenerate
them with ``UPDATE_GOLDEN=1 pytest tests/test_viz.py``, read the diff, and commit them.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import scalar
from tinygrad_edu.autograd import engine
from tinygrad_edu.scalar import Value
from tinygrad_edu.viz import (
    MAX_OPS,
    BackwardStepper,
    draw_backward_steps,
    draw_graph,
    draw_side_by_side,
)
from tinygrad_edu.viz import stepper as stepper_module

GOLDEN = Path(__file__).parent / "golden"
HAS_DOT = shutil.which("dot") is not None


def assert_golden(name: str, dot: str) -> None:
    """Compare DOT text with ``tests/golden/<name>.dot`` (or rewrite it: UPDATE_GOLDEN=1)."""
    path = GOLDEN / f"{name}.dot"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(dot, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"No golden file {path}. Create it with UPDATE_GOLDEN=1 pytest "
                    "tests/test_viz.py, check it, and commit it.")
    expected = path.read_text(encoding="utf-8")
    if dot != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), dot.splitlines(True),
                                            f"golden/{name}.dot", "now"))
        pytest.fail(f"The DOT text of {name!r} changed. If that is intended, regenerate with "
                    f"UPDATE_GOLDEN=1 pytest tests/test_viz.py and commit it.\n{diff}")


# ------------------------------------------------------------------ programs to draw
def value_program() -> tuple[Value, Value, Value]:
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    return a, b, (a * b + a).tanh()


def tensor_program() -> tuple[tg.Tensor, tg.Tensor]:
    a = tg.tensor([2.0, 3.0], requires_grad=True)
    a.name = "a"
    return a, (a * a).sum()


def mlp_program() -> tuple[list[tg.Tensor], tg.Tensor]:
    """A 3-layer MLP's training loss, weights named the way nn.Module will name them."""
    params = []
    x = tg.ones(5, 3)
    h = x
    for i, (n_in, n_out) in enumerate([(3, 4), (4, 4), (4, 2)]):
        w = tg.full((n_out, n_in), 0.1, requires_grad=True)
        b = tg.zeros(n_out, requires_grad=True)
        w.name, b.name = f"fc{i + 1}.weight", f"fc{i + 1}.bias"
        params += [w, b]
        h = h @ w.T + b
        if i < 2:
            h = h.relu()
    loss = ((h - tg.zeros(5, 2)) ** 2).mean()
    return params, loss


def chain(n_ops: int) -> Value:
    y = Value(1.0, label="x")
    for _ in range(n_ops):
        y = y.tanh()
    return y


# ------------------------------------------------------------------ golden pictures
def test_value_graph_golden() -> None:
    assert_golden("value_graph", draw_graph(value_program()[2]).source)


def test_value_graph_backward_view_golden() -> None:
    dot = draw_graph(value_program()[2], direction="backward", legend=False).source
    assert_golden("value_backward", dot)


def test_tensor_graph_golden() -> None:
    _, b = tensor_program()
    assert_golden("tensor_square_sum", draw_graph(b, show_data=True, show_grad=True).source)


def test_tensor_saved_golden() -> None:
    _, b = tensor_program()
    assert_golden("tensor_saved", draw_graph(b, show_saved=True, legend=False).source)


def test_mlp_collapsed_by_module_golden() -> None:
    _, loss = mlp_program()
    dot = draw_graph(loss, collapse="module").source
    assert_golden("mlp_collapsed", dot)
    for layer in ("fc1", "fc2", "fc3"):
        assert dot.count(f'"{layer}\\n') == 1, f"{layer} should be one box"
    assert "fc1.weight" not in dot and "MatMulBackward0" not in dot
    assert dot.count("ReluBackward0") == 2, "the relus are between modules, not inside"


def test_max_depth_golden() -> None:
    _, loss = mlp_program()
    dot = draw_graph(loss, max_depth=2, legend=False).source
    assert_golden("mlp_max_depth2", dot)
    assert "…" in dot and "max_depth=2" in dot


def test_stepper_frame_goldens() -> None:
    *_, y = value_program()
    assert_golden("stepper_value_step2", draw_backward_steps(y).drawing(1).source)
    _, b = tensor_program()
    assert_golden("stepper_tensor_step2", draw_backward_steps(b).drawing(1).source)


def test_side_by_side_golden() -> None:
    def f(x: Value) -> Value:
        return x * 2 if x.data > 0 else x.exp()

    dot = draw_side_by_side([f(Value(1.0, label="x")), f(Value(-1.0, label="x"))],
                            titles=["x > 0", "x <= 0"]).source
    assert_golden("side_by_side", dot)
    assert dot.count("subgraph cluster_") == 2


# ------------------------------------------------------------------ what the picture says
def test_same_program_same_dot_text() -> None:
    first = draw_graph(value_program()[2]).source
    second = draw_graph(value_program()[2]).source
    assert first == second
    _, loss1 = mlp_program()
    _, loss2 = mlp_program()
    assert draw_graph(loss1, show_saved=True).source == draw_graph(loss2, show_saved=True).source


def test_node_ids_follow_graph_order_not_memory() -> None:
    dot = draw_graph(value_program()[2]).source
    ids = [i for i in re.findall(r"^\t(\w+) \[", dot, flags=re.M) if i not in ("graph", "node")]
    assert ids[:-1] == [f"n{i}" for i in range(len(ids) - 1)] and ids[-1] == "legend"


def test_tensor_label_has_name_shape_dtype_device() -> None:
    _, b = tensor_program()
    dot = draw_graph(b).source
    assert '"a\\n(2,) float32 cpu\\ndata=[2., 3.]"' in dot, "small tensors show their values"
    assert "MulBackward0" in dot and "SumBackward0" in dot
    assert "grad=" not in dot, "no gradient lines before backward()"
    big = tg.ones(3, 3, requires_grad=True)  # 9 values: more than a box should hold
    big.name = "big"
    dot = draw_graph((big * 2).sum()).source
    assert '"big\\n(3, 3) float32 cpu"' in dot and "data=[" not in dot
    assert "data=[[" in draw_graph((big * 2).sum(), show_data=True).source
    assert "data=" not in draw_graph(b, show_data=False).source


def test_value_op_nodes_are_named_like_pytorch() -> None:
    x = Value(0.5, label="x")
    y = ((x * 2 + 1) / 3 - x) ** 2
    dot = draw_graph(y.exp().log().relu().sigmoid(), legend=False).source
    for name in ("MulBackward0\\n*", "AddBackward0\\n+", "DivBackward0\\n/", "SubBackward0\\n-",
                 "PowBackward0\\n**", "ExpBackward0\\nexp", "LogBackward0\\nlog",
                 "ReluBackward0\\nrelu", "SigmoidBackward0\\nsigmoid"):
        assert name in dot


def test_own_function_is_drawn_with_its_name() -> None:
    class Square(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 2 * x * grad

    a = tg.tensor([1.0, 2.0], requires_grad=True)
    dot = draw_graph(Square.apply(a).sum(), show_saved=True).source
    assert "SquareBackward" in dot and "orange" in dot


def test_saved_tensors_freed_after_backward_are_shown_as_freed() -> None:
    _, b = tensor_program()
    b.backward()
    assert "freed by backward()" in draw_graph(b, show_saved=True).source


def test_colours_and_legend() -> None:
    _, b = tensor_program()
    dot = draw_graph(b).source
    assert "lightblue" in dot and "darkolivegreen1" in dot and "lightgrey" in dot
    assert "legend [label=<<table" in dot
    assert "legend" not in draw_graph(b, legend=False).source


def test_backward_direction_reverses_data_arrows_only() -> None:
    _, b = tensor_program()
    forward = draw_graph(b, show_saved=True, legend=False).source
    backward = draw_graph(b, show_saved=True, direction="backward", legend=False).source
    assert "n1 -> n0" in forward and "n0 -> n1" in backward
    assert forward.count("dashed") == backward.count("dashed") == 2


def test_constants_are_white_and_have_no_grad_line() -> None:
    x = Value(1.0, label="x")
    dot = draw_graph(x * 3, legend=False).source
    assert 'label="data=3" color=grey50 fillcolor=white' in dot


def test_bad_arguments_explain_themselves() -> None:
    with pytest.raises(ValueError, match="Nothing to draw"):
        draw_graph()
    with pytest.raises(TypeError, match="not int"):
        draw_graph(3)
    with pytest.raises(ValueError, match="direction"):
        draw_graph(Value(1.0), direction="sideways")
    with pytest.raises(ValueError, match="collapse"):
        draw_graph(Value(1.0), collapse="layer")
    with pytest.raises(ValueError, match="one title each"):
        draw_side_by_side([Value(1.0), Value(2.0)], titles=["only one"])


def test_big_unsimplified_graph_warns_and_suggests_collapse_or_max_depth() -> None:
    with pytest.warns(UserWarning, match=r"collapse='module'.*max_depth"):
        draw_graph(chain(MAX_OPS + 1), simplify=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        draw_graph(chain(MAX_OPS), simplify=False)
        draw_graph(chain(MAX_OPS + 1), max_depth=10, simplify=False)
        draw_graph(chain(MAX_OPS + 1))  # simplified: the picture says so, no warning


def test_max_depth_on_a_100k_node_chain() -> None:
    dot = draw_graph(chain(100_000), max_depth=3).source
    assert dot.count("TanhBackward0") == 3 and "…" in dot


# ------------------------------------------------------------------ without graphviz's dot
def test_missing_dot_shows_install_command_and_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    drawing = draw_graph(value_program()[2])
    bundle = drawing._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain"}
    for text in bundle.values():
        assert "apt-get install graphviz" in text and "brew install graphviz" in text
        assert "conda install" in text
    assert drawing.source in bundle["text/plain"]
    assert "MulBackward0" in bundle["text/html"]
    assert "apt-get install graphviz" in draw_backward_steps(value_program()[2]).to_html()


@pytest.mark.skipif(not HAS_DOT, reason="graphviz's dot is not installed")
def test_with_dot_the_notebook_gets_svg() -> None:
    bundle = draw_graph(value_program()[2])._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"] and "<svg" in bundle["image/svg+xml"]


# ------------------------------------------------------------------ the backward stepper
def test_value_frames_follow_the_engine_and_end_with_its_grads() -> None:
    a, b, y = value_program()
    steps = draw_backward_steps(y)
    order = scalar.topological_order(y)
    assert len(steps) == len(order)
    assert [f.node for f in steps.frames] == order
    assert a.grad == 0.0 and b.grad == 0.0, "drawing must not run backward on your Values"
    last = steps.frames[-1].grads
    y.backward()
    g = steps.graph
    assert last[g.data_id(a)] == pytest.approx(a.grad)
    assert last[g.data_id(b)] == pytest.approx(b.grad)


def test_tensor_frames_match_the_engine_order_and_leave_grad_alone() -> None:
    params, loss = mlp_program()
    params[0].grad = tg.ones_like(params[0])  # an old gradient the learner has not zeroed
    steps = draw_backward_steps(loss)
    assert [f.node for f in steps.frames] == engine.topological_order([loss])
    assert len(steps) == len(engine.topological_order([loss]))
    assert params[0].grad.tolist() == tg.ones_like(params[0]).tolist()
    assert all(p.grad is None for p in params[1:])
    final = steps.frames[-1].grads
    for p in params:
        p.grad = None
    loss.backward()
    for p in params:
        np.testing.assert_allclose(final[steps.graph.data_id(p)], p.grad.array, rtol=1e-6,
                                   err_msg=f"the last frame's gradient of {p.name}")


def test_retain_grad_tensors_are_restored() -> None:
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    h = a * 3
    h.retain_grad()
    draw_backward_steps((h * h).sum())
    assert h.grad is None and a.grad is None


def test_stepper_captions_tell_the_story() -> None:
    _, b = tensor_program()
    steps = draw_backward_steps(b)
    captions = [steps.caption(k) for k in range(len(steps))]
    assert captions == [
        "step 1/3: SumBackward0 receives grad 1 and sends [1., 1.] to its inputs",
        "step 2/3: MulBackward0 receives grad [1., 1.] and sends [2., 3.], [2., 3.] to its inputs",
        "step 3/3: AccumulateGrad adds [4., 6.] into a.grad",
    ]


def test_stepper_needs_a_live_graph() -> None:
    *_, y = value_program()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        draw_backward_steps(y)
    _, b = tensor_program()
    b.backward()
    with pytest.raises(RuntimeError, match="before calling .backward()"):
        draw_backward_steps(b)
    _, b = tensor_program()
    b.backward(retain_graph=True)
    assert len(draw_backward_steps(b)) == 3


def test_stepper_rejects_outputs_without_grad() -> None:
    with pytest.raises(RuntimeError, match="requires_grad=True"):
        draw_backward_steps(tg.tensor([1.0, 2.0]).sum())


@pytest.mark.skipif(not HAS_DOT, reason="graphviz's dot is not installed")
def test_static_fallback_shows_every_frame_and_the_legend_once() -> None:
    import base64

    steps = draw_backward_steps(value_program()[2], widget=False)
    page = steps._repr_html_()
    assert page.count("<figcaption>") == len(steps)
    assert page.count('<figure class="tg-frame"') == len(steps)
    assert page.count("<img") == len(steps) + 1, "one picture per frame, plus the legend"
    assert "<script" not in page and "http" not in page, "no JavaScript, no network"
    svgs = [base64.b64decode(src).decode() for src in
            re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page)]
    assert sum("backward is here" in svg for svg in svgs) == 1, "the legend appears once"
    for k, svg in enumerate(svgs[1:]):
        assert svg.startswith("<svg") and "TanhBackward0" in svg
        assert f"<figcaption>{steps.caption(k)}</figcaption>" in page


def test_slider_steps_through_the_frames() -> None:
    steps = draw_backward_steps(value_program()[2])
    box = steps.slider()
    (play, slider), caption = box.children[0].children, box.children[1]
    assert slider.max == len(steps) - 1 and play.max == len(steps) - 1
    assert "step 1/" in caption.value
    slider.value = 2
    assert "step 3/" in caption.value


def shown(steps: BackwardStepper, monkeypatch: pytest.MonkeyPatch) -> list:
    import IPython.display

    out: list = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: out.extend(objs))
    monkeypatch.setattr(steps, "to_html", lambda: "<p>static</p>")
    steps._ipython_display_()
    return out


def test_widget_or_static_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    y = value_program()[2]
    bundle = shown(draw_backward_steps(y), monkeypatch)[-1]
    assert "application/vnd.jupyter.widget-view+json" in bundle, "the live slider"
    assert bundle["text/html"] == "<p>static</p>", "and, in the same output, the filmstrip"
    assert bundle["text/plain"].startswith("step 1/5: TanhBackward0"), "not 'VBox(...)'"
    forced = shown(draw_backward_steps(y, widget=False), monkeypatch)[-1]
    assert forced.data == "<p>static</p>"
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # import ipywidgets now fails
    assert not stepper_module.widgets_available()
    assert shown(draw_backward_steps(y), monkeypatch)[-1].data == "<p>static</p>"


def test_stepper_refuses_huge_graphs_with_advice() -> None:
    with pytest.raises(ValueError, match="smaller example"):
        draw_backward_steps(chain(2000))


def test_returns_a_plain_graphviz_digraph() -> None:
    import graphviz

    dot = draw_graph(value_program()[2])
    assert isinstance(dot, graphviz.Digraph)
    assert dot.copy().source == dot.source


def test_nn_parameters_are_named_and_folded_by_module_path() -> None:
    nn = pytest.importorskip("tinygrad_edu.nn")
    if not hasattr(nn, "Linear"):
        pytest.skip("tinygrad_edu.nn.Linear does not exist yet")

    class MLP(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc1, self.fc2, self.fc3 = nn.Linear(3, 4), nn.Linear(4, 4), nn.Linear(4, 2)

        def forward(self, x: tg.Tensor) -> tg.Tensor:
            return self.fc3(self.fc2(self.fc1(x).relu()).relu())

    loss = (MLP()(tg.ones(5, 3)) ** 2).mean()
    assert "fc1.weight" in draw_graph(loss).source
    dot = draw_graph(loss, collapse="module").source
    boxes = re.findall(r'label="(fc\d)\\n', dot)
    assert sorted(boxes) == ["fc1", "fc2", "fc3"], "one box per Linear"
    assert "weight (4, 3) float32" in dot and "fc1.weight" not in dot
    assert dot.count("ReluBackward0") == 2
