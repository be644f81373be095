"""The graded exercises of chapters 06-09: solutions earn every point, fresh exercises none.

The slow half grades each solution notebook and a freshly built exercise in real kernels,
as a teacher's `tinygrad-edu grade` would (one module fixture, two notebooks at a time).
The quick half runs the tasks' cases in this process: every reference passes its own cases
(hidden ones included), an untouched stub is "not attempted", the usual mistakes fail, and
the simulated GPU of chapter 07 always gives the real backend back.
"""

from __future__ import annotations

import importlib
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu.grading import get_task, grade_notebook, load_chapter
from tinygrad_edu.grading.build import build_one
from tinygrad_edu.grading.check import evaluate
from tinygrad_edu.grading.notebooks import notebook_bytes, read_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = {
    6: "06_dynamic_graphs.ipynb",
    7: "07_devices.ipynb",
    8: "08_neural_networks.ipynb",
    9: "09_debugging_gradients.ipynb",
}
MIN_TASKS = 4
device_module = importlib.import_module("tinygrad_edu.device")
F = tinygrad_edu.nn.functional


# ------------------------------------------------------------------ graded in fresh kernels
@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict:
    """{(chapter, "solution" | "exercise"): NotebookResult}; exercises built fresh here."""
    folder = tmp_path_factory.mktemp("fresh_exercises")
    jobs = []
    for chapter, name in NOTEBOOKS.items():
        fresh, _ = build_one(ROOT / "solutions" / name)
        (folder / name).write_bytes(fresh)
        jobs += [
            ((chapter, "solution"), ROOT / "solutions" / name),
            ((chapter, "exercise"), folder / name),
        ]

    def run(job):
        key, path = job
        return key, grade_notebook(path, cell_timeout=60, total_timeout=180)

    with ThreadPoolExecutor(max_workers=2) as pool:  # two at a time, as `grade --jobs 2`
        return dict(pool.map(run, jobs))


@pytest.mark.parametrize("chapter", NOTEBOOKS)
def test_the_solution_scores_100_percent(graded, chapter):
    result = graded[chapter, "solution"]
    assert result.chapter == chapter
    lost = [(t.task_id, t.status, t.message) for t in result.tasks if t.status != "passed"]
    assert result.score == result.max_score > 0, lost
    assert result.notes == [], "a cell of the solution failed"
    assert len(result.tasks) >= MIN_TASKS
    for t in result.tasks:
        visible = len(get_task(t.task_id).cases(hidden=False))
        assert t.passed == t.total > visible, f"{t.task_id}: hidden cases must run too"


@pytest.mark.parametrize("chapter", NOTEBOOKS)
def test_a_fresh_exercise_scores_zero_and_runs_top_to_bottom(graded, chapter):
    result = graded[chapter, "exercise"]
    assert result.score == 0
    assert {t.status for t in result.tasks} == {"not attempted"}, result.tasks
    assert result.notes == [], "a cell of the fresh exercise raised"


# ------------------------------------------------------------------------ quick, in-process
def test_each_chapter_has_enough_tasks_from_small_to_real():
    for chapter in NOTEBOOKS:
        tasks = load_chapter(chapter)
        assert len(tasks) >= MIN_TASKS, chapter
        assert max(t.points for t in tasks) > min(t.points for t in tasks), chapter
        for t in tasks:
            assert t.time_limit <= 5, f"{t.id}: keep checks quick"
            assert t.hint, f"{t.id} has no hint"
            assert any(c.hidden for c in t.cases(hidden=True)), f"{t.id} has no hidden case"


@pytest.mark.parametrize("task_id", [t.id for c in NOTEBOOKS for t in load_chapter(c)])
def test_the_reference_passes_every_case_and_a_stub_is_not_attempted(task_id):
    t = get_task(task_id)
    result = evaluate(t, t.reference, hidden=True)
    assert result.status == "passed", result.report()

    def stub(*args, **kwargs):
        raise NotImplementedError

    class Stub(tinygrad_edu.autograd.Function):  # a Function whose backward is still a stub
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, grad_output):
            raise NotImplementedError

    obj = Stub if task_id == "ch09.SiLU" else stub
    assert evaluate(t, obj, hidden=True).status == "not attempted"


@pytest.mark.parametrize("chapter", NOTEBOOKS)
def test_the_committed_exercise_is_the_fresh_build(chapter):
    fresh, _ = build_one(ROOT / "solutions" / NOTEBOOKS[chapter])
    assert fresh == build_one(ROOT / "solutions" / NOTEBOOKS[chapter])[0], "not deterministic"
    assert (ROOT / "exercises" / NOTEBOOKS[chapter]).read_bytes() == fresh, (
        "run: tinygrad-edu build-exercises"
    )
    solution = read_notebook(ROOT / "solutions" / NOTEBOOKS[chapter])
    assert notebook_bytes(solution) == (ROOT / "solutions" / NOTEBOOKS[chapter]).read_bytes()
    assert solution.metadata["tinygrad_edu"]["chapter"] == chapter


