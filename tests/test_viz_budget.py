"""Graph pictures that never hang, show values, and fit the page (issue 17).

* the render budget: big graphs simplify themselves (loop bodies folded, busy boxes copied,
  far nodes cut) and say so; graphviz's ``dot`` has a time limit, runs in its own process
  group and is killed on timeout or interrupt, leaving nothing running;
* values: small tensors show data and grad; saved tensors carry PyTorch's names (checked
  against torch's ``grad_fn._saved_*`` attributes); a saved tensor already drawn is an arrow;
* the page: long chains run top to bottom; rendered pictures stay narrow enough that
  10 pt labels are at least 10 px in a JupyterLab cell.

Speed itself is measured in ``bench/bench_viz.py``, never asserted here: the time limits
below only make a hang fail instead of blocking the suite.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import signal
import subprocess
import threading
import warnings
from pathlib import Path

import pytest

import tinygrad_edu as tg
from tinygrad_edu.scalar import Value
from tinygrad_edu.viz import draw_backward_steps, draw_graph, render
from tinygrad_edu.viz.layout import MAX_WIDTH_PT
from tinygrad_edu.viz.saved import saved_values

HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="graphviz's dot is not installed")
HANG_S = 120  # dot's time limit in these tests: only a hang fails (speed: bench_viz.py)


# ------------------------------------------------------------------ graphs that used to hang
def dynamic_graphs_loop(steps: int = 333) -> tuple[tg.Tensor, tg.Tensor]:
    """Chapter 06's loop (dynamic graphs): one leaf ``x`` read by every other step."""
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    x.name = "x"
    y = x
    for i in range(steps):
        y = (y * 1.001).tanh() if i % 2 else y + x
    return x, y


def fan_in(n: int = 300) -> tg.Tensor:
    """One leaf used by ``n`` operations: sum of x * i."""
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    x.name = "x"
    total = x * 0.0
    for i in range(1, n):
        total = total + x * float(i)
    return total.sum()


def svg_width_pt(svg: str) -> float:
    return float(re.search(r'<svg width="([\d.]+)pt"', svg).group(1))


class RecordingPopen(subprocess.Popen):
    """``subprocess.Popen`` that remembers every process it started."""

    started: list[subprocess.Popen] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        RecordingPopen.started.append(self)


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[subprocess.Popen]:
    RecordingPopen.started = []
    monkeypatch.setattr(render.subprocess, "Popen", RecordingPopen)
    return RecordingPopen.started


def assert_gone(proc: subprocess.Popen) -> None:
    """The process has exited and been reaped, and its process group is empty."""
    assert proc.returncode is not None, "dot is still running"
    with pytest.raises(ProcessLookupError):
        os.kill(proc.pid, 0)
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)  # its own session: the group id is its pid


def dot_children() -> list[int]:
    """PIDs of ``dot`` processes whose parent is this test process."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().split()
        except OSError:
            continue
        if fields[1] == "(dot)" and int(fields[3]) == os.getpid():
            pids.append(int(fields[0]))
    return pids


# ------------------------------------------------------------------ 1. the render budget
@needs_dot
def test_dynamic_graphs_loop_simplifies_and_renders() -> None:
    _, y = dynamic_graphs_loop()
    drawing = draw_graph(y, timeout=HANG_S)
    dot = drawing.source
    assert "loop body × 165" in dot, "the repeated body (+ x, * 1.001, tanh) is drawn once"
    assert "ran 165 times" in dot and "simplify=False" in dot, "the picture says so"
    n_boxes = len(re.findall(r"^\s+\w+ \[label=", dot, flags=re.M))
    assert n_boxes < 30, f"{n_boxes} boxes: the loop was not folded"
    # every iteration is accounted for: 167 adds, 166 muls and tanhs, in and out of the frame
    bundle = drawing._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"], bundle.get("text/plain")
    assert "loop body × 165" in bundle["image/svg+xml"]


def test_folded_loop_keeps_every_operation_kind_and_the_leaf() -> None:
    x, y = dynamic_graphs_loop()
    dot = draw_graph(y).source
    for name in ("AddBackward0", "MulBackward0", "TanhBackward0"):
        assert name in dot
    assert dot.count('"x\\n(2,) float32 cpu') == 1, "x is drawn once"
    assert not re.search(r"subgraph cluster_loop1", dot), "one loop, one frame"


def test_small_loops_are_drawn_in_full() -> None:
    """A lesson's 3-step loop must show 3 steps: folding is for big graphs only."""
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    w = tg.tensor(0.5, requires_grad=True)
    y = x
    for _ in range(3):
        y = y * w
    dot = draw_graph(y.sum()).source
    assert dot.count("MulBackward0") == 3 and "cluster" not in dot and "Simplified" not in dot


