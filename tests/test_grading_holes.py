"""Holes found in a review of every task (issue #16), each closed with a sneaky answer that
must fail; and the nudges: a failed case names its concept, a classic mistake is recognised.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_edu as torch
from tinygrad_edu import scalar
from tinygrad_edu.grading.check import evaluate
from tinygrad_edu.grading.graph_reading import ALL_ASKED
from tinygrad_edu.grading.mistakes import classic_mistake
from tinygrad_edu.grading.tasks import get_task, load_chapter


def _run(task_id: str, obj, hidden: bool = True):
    return evaluate(get_task(task_id), obj, hidden=hidden)


# ---------------------------------------------------------------- tolerance too loose
def _conv2d_in_float32(x, weight, bias, stride, padding, dilation, groups):
    """The right convolution, computed in float32 and cast back to float64."""
    from tinygrad_edu import parts

    reference = parts.reference("ops.conv.conv2d_forward")
    b = None if bias is None else bias.astype(np.float32)
    y, cols = reference(x.astype(np.float32), weight.astype(np.float32), b, stride, padding,
                        dilation, groups)
    return y.astype(x.dtype), cols.astype(x.dtype)


def test_a_sum_off_in_the_seventh_digit_fails_ch00_add():
    assert _run("ch00.add", lambda a, b: a + b + 1e-7 * abs(a + b)).status == "failed"
    assert _run("ch00.add", lambda a, b: a + b).status == "passed"


def test_a_float32_detour_fails_a_float64_convolution():
    assert _run("ch10.conv2d_forward", _conv2d_in_float32).status == "failed"


# ---------------------------------------------------------------- "don't modify the input"
def _square_and_nudge_input(x):
    y = x * x
    if x.dtype.kind == "f":
        x += 1e-12  # below any tolerance, and still a changed input
    return y


def test_an_input_changed_below_the_tolerance_is_still_a_changed_input():
    result = _run("ch00.square_all", _square_and_nudge_input)
    assert result.status == "failed" and "changed its input" in result.message
    assert "left as" in result.expected and "now" in result.got, "before and after are shown"


def _descend_by_copies(loss_fn, w, lr, steps):
    """Right numbers, but a new tensor each step: the caller's w never moves."""
    for _ in range(steps):
        loss_fn(w).backward()
        w = (w - lr * w.grad).detach().requires_grad_()
    return w


def _descend_zeroing_first(loss_fn, w, lr, steps):
    """PyTorch's other valid order: clear the old gradient before each backward."""
    for _ in range(steps):
        if w.grad is not None:
            w.grad.zero_()
        loss_fn(w).backward()
        with torch.no_grad():
            w -= lr * w.grad
    return w


def test_descend_must_update_the_callers_w_in_place():
    result = _run("ch05.descend", _descend_by_copies)
    assert result.status == "failed" and "in place" in result.nudge


def test_descend_accepts_zeroing_the_gradient_before_backward():
    assert _run("ch05.descend", _descend_zeroing_first).status == "passed"


# ---------------------------------------------------------------- nudges and diagnoses
def test_a_wrong_answer_shows_expected_got_and_the_concept():
    result = _run("ch10.conv_output_size", lambda n, k, stride=1, padding=0, dilation=1: n - k)
    assert result.status == "failed"
    assert result.expected and result.got and result.case
    assert "window" in result.nudge


def test_a_missing_dimension_is_named_as_keepdim():
    result = _run("ch00.row_means", lambda m: m.mean(axis=1, keepdims=True))
    assert "keepdim" in result.nudge and "(2, 1)" in result.nudge


@pytest.mark.parametrize(
    ("got", "words"),
    [
        (lambda e: e.T, "transposed"),
        (lambda e: -e, "opposite sign"),
        (lambda e: e / 2, "accumulates"),
        (lambda e: e * 2, "counted twice"),
        (lambda e: e * 4 / 3, "n - 1"),
        (lambda e: e.astype(np.float32), "dtype"),
        (lambda e: np.zeros_like(e), "Every value is 0"),
    ],
)
def test_classic_mistakes_are_named_by_their_concept(got, words):
    expected = np.array([[1.0, -2.0, 3.5], [0.5, 4.0, -1.0]])
    assert words in classic_mistake(expected, got(expected))