# ------------------------------------------------------------- the usual mistakes are caught
def _fails(task_id: str, answer) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. the broadcast warning of a buggy mse_loss
        result = evaluate(get_task(task_id), answer, hidden=True)
    assert result.status == "failed", result.report()
    return result.message


def test_ch06_mistakes():
    # .item() in the math cuts the graph: the learner is told why x.grad is missing
    message = _fails("ch06.huber", lambda x, delta=1.0: x * 0 + 0.5 * x.item() ** 2)
    assert "Wrong answer" in message or "exception" in message
    _fails("ch06.op_counts", lambda y: {"MulBackward0": 3})
    _fails("ch06.horner", lambda c, x: sum(c[i] * x**i for i in range(len(c))))  # uses **

    def accumulated(h, w):  # forgets that .grad adds up
        h.sum().backward(retain_graph=True)
        a = w.grad.clone()
        (h**2).mean().backward()
        return a, w.grad

    _fails("ch06.two_grads", accumulated)


def test_ch07_mistakes():
    _fails("ch07.pick_device", lambda: "cpu")
    _fails("ch07.to_same_device", lambda a, b: b.to(a))  # copies a's dtype as well
    _fails("ch07.to_same_device", lambda a, b: tinygrad_edu.tensor(b.numpy_host(), device=a.device))

    def no_eval(model, x):
        with tinygrad_edu.no_grad():
            return model(x.to(next(model.parameters()).device)).cpu().numpy()

    _fails("ch07.predict", no_eval)
    _fails("ch07.safe_device", lambda name: "cuda" if tinygrad_edu.cuda.is_available() else "cpu")


def test_the_simulated_gpu_always_gives_the_real_backend_back():
    real = device_module.backend("cuda")

    def crashes(a, b):
        raise ZeroDivisionError

    _fails("ch07.to_same_device", crashes)
    assert device_module.backend("cuda") is real
    from tinygrad_edu.grading.ch07 import machine

    with machine("gpu"):
        x = tinygrad_edu.ones(3, device="cuda")
        with pytest.raises(RuntimeError, match="same device"):
            x + tinygrad_edu.ones(3)
        assert tinygrad_edu.cuda.is_available()
    assert device_module.backend("cuda") is real


def test_ch08_mistakes():
    _fails(
        "ch08.cross_entropy",
        lambda z, t: -z.softmax(1).log()[tinygrad_edu.arange(len(t)), t].mean(),
    )

    def rebinds(params, lr):
        for p in params:
            if p.grad is not None:
                p = p.detach() - lr * p.grad  # a new tensor; the model's stays as it was

    _fails("ch08.sgd_step", rebinds)

    def two_passes(params, lr):  # a generator is empty on the second pass
        with tinygrad_edu.no_grad():
            for p in params:
                if p.grad is not None:
                    p -= lr * p.grad
            for p in params:
                p.grad = None

    _fails("ch08.sgd_step", two_passes)

    def tensors_kept(model, X, y, epochs, lr):
        opt = tinygrad_edu.optim.SGD(model.parameters(), lr=lr)
        losses = []
        for _ in range(epochs):
            opt.zero_grad()
            loss = F.cross_entropy(model(X), y)
            loss.backward()
            opt.step()
            losses.append(loss)
        return losses

    assert "Python floats" in _fails("ch08.train", tensors_kept)

    class NoParameters(tinygrad_edu.nn.Module):
        def __init__(self, n_in, n_out, bias=True):
            super().__init__()
            self.weight = tinygrad_edu.randn(n_out, n_in, requires_grad=True)  # not a Parameter
            self.bias = None

        def forward(self, x):
            return x @ self.weight.T

    _fails("ch08.Linear", NoParameters)


def test_ch09_mistakes():
    def trusting(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
        return True  # never compares backward with finite differences

    _fails("ch09.gradcheck", trusting)

    class Buggy(tinygrad_edu.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            s = x.sigmoid()
            ctx.save_for_backward(x, s)
            return x * s

        @staticmethod
        def backward(ctx, grad_output):
            x, s = ctx.saved_tensors
            return grad_output * s * (1 - s)

    _fails("ch09.SiLU", Buggy)
    _fails("ch09.clip_grad_hook", lambda t, m: t.register_hook(lambda g: g.clamp(-m, m)))

    def forgets_zero_grad(model, optimizer, x, y):
        loss = F.mse_loss(model(x).squeeze(1), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    def broadcasts(model, optimizer, x, y):
        optimizer.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    _fails("ch09.train_step", forgets_zero_grad)
    _fails("ch09.train_step", broadcasts)

    def reports_where_it_arrives(loss):  # the node that *received* the inf, one step late
        found = []

        def watch(node, grad_output, grad_inputs):
            if not found and not np.isfinite(grad_output).all():
                found.append(node.name())

        tinygrad_edu.autograd.backward(loss, on_step=watch)
        return found[0] if found else None

    _fails("ch09.first_nonfinite", reports_where_it_arrives)