def test_big_fan_in_folds_into_one_repeated_step() -> None:
    dot = draw_graph(fan_in(300)).source
    assert "× 299" in dot and dot.count("MulBackward0") <= 3


def test_busy_leaf_is_drawn_as_small_copies() -> None:
    dot = draw_graph(fan_in(30)).source  # small enough not to be folded
    assert "cluster" not in dot
    assert "used 30 times: drawn as copies" in dot
    assert dot.count("x\\n(2,) float32 cpu") == 1, "the full box once"
    assert 'label=x' in dot and "dashed" in dot, "copies: small, dashed, named"
    tails = re.findall(r"^\s+(\w+) -> \w+", dot, flags=re.M)
    assert max(tails.count(t) for t in set(tails)) <= 12, "no box pulls hundreds of edges"


def test_far_nodes_are_cut_with_a_note_saying_how_many() -> None:
    import random

    rng = random.Random(0)
    y = Value(0.5, label="x")
    for _ in range(2000):  # ~5,000 boxes, no loop body that repeats: random steps
        y = rng.choice([lambda v: (v * 1.0001).tanh(), lambda v: (v + 0.01).relu() + v * 0.5,
                        lambda v: v.exp() * 0.1, lambda v: v - 0.2])(y)
    y.label = "z"
    dot = draw_graph(y, max_nodes=300).source
    n_boxes = len(re.findall(r"^\s+\w+ \[label=", dot, flags=re.M))
    assert n_boxes <= 300 + 3, n_boxes  # + the "more" box, the note, the legend
    hidden = re.search(r"… ([\d,]+) more nodes:\\ndraw_graph\(z, max_nodes=(\d+)\)", dot)
    assert hidden, "the cut names how many nodes are hidden and how to see them"
    assert "data=" in draw_graph(y, max_nodes=10).source


def test_simplify_false_draws_every_node() -> None:
    _, y = dynamic_graphs_loop(400)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert draw_graph(y, simplify=False, max_depth=5).source.count("Backward0") == 5
    with pytest.warns(UserWarning, match="operations"):
        dot = draw_graph(y, simplify=False).source
    assert dot.count("TanhBackward0") == 200 and "cluster" not in dot


def test_bad_max_nodes_and_rankdir_explain_themselves() -> None:
    with pytest.raises(ValueError, match="max_nodes"):
        draw_graph(Value(1.0) * 2, max_nodes=0)
    with pytest.raises(ValueError, match="rankdir"):
        draw_graph(Value(1.0) * 2, rankdir="sideways")


# ------------------------------------------------------------------ dot: time limit, kill
@needs_dot
def test_slow_dot_is_killed_and_the_cell_offers_the_dot_text(recorded: list) -> None:
    _, y = dynamic_graphs_loop()
    drawing = draw_graph(y, simplify=False, timeout=0.5)  # takes minutes unsimplified
    bundle = drawing._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain"}
    assert "more than 0.5 s" in bundle["text/plain"] and "max_nodes" in bundle["text/plain"]
    link = re.search(r'<a download="graph.dot" href="data:text/vnd.graphviz;base64,([^"]+)"',
                     bundle["text/html"])
    assert link and base64.b64decode(link.group(1)).decode() == drawing.source
    assert len(recorded) == 1
    assert_gone(recorded[0])
    assert dot_children() == []


@needs_dot
def test_interrupted_render_leaves_no_dot_running(recorded: list) -> None:
    """The notebook's Interrupt button is SIGINT: dot must die with the call."""
    _, y = dynamic_graphs_loop()
    drawing = draw_graph(y, simplify=False, timeout=HANG_S)
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        bundle = drawing._repr_mimebundle_()
    except KeyboardInterrupt:  # only if the signal came outside the render: fail clearly
        pytest.fail("the interrupt was not handled by the render")
    finally:
        timer.cancel()
    assert "interrupted" in bundle["text/plain"] and "download" in bundle["text/html"]
    assert len(recorded) == 1
    assert_gone(recorded[0])
    assert dot_children() == []


