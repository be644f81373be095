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

from tinygrad_edu import parts
from tinygrad_edu.grading import ch10 as reference
from tinygrad_edu.grading import get_task, grade_notebook, load_chapter
from tinygrad_edu.grading.build import build_one
from tinygrad_edu.grading.check import evaluate
from tinygrad_edu.grading.notebooks import notebook_bytes, read_notebook
from tinygrad_edu.ops import windows
from tinygrad_edu.parts import ch10 as parts_ch10

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
    assert [t.id for t in tasks] == ["ch10.conv_output_size", "ch10.read_graph", "ch10.im2col",
                                     "ch10.conv2d_forward", "ch10.max_pool_backward"]
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


def test_the_definitions_the_parts_are_tested_against_agree_with_torch():
    """The parts' tests compare with convolution and pooling written as loops: check those
    loops (and the other tasks' references) against torch."""
    rng = np.random.default_rng(0)
    for n, k, s, p, d in [(8, 3, 1, 0, 1), (7, 2, 2, 0, 1), (32, 5, 3, 2, 2), (1, 1, 4, 4, 1)]:
        y = torch.nn.functional.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k),
                                       stride=s, padding=p, dilation=d)
        assert reference._conv_output_size(n, k, s, p, d) == y.shape[-1]
    for stride, padding, dilation, groups in [(1, 0, 1, 1), (2, 1, 1, 2), (1, 2, 2, 4)]:
        x, w, b = (rng.standard_normal(s) for s in [(2, 4, 7, 6), (4, 4 // groups, 3, 2), (4,)])
        want = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), torch.tensor(b),
                                          stride, padding, dilation, groups)
        pads = (padding,) * 4
        got = parts_ch10._conv_loops(x, w, b, (stride,) * 2, pads, (dilation,) * 2, groups)
        np.testing.assert_allclose(got, want.numpy(), atol=1e-10)
    for shape, k, s in [((2, 3, 6, 6), 2, 2), ((1, 2, 7, 5), 3, 1), ((1, 1, 4, 4), 2, 2)]:
        x = rng.integers(0, 3, shape).astype(np.float64)  # ties
        xt = torch.tensor(x, requires_grad=True)
        y = torch.nn.functional.max_pool2d(xt, k, s)
        g = rng.standard_normal(tuple(y.shape))
        y.backward(torch.tensor(g))
        np.testing.assert_array_equal(parts_ch10._max_pool_grad_loops(x, g, k, s), xt.grad)
    x = rng.standard_normal((2, 3, 7, 6))
    unfolded = torch.nn.functional.unfold(torch.tensor(x), (3, 2), dilation=(1, 2), stride=2)
    cols = parts_ch10._im2col_loops(x, (3, 2), (2, 2), (1, 2), (3, 2))
    np.testing.assert_array_equal(cols, unfolded.numpy())
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

    im2col = parts.reference("ops.windows.im2col")

    def tap_major(x, kernel, stride, dilation, out):  # rows (a, b, c) instead of (c, a, b)
        n, c = x.shape[:2]
        cols = im2col(x, kernel, stride, dilation, out)
        taps = kernel[0] * kernel[1]
        return cols.reshape(n, c, taps, -1).transpose(0, 2, 1, 3).reshape(n, c * taps, -1)

    _fails("ch10.im2col", tap_major)
    _fails("ch10.im2col", lambda x, kernel, stride, dilation, out:  # forgets the dilation
           im2col(x, kernel, stride, (1, 1), out))

    conv = parts.reference("ops.conv.conv2d_forward")

    def flipped(x, weight, bias, stride, padding, dilation, groups):  # "true" convolution
        return conv(x, weight[:, :, ::-1, ::-1].copy(), bias, stride, padding, dilation, groups)

    _fails("ch10.conv2d_forward", flipped)
    _fails("ch10.conv2d_forward", lambda x, weight, bias, stride, padding, dilation, groups:
           conv(x, weight, None, stride, padding, dilation, groups))  # forgets the bias

    def one_group(x, weight, bias, stride, padding, dilation, groups):  # ignores groups
        weight = np.concatenate([weight] * groups, axis=1) / groups
        return conv(x, weight, bias, stride, padding, dilation, 1)

    _fails("ch10.conv2d_forward", one_group)

    def every_tie(grad, taps, y, padded_shape, kernel, stride, dilation):  # ties share
        image = np.zeros(padded_shape, dtype=grad.dtype)
        for t, pixels in enumerate(taps):
            rows, columns = windows.tap_slices(t // kernel[1], t % kernel[1], stride, dilation,
                                               grad.shape[2:])
            image[:, :, rows, columns] += grad * (pixels == y)
        return image

    _fails("ch10.max_pool_backward", every_tie)

    def last_tie(grad, taps, y, padded_shape, kernel, stride, dilation):  # the last max wins
        image = np.zeros(padded_shape, dtype=grad.dtype)
        left = grad
        for t in reversed(range(len(taps))):
            rows, columns = windows.tap_slices(t // kernel[1], t % kernel[1], stride, dilation,
                                               grad.shape[2:])
            image[:, :, rows, columns] += np.where(taps[t] == y, left, 0)
            left = np.where(taps[t] == y, 0, left)
        return image

    _fails("ch10.max_pool_backward", last_tie)