def test_an_integer_off_by_one_and_a_right_answer():
    assert "Off by one" in classic_mistake(np.int64(7), np.int64(8))
    assert classic_mistake(np.arange(3.0), np.array([5.0, -1.0, 2.0])) == ""


@pytest.mark.parametrize("chapter", range(12))
def test_every_case_names_its_concept(chapter):
    for task in load_chapter(chapter):
        for case in task.cases(hidden=True):
            if case.description == ALL_ASKED:
                continue  # its expected/got lists the questions: nothing more to say
            assert case.nudge, f"{task.id}: {case.describe(task.object_name)} has no nudge"


def _distances_in_float32(x, y):
    """Right formula, computed in float32 and cast back."""
    a, b = x.to(torch.float32), y.to(torch.float32)
    return ((a.unsqueeze(1) - b.unsqueeze(0)) ** 2).sum(dim=-1).sqrt().to(x.dtype)


def _distances_by_gram(x, y):
    """|x|^2 + |y|^2 - 2 x.y: another right formula, with its own rounding."""
    sq = (x * x).sum(dim=1, keepdim=True) + (y * y).sum(dim=1) - 2 * (x @ y.T)
    return sq.clamp(min=0).sqrt()


def test_pairwise_distances_in_float64_must_be_float64_precise():
    assert _run("ch02.pairwise_distances", _distances_in_float32).status == "failed"
    assert _run("ch02.pairwise_distances", _distances_by_gram).status == "passed"


def _vjp_on_the_callers_x(f, x, v):
    """Right gradient, but the caller's x now requires grad (and holds a .grad)."""
    x.requires_grad_(True)
    f(x).backward(v)
    return x.grad


def test_vjp_must_not_turn_the_callers_x_into_a_leaf_that_requires_grad():
    result = _run("ch05.vjp", _vjp_on_the_callers_x)
    assert result.status == "failed" and "requires_grad" in result.message


def _predict_by_moving_the_model(model, x):
    """Right numbers, but the caller's model is moved to x's device."""
    model.to(x.device).eval()
    with torch.no_grad():
        return model(x).cpu().numpy()


def test_predict_must_leave_the_model_where_it_is():
    result = _run("ch07.predict", _predict_by_moving_the_model)
    assert result.status == "failed" and "device" in result.got


@pytest.mark.parametrize("h", [1e-4, 1e-5, 1e-6, 1e-7])
def test_a_central_difference_with_any_sensible_step_passes(h):
    def central(f, x, h_=h):
        return (f(x + h_) - f(x - h_)) / (2 * h_)

    assert _run("ch03.numerical_derivative", central).status == "passed"


def test_a_one_sided_difference_fails_numerical_derivative():
    def forward(f, x, h=1e-6):
        return (f(x + h) - f(x)) / h

    result = _run("ch03.numerical_derivative", forward, hidden=False)
    assert result.status == "failed", "it passed the default tolerance, 1e-6 + 1e-5 |e|"


class _ValueWithNumericalTanh(scalar.Value):
    """tanh's local derivative measured, one-sided, instead of derived: off by about 1e-7."""

    def tanh(self):
        h = 1e-6
        slope = (math.tanh(self.data + h) - math.tanh(self.data)) / h
        return self._unary(math.tanh(self.data), "tanh", slope)


def test_a_measured_tanh_derivative_fails_tanh_backward():
    result = _run("ch03.tanh_backward", _ValueWithNumericalTanh, hidden=False)
    assert result.status == "failed", "Python floats of a derivative are compared to 1e-9"


def test_a_derived_tanh_derivative_written_another_way_passes():
    class Value(scalar.Value):
        def tanh(self):
            t = math.tanh(self.data)
            return self._unary(t, "tanh", (1 - t) * (1 + t))

    assert _run("ch03.tanh_backward", Value).status == "passed"