@needs_dot
def test_run_dot_passes_the_interrupt_on_after_killing_dot(recorded: list) -> None:
    _, y = dynamic_graphs_loop()
    source = draw_graph(y, simplify=False).source
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            render.run_dot(source, timeout=HANG_S)
    finally:
        timer.cancel()
    assert_gone(recorded[0])


# ------------------------------------------------------------------ 2. values in the picture
def test_small_tensors_show_data_and_after_backward_grad() -> None:
    a = tg.tensor([2.0, 3.0], requires_grad=True)
    a.name = "a"
    h = a * a
    h.name = "h"
    loss = h.sum()
    before = draw_graph(loss).source
    assert "data=[2., 3.]" in before and "data=[4., 9.]" in before and "data=13" in before
    assert "grad" not in before.replace("requires grad", "")
    loss.backward()
    after = draw_graph(loss).source
    assert '"a\\n(2,) float32 cpu\\ndata=[2., 3.]\\ngrad=[4., 6.]"' in after
    assert after.count("grad=None: not kept\\n(retain_grad() keeps it)") == 2, "h and loss"
    assert "grad=None\"" not in after


def test_retain_grad_keeps_the_intermediate_grad_in_the_picture() -> None:
    a = tg.tensor([2.0, 3.0], requires_grad=True)
    h = a * a
    h.retain_grad()
    loss = h.sum()
    loss.backward()
    dot = draw_graph(loss).source
    assert "data=[4., 9.]\\ngrad=[1., 1.]" in dot
    assert dot.count("not kept") == 1, "only the loss"


TORCH_CASES = {
    "mul": lambda x, w: x * w,
    "mul_number": lambda x, w: x * 2.0,
    "div": lambda x, w: x / w,
    "pow_number": lambda x, w: x**2,
    "pow_tensor": lambda x, w: x**w,
    "exp": lambda x, w: x.exp(),
    "log": lambda x, w: x.log(),
    "tanh": lambda x, w: x.tanh(),
    "sigmoid": lambda x, w: x.sigmoid(),
    "sqrt": lambda x, w: x.sqrt(),
    "abs": lambda x, w: x.abs(),
    "mm": lambda x, w: x.reshape(1, 2) @ x.reshape(2, 1),
    "mv": lambda x, w: x.reshape(1, 2) @ x,
    "dot": lambda x, w: x @ x,
    "maximum": lambda x, w: tg.maximum(x, x * w) if hasattr(tg, "maximum") else x * w,
}


@pytest.mark.parametrize("case", sorted(TORCH_CASES))
def test_saved_names_are_pytorch_saved_attribute_names(case: str) -> None:
    """Every name we give a saved value is one of torch's ``grad_fn._saved_<name>``."""
    torch = pytest.importorskip("torch")
    fn = TORCH_CASES[case]
    x, w = tg.tensor([2.0, 3.0], requires_grad=True), tg.tensor(2.0, requires_grad=True)
    y = fn(x, w)
    tx = torch.tensor([2.0, 3.0], requires_grad=True)
    tw = torch.tensor(2.0, requires_grad=True)
    ty = fn(tx, tw) if case != "maximum" else torch.maximum(tx, tx * tw)
    assert y.grad_fn.name() == ty.grad_fn.name()
    ours = [name for name, _ in saved_values(y.grad_fn, y)]
    theirs = {a[len("_saved_"):] for a in dir(ty.grad_fn) if a.startswith("_saved_")}
    assert ours and set(ours) <= theirs, f"{y.grad_fn.name()}: {ours} not in torch's {theirs}"


def test_saved_tensor_that_is_drawn_is_an_arrow_not_a_box() -> None:
    a = tg.tensor([2.0, 3.0], requires_grad=True)
    a.name = "a"
    b = a**2
    dot = draw_graph(b, show_saved=True, legend=False).source
    assert re.search(r"n\d+ -> n1 \[label=self color=darkorange constraint=false", dot)
    assert "label=result" not in dot, "x ** 2 saves self and exponent only, as in torch"
    boxes = re.findall(r'label="([^"]*)" fillcolor=orange', dot)
    assert boxes == ["exponent\\n() int64\\n2"], "only the number 2 gets its own box"
    c = a.exp()
    dot = draw_graph(c, show_saved=True, legend=False).source
    assert re.search(r"n0 -> n1 \[label=result color=darkorange", dot), "c itself is saved"


