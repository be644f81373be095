"""The graded exercises of chapter 10 (convolutions): the solution earns every point, a fresh
exercise none, and the usual mistakes are caught.

The slow half grades the solution notebook and a freshly built exercise in real kernels, as a
teacher's `tinygrad-edu grade` would. The quick half runs the tasks in this process: each
reference passes its own cases (hidden ones included) and agrees with PyTorch, an untouched
stub is "not attempted", and wrong answers fail.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from tinygrad_edu.grading import ch10 as reference
from tinygrad_edu.grading import get_task, grade_notebook, load_chapter
from tinygrad_edu.grading.build import build_one
from tinygrad_edu.grading.check import evaluate
from tinygrad_edu.grading.notebooks import notebook_bytes, read_notebook

ROOT = Path(__file__).resolve().parents[1]
NAME = "10_convolutions.ipynb"


# ------------------------------------------------------------------ graded in fresh kernels
@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("fresh_exercise")
    fresh, _ = build_one(ROOT / "solutions" / NAME)
    (folder / NAME).write_bytes(fresh)
    return {
        "solution": grade_notebook(ROOT / "solutions" / NAME, cell_timeout=60, total_timeout=180),
        "exercise": grade_notebook(folder / NAME, cell_timeout=60, total_timeout=180),
    }


def test_the_solution_scores_100_percent(graded):
    result = graded["solution"]
    assert result.chapter == 10
    assert result.score == result.max_score > 0, result.tasks
    assert result.notes == [], "a cell of the solution failed"
    assert {t.task_id for t in result.tasks} == {t.id for t in load_chapter(10)}
    for t in result.tasks:
        visible = len(get_task(t.task_id).cases(hidden=False))
        assert t.passed == t.total > visible, f"{t.task_id}: hidden cases must run too"


def test_a_fresh_exercise_scores_zero_and_runs_top_to_bottom(graded):
    result = graded["exercise"]
    assert result.score == 0
    assert {t.status for t in result.tasks} == {"not attempted"}, result.tasks
    assert result.notes == [], "a cell of the fresh exercise raised"


# ------------------------------------------------------------------------ quick, in-process
def test_the_tasks_go_from_small_to_real():
    tasks = load_chapter(10)
    assert [t.id for t in tasks] == ["ch10.conv_output_size", "ch10.im2col", "ch10.conv2d",
                                     "ch10.max_pool_backward", "ch10.read_graph"]
    assert max(t.points for t in tasks) > min(t.points for t in tasks)
    for t in tasks:
        assert t.time_limit <= 5 and t.hint
        assert any(c.hidden for c in t.cases(hidden=True)), f"{t.id} has no hidden case"


@pytest.mark.parametrize("task_id", [t.id for t in load_chapter(10)])
def test_the_reference_passes_every_case_and_a_stub_is_not_attempted(task_id):
    t = get_task(task_id)
    assert evaluate(t, t.reference, hidden=True).status == "passed"

    def stub(*args, **kwargs):
        raise NotImplementedError

    assert evaluate(t, stub, hidden=True).status == "not attempted"


def test_the_references_agree_with_torch():
    """The references are the spec the learner is graded against: check them against torch."""
    rng = np.random.default_rng(0)
    for n, k, s, p, d in [(8, 3, 1, 0, 1), (7, 2, 2, 0, 1), (32, 5, 3, 2, 2), (1, 1, 4, 4, 1)]:
        y = torch.nn.functional.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k),
                                       stride=s, padding=p, dilation=d)
        assert reference._conv_output_size(n, k, s, p, d) == y.shape[-1]
    for case in get_task("ch10.conv2d").cases(hidden=True):
        x, w, b = case.args
        y = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w),
                                       None if b is None else torch.tensor(b), **case.kwargs)
        np.testing.assert_allclose(reference._conv2d(*case.args, **case.kwargs), y.numpy(),
                                   atol=1e-10)
    for case in get_task("ch10.max_pool_backward").cases(hidden=True):
        x, g, k = case.args
        xt = torch.tensor(x, requires_grad=True)
        torch.nn.functional.max_pool2d(xt, k).backward(torch.tensor(g))
        np.testing.assert_array_equal(reference._max_pool_backward(x, g, k), xt.grad.numpy())
    conv = torch.nn.Conv2d(1, 2, 2)
    loss = torch.nn.functional.max_pool2d(torch.relu(conv(torch.arange(16.0).reshape(1, 1, 4, 4))),
                                          2).sum()
    names, todo = [], [loss.grad_fn]
    while todo:
        node = todo.pop()
        names.append(node.name())
        todo += [n for n, _ in node.next_functions if n is not None]
    assert reference._graph_answers() == {
        "operations": sorted(n for n in names if n != "torch::autograd::AccumulateGrad"),
        "accumulate_grad_nodes": names.count("torch::autograd::AccumulateGrad"),
    }
    x = rng.standard_normal((2, 3, 7, 6))
    unfolded = torch.nn.functional.unfold(torch.tensor(x), 3, stride=2)  # (N, C*k*k, L)
    np.testing.assert_array_equal(reference._im2col(x, 3, 2),
                                  unfolded.permute(1, 0, 2).reshape(27, -1).numpy())


def test_the_committed_exercise_is_the_fresh_build():
    fresh, _ = build_one(ROOT / "solutions" / NAME)
    assert fresh == build_one(ROOT / "solutions" / NAME)[0], "not deterministic"
    assert (ROOT / "exercises" / NAME).read_bytes() == fresh, "run: tinygrad-edu build-exercises"
    solution = read_notebook(ROOT / "solutions" / NAME)
    assert notebook_bytes(solution) == (ROOT / "solutions" / NAME).read_bytes()
    assert solution.metadata["tinygrad_edu"]["chapter"] == 10


# ------------------------------------------------------------- the usual mistakes are caught
def _fails(task_id: str, answer) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = evaluate(get_task(task_id), answer, hidden=True)
    assert result.status == "failed", result.report()
    return result.message


def test_ch10_mistakes():
    _fails("ch10.conv_output_size", lambda n, k, stride=1, padding=0, dilation=1:
           (n + 2 * padding - k) // stride + 1)  # forgets the dilation
    _fails("ch10.conv_output_size", lambda n, k, stride=1, padding=0, dilation=1:
           (n + padding - dilation * (k - 1) - 1) // stride + 1)  # pads one side only

    def rows_are_windows(x, k, stride=1):  # the transpose of the contract
        return reference._im2col(x, k, stride).T

    _fails("ch10.im2col", rows_are_windows)

    def window_major(x, k, stride=1):  # (k, k, C) order inside a column instead of (C, k, k)
        c = x.shape[1]
        cols = reference._im2col(x, k, stride)
        return cols.reshape(c, k * k, -1).transpose(1, 0, 2).reshape(c * k * k, -1)

    _fails("ch10.im2col", window_major)

    def no_transpose(x, weight, bias=None, stride=1, padding=0):  # (O, N) axes not swapped back
        y = reference._conv2d(x, weight, bias, stride, padding)
        return y.transpose(1, 0, 2, 3).reshape(y.shape)

    _fails("ch10.conv2d", no_transpose)

    def correlate_flipped(x, weight, bias=None, stride=1, padding=0):  # "true" convolution
        return reference._conv2d(x, weight[:, :, ::-1, ::-1].copy(), bias, stride, padding)

    _fails("ch10.conv2d", correlate_flipped)

    def last_max(x, grad, k):  # ties go to the last maximum
        out = np.zeros(x.shape)
        for n in range(grad.shape[0]):
            for c in range(grad.shape[1]):
                for i in range(grad.shape[2]):
                    for j in range(grad.shape[3]):
                        w = x[n, c, i * k:(i + 1) * k, j * k:(j + 1) * k].reshape(-1)
                        a, b = divmod(len(w) - 1 - int(np.argmax(w[::-1])), k)
                        out[n, c, i * k + a, j * k + b] += grad[n, c, i, j]
        return out

    _fails("ch10.max_pool_backward", last_max)

    def spread_like_average(x, grad, k):
        return np.kron(grad, np.ones((k, k))) / (k * k) if x.shape[2] % k == 0 else None

    _fails("ch10.max_pool_backward", spread_like_average)
