"""check() in the notebook: readable, never raises, and fair about what counts as an answer.

These run in-process (no kernel), on the warm-up chapter's tasks and on small tasks made
here, so each failure names the one behaviour that broke.
"""

from __future__ import annotations

import sys
import threading
import time

import numpy as np
import pytest

from tinygrad_edu.grading import Case, Task, check
from tinygrad_edu.grading.check import MISSING_OBJECT, CheckTimeout, call_with_time_limit, evaluate
from tinygrad_edu.grading.compare import mismatch


def _add(a, b):
    return a + b


def _task(cases, reference=_add, time_limit=10.0, **kwargs) -> Task:
    """A throwaway task (not registered) grading a function called `f`."""
    return Task(
        "ch99.f", 2, "f", lambda: cases, "a hint", reference, time_limit=time_limit, **kwargs
    )


def test_a_right_answer_passes_and_the_report_says_so(capsys):
    result = check("ch00.add", _add)
    out = capsys.readouterr().out
    assert result.status == "passed" and result.earned == 1
    assert result.passed == result.total == 3, "check() runs the visible cases only"
    assert out.startswith("PASSED  ch00.add  (1/1 point)"), out


def test_a_wrong_answer_shows_the_case_expected_got_and_offers_a_hint(capsys):
    result = check("ch00.add", lambda a, b: a - b)
    out = capsys.readouterr().out
    assert result.status == "failed" and result.earned == 0
    for text in ("case:     add(2, 3)", "expected: 5", "got:      -1", "hint=2"):
        assert text in out, f"{text!r} missing from the report:\n{out}"
    assert "hint: " not in out, "the stronger hint comes only when asked for"
    check("ch00.add", lambda a, b: a - b, hint=2)
    assert "hint: Python's" in capsys.readouterr().out


def test_an_untouched_stub_is_not_attempted(capsys):
    def add(a, b):
        # YOUR CODE HERE
        raise NotImplementedError

    result = check("ch00.add", add)
    assert result.status == "not attempted"
    assert "NOT ATTEMPTED" in capsys.readouterr().out


def test_a_stub_left_in_one_branch_counts_as_attempted():
    def f(a, b):
        if a < 0:
            raise NotImplementedError
        return a + b

    result = evaluate(_task([Case(args=(1, 2)), Case(args=(-1, 2))]), f, hidden=False)
    assert result.status == "failed" and result.passed == 1
    assert "NotImplementedError" in result.got


def test_an_exception_is_reported_with_the_learners_line(capsys):
    def add(a, b):
        return a / 0

    result = check("ch00.add", add)
    assert result.status == "failed"
    assert "raised ZeroDivisionError: division by zero (your line" in result.got
    assert "return a / 0" in result.got, "the line that raised should be quoted"


@pytest.mark.parametrize(
    "obj",
    [None, 42, "add", lambda: 1, lambda a, b: sys.exit(1)],
    ids=["None", "int", "str", "wrong-arity", "sys.exit"],
)
def test_check_never_raises_whatever_it_is_given(obj, capsys):
    result = check("ch00.add", obj)
    assert result.status == "failed"
    assert "raised" in result.got


def test_unknown_task_ids_are_reported_not_raised(capsys):
    for task_id in ("ch00.nope", "ch42.add", "not-an-id", None):
        result = check(task_id, _add)
        assert result.status == "error"
    out = capsys.readouterr().out
    assert "this chapter's tasks are: ch00.add" in out
    assert "chapter 42 has no graded tasks" in out


def test_an_infinite_loop_is_stopped_by_the_time_limit():
    def f(a, b):
        while True:
            pass

    start = time.monotonic()
    result = evaluate(_task([Case(args=(1, 2))], time_limit=0.3), f, hidden=False)
    assert result.status == "timeout", result
    assert time.monotonic() - start < 5
    assert "did not finish" in result.message and "never ends" in result.message


def test_except_exception_cannot_swallow_the_time_limit():
    def f(a, b):
        while True:
            try:
                time.sleep(0.01)
            except Exception:
                pass

    result = evaluate(_task([Case(args=(1, 2))], time_limit=0.3), f, hidden=False)
    assert result.status == "timeout"


def test_the_time_limit_works_outside_the_main_thread_too():
    box = {}

    def worker():
        try:
            call_with_time_limit(lambda: time.sleep(5), 0.2)
        except CheckTimeout:
            box["stopped"] = True

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(3)
    assert box.get("stopped"), "a slow call in a non-main thread should time out too"