def test_saved_box_of_an_array_not_drawn_has_its_name() -> None:
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 3).exp()
    dot = draw_graph(y.sum(), show_saved=True).source
    assert "label=result" in dot and "other\\n() int64\\n3" in dot


def test_custom_function_saved_tensor_is_recognised_as_the_result() -> None:
    class MyExp(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y

    x = tg.tensor([0.0, 1.0], requires_grad=True)
    out = MyExp.apply(x)
    assert [n for n, _ in saved_values(out.grad_fn, out)] == ["result"]


# ------------------------------------------------------------------ 3. fit the page
def test_long_chains_run_top_to_bottom_and_short_graphs_left_to_right() -> None:
    y = Value(1.0, label="x")
    for _ in range(30):
        y = y.tanh()
    assert "rankdir=TB" in draw_graph(y).source
    assert "rankdir=LR" in draw_graph(Value(1.0, label="x") * 2).source
    assert "rankdir=LR" in draw_graph(y, rankdir="LR").source, "an explicit choice wins"


def mlp_loss() -> tg.Tensor:
    nn = pytest.importorskip("tinygrad_edu.nn")
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(),
                          nn.Linear(16, 2))
    for name, p in model.named_parameters():
        p.name = name
    x = tg.randn(300, 2)
    target = tg.tensor([i % 2 for i in range(300)])
    return nn.CrossEntropyLoss()(model(x), target)


@needs_dot
@pytest.mark.parametrize("case", ["mlp", "mlp_collapsed", "chain", "loop", "fan_in", "scalar"])
def test_rendered_pictures_fit_a_notebook_cell(case: str) -> None:
    """At most MAX_WIDTH_PT wide: shrunk to a ~900 px cell, 10 pt labels stay >= 10 px."""
    if case == "mlp":
        drawing = draw_graph(mlp_loss())
    elif case == "mlp_collapsed":
        drawing = draw_graph(mlp_loss(), collapse="module")
    elif case == "chain":
        y = tg.tensor([1.0, 2.0], requires_grad=True)
        for _ in range(60):
            y = y.tanh()
        drawing = draw_graph(y)
    elif case == "loop":
        drawing = draw_graph(dynamic_graphs_loop()[1])
    elif case == "fan_in":
        drawing = draw_graph(fan_in(300))
    else:
        a, b = Value(2.0, label="a"), Value(-3.0, label="b")
        c, f = Value(10.0, label="c"), Value(-2.0, label="f")
        drawing = draw_graph((a * b + c) * f)
    svg = render.run_dot(drawing.source, timeout=HANG_S).decode()
    assert svg_width_pt(svg) <= MAX_WIDTH_PT, f"{case}: {svg_width_pt(svg)} pt wide"


# ------------------------------------------------------------------ 4. the stepper, statically
@needs_dot
def test_stepper_filmstrip_uses_small_tensor_values_and_one_dot_run(recorded: list) -> None:
    a = tg.tensor([2.0, 3.0], requires_grad=True)
    a.name = "a"
    steps = draw_backward_steps((a * a).sum(), widget=False)
    page = steps.to_html()
    assert len(recorded) == 1, "all frames and the legend come from one dot process"
    assert page.count("<figcaption>") == len(steps) == 3
    svgs = [base64.b64decode(s).decode() for s in
            re.findall(r'base64,([^"]+)"', page)]
    assert "data=[2., 3.]" in svgs[-1] and "grad=[4., 6.]" in svgs[-1]


def test_fit_width_shrinks_only_wide_pictures_and_keeps_the_aspect_ratio() -> None:
    wide = '<svg width="1260pt" height="400pt"\n viewBox="0.00 0.00 1260.00 400.00">'
    fitted = render.fit_width(wide, 630)
    assert fitted.startswith('<svg width="630pt" height="200pt"')
    assert 'viewBox="0.00 0.00 1260.00 400.00"' in fitted, "the drawing itself is unchanged"
    narrow = '<svg width="300pt" height="400pt" viewBox="0 0 300 400">'
    assert render.fit_width(narrow, 630) == narrow