def test_hidden_cases_run_only_when_asked():
    task = _task([Case(args=(1, 2)), Case(args=(10, 20), hidden=True)])
    cheat = lambda a, b: 3  # noqa: E731  (right for the visible case only)
    assert evaluate(task, cheat, hidden=False).status == "passed"
    result = evaluate(task, cheat, hidden=True)
    assert result.status == "failed" and result.hidden
    assert "Hidden case: f(10, 20)" in result.feedback()


def test_a_missing_object_is_reported_as_missing():
    result = evaluate(_task([Case(args=(1, 2))]), MISSING_OBJECT, hidden=True)
    assert result.status == "missing" and "`f` is not defined" in result.message


def test_a_learner_who_mutates_the_input_does_not_change_the_expected_answer():
    def f(x):
        x[:] = 0
        return x

    task = _task([Case(args=(np.array([1.0, 2.0]),))], reference=lambda x: x * 2)
    result = evaluate(task, f, hidden=False)
    assert result.status == "failed"
    assert result.expected == "array([2., 4.])", "the reference must see the original input"


def test_a_broken_repr_does_not_break_the_report():
    class Weird:
        def __repr__(self):
            raise RuntimeError("no repr")

        def __eq__(self, other):
            return False

    result = evaluate(_task([Case(args=(1, 2), expected=3)]), lambda a, b: Weird(), hidden=False)
    assert result.status == "failed" and "repr failed" in result.got


@pytest.mark.parametrize(
    ("expected", "got", "reason"),
    [
        (np.zeros((2, 3)), np.zeros(3), "shape (3,), expected shape (2, 3)"),
        (np.zeros(2, np.float32), np.zeros(2), "dtype float64, expected dtype float32"),
        (np.array([1.0, 2.0]), [1.0, 2.0], "a list, expected a numpy array"),
        (np.array([1.0, 2.0]), np.array([1.0, 2.5]), "values differ"),
        (5, 5.5, "the value differs"),
        (5, "5", "a str, expected a number"),
        ((1, 2), (1, 3), "at [1]: the value differs"),
        ([[1, 2]], [[1, 3]], "at [0][1]: the value differs"),
        ((1, 2), (1,), "1 items, expected 2"),
        (True, 1, "the value differs"),
        (None, 0, "an int, expected None"),
    ],
)
def test_mismatch_says_why(expected, got, reason):
    assert mismatch(expected, got) == reason


@pytest.mark.parametrize(
    ("expected", "got"),
    [
        (np.array([1.0, np.nan]), np.array([1.0 + 1e-9, np.nan])),
        (0.1 + 0.2, 0.3),
        (float("nan"), float("nan")),
        ({"a": (1, np.ones(2))}, {"a": [1, np.ones(2)]}),
        (10**20, 10**20),
    ],
)
def test_mismatch_accepts_equal_answers(expected, got):
    assert mismatch(expected, got) is None


def test_tensors_compare_by_type_then_data():
    class Tensor:
        def __init__(self, data):
            self.array = np.asarray(data)

    assert mismatch(Tensor([1.0, 2.0]), Tensor([1.0, 2.0])) is None
    assert mismatch(Tensor([1.0, 2.0]), np.array([1.0, 2.0])) == "an ndarray, expected a Tensor"
    assert mismatch(Tensor([1.0, 2.0]), Tensor([1.0, 3.0])) == "values differ"


def test_an_answer_whose_repr_never_ends_is_stopped_too():
    class Forever:
        def __repr__(self):
            while True:
                pass

    result = evaluate(
        _task([Case(args=(1, 2))], time_limit=0.3), lambda a, b: Forever(), hidden=False
    )
    assert result.status == "timeout"


def test_the_judge_accepts_only_what_the_task_asked_for():
    from tinygrad_edu.grading.check import judge_task

    task = _task([Case(args=(1, 2)), Case(args=(2, 2))])
    expected = [3, 4]
    forged = [
        [{"status": "ok", "value": 3}],  # too few answers: the missing one fails
        [{"status": "ok", "value": 3}, {"status": "ok", "value": {"__object__": 1}}],
        [{"status": "ok", "value": 3}, {"status": "ok", "value": 4.0}],  # a bare JSON float
        "passed",
        [{"status": "ok", "value": 3}, "ok"],
    ]
    statuses = [judge_task(task, expected, f, hidden=True).status for f in forged]
    assert statuses == ["failed", "failed", "passed", "failed", "failed"]
    ok = [{"status": "ok", "value": 3}, {"status": "ok", "value": 4}, {"status": "ok", "value": 9}]
    result = judge_task(task, expected, ok, hidden=True)
    assert result.earned == 2 and result.total == 2, "extra answers are ignored"
