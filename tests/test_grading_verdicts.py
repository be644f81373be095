"""One verdict, feedback that teaches (issue #16): the notebook and the grader agree.

The reported disagreements are regression tests here: a topological order that walks
every path passes the visible cases (and says hidden ones come at grading), fails the
grader's ladder with "did not finish" (not a wrong diagnosis), and the student's correct
``backward`` that uses it keeps its points.
"""

from __future__ import annotations

import contextlib
import copy
import io
from pathlib import Path

import nbformat
import pytest

from tinygrad_edu import scalar
from tinygrad_edu.grading import check, get_task, grade
from tinygrad_edu.grading.check import evaluate
from tinygrad_edu.grading.notebooks import notebook_bytes

ROOT = Path(__file__).resolve().parents[1]
CH03 = ROOT / "solutions" / "03_scalar_autograd.ipynb"
TOPO_CELL = 12  # the `# part: scalar.topological_order` cell

EVERY_PATH = """\
def topological_order(root) -> list:
    order, emitted = [], set()
    stack = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            if node not in emitted:
                emitted.add(node)
                order.append(node)
        else:  # no visited set: a node reached by many paths is explored again each time
            stack.append((node, True))
            stack.extend((child, False) for child in node._prev)
    return order[::-1]
"""

SLOW = """\
import time
from tinygrad_edu.scalar import topological_order as scalar_topological_order
def topological_order(root) -> list:
    order = scalar_topological_order(root)
    if len(order) > 1000:  # the 5,000-node chain finishes, but after 3.5 s of work (limit 3 s)
        start = time.process_time()
        while time.process_time() - start < 3.5:
            pass
    return order
"""


def _every_path(root):
    namespace: dict = {}
    exec(EVERY_PATH, namespace)
    return namespace["topological_order"](root)


def test_the_notebook_says_which_cases_it_ran(capsys):
    result = check("ch03.topological_order", _every_path)
    out = capsys.readouterr().out
    assert result.status == "passed"
    hidden = len(get_task("ch03.topological_order").cases(True)) - result.total
    assert f"Visible cases {result.total}/{result.total} passed; {hidden} hidden cases" in out


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("ch03")
    for name, source in {"every_path": EVERY_PATH, "slow": SLOW}.items():
        nb = copy.deepcopy(nbformat.read(CH03, as_version=4))
        nb.cells[TOPO_CELL].source = source
        path = folder / name / "03_scalar_autograd.ipynb"
        path.parent.mkdir()
        path.write_bytes(notebook_bytes(nb))
    with contextlib.redirect_stdout(io.StringIO()):
        results = grade([folder], tmp_path_factory.mktemp("book"), jobs=2)
    return {r.student: {t.task_id: t for t in r.tasks} for r in results}


def test_an_exponential_sort_is_reported_as_not_finishing(graded):
    topo = graded["every_path"]["ch03.topological_order"]
    assert topo.status == "timeout" and topo.hidden
    assert "did not finish" in topo.message and "ladder" in topo.case
    assert "paths" in topo.nudge, "the nudge names the concept the ladder probes"


def test_a_correct_backward_keeps_its_points_when_its_sort_failed(graded):
    backward = graded["every_path"]["ch03.backward"]
    assert backward.status == "passed" and backward.earned == 3
    assert "stand-in for ch03.topological_order" in backward.message


def test_a_slow_answer_is_told_apart_from_a_stuck_one(graded):
    topo = graded["slow"]["ch03.topological_order"]
    assert topo.status == "timeout"
    assert "too slow" in topo.message and "the limit is 3 s" in topo.message


def test_no_hint_before_an_attempt_and_none_for_find_the_bug(capsys):
    def stub(*args):
        raise NotImplementedError

    result = check("ch09.train_step", stub, hint=2)
    assert result.status == "not attempted" and result.hint == ""
    wrong = check("ch09.train_step", lambda *a: 0.0, hint=2)
    assert wrong.status == "failed" and wrong.hint == "", "a find-the-bug hint is the fix"
    assert "zero_grad" not in capsys.readouterr().out.split("think:")[0].split("hint")[0]


def test_a_stronger_hint_comes_after_repeated_failures(capsys):
    for _ in range(3):
        result = check("ch00.square_all", lambda x: x)
    assert result.hint, "the third failed try shows the task's hint"


def _gradcheck_leaving_grads(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    import tinygrad_edu
    from tinygrad_edu import parts

    ok = parts.reference("autograd.gradcheck")(fn, inputs, eps, atol, rtol, raise_exception)
    for t in inputs if isinstance(inputs, (tuple, list)) else (inputs,):
        if isinstance(t, tinygrad_edu.Tensor) and t.requires_grad:
            t.grad = tinygrad_edu.ones_like(t)  # leaves a gradient behind on its inputs
    return ok


def test_gradcheck_must_leave_no_gradient_behind():
    # (ch09.numerical_grad retyped the lesson's code; the part ch09.gradcheck replaced it, #11)
    result = evaluate(get_task("ch09.gradcheck"), _gradcheck_leaving_grads, hidden=True)
    assert result.status == "failed"


def _train_step_zeroing_after(model, optimizer, x, y):
    import tinygrad_edu

    loss = tinygrad_edu.nn.functional.mse_loss(model(x).squeeze(1), y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()  # PyTorch's Learn-the-Basics order
    return loss.item()


def test_zeroing_gradients_after_the_step_is_accepted():
    result = evaluate(get_task("ch09.train_step"), _train_step_zeroing_after, hidden=True)
    assert result.status == "passed", result.feedback()


def test_messages_quote_the_learners_line_never_the_graders():
    def tanh_backward_that_raises(x: float):
        raise ValueError("oops")

    class Value(scalar.Value):
        def tanh(self):
            return tanh_backward_that_raises(self.data)

    result = evaluate(get_task("ch03.tanh_backward"), Value, hidden=False)
    assert "grading" not in result.got and "_tanh_grads" not in result.got
    assert "your line" in result.got and 'raise ValueError("oops")' in result.got


def test_a_wrong_variance_gets_a_nudge_about_variance_not_keepdim(capsys):
    def standardize_rows(x, eps=1e-5):
        mean = x.mean(dim=1, keepdim=True)
        var = ((x - mean) ** 2).sum(dim=1, keepdim=True) / (x.shape[1] - 1)
        return (x - mean) / (var + eps).sqrt()

    result = check("ch02.standardize_rows", standardize_rows)
    assert result.status == "failed"
    assert "n - 1" in result.nudge and "keepdim" not in result.nudge
    assert "think:" in capsys.readouterr().out


def test_a_function_that_changes_its_input_fails_and_says_so():
    def square_all(x):
        x **= 2  # in place: the caller's array changes too
        return x

    result = check("ch00.square_all", square_all)
    assert result.status == "failed"
    assert "changed its input" in result.message and "argument 1" in result.message


def test_any_valid_topological_order_passes_and_a_forged_one_does_not():
    def inputs_first_reversed(root):  # a different valid order: children pushed the other way
        order, visited, stack = [], set(), [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            elif node not in visited:
                visited.add(node)
                stack.append((node, True))
                stack.extend((c, False) for c in reversed(node._prev))
        return order[::-1]

    task = get_task("ch03.topological_order")
    assert evaluate(task, inputs_first_reversed, hidden=True).status == "passed"
    assert (
        evaluate(task, lambda root: scalar.topological_order(root)[::-1], hidden=True).status
        == "failed"
    )
    judge = task.cases(hidden=False)[0].judge
    assert judge(list(range(10**6))) and judge([0, 0]) and judge("not a list")


def test_trusted_side_work_in_threads_does_not_share_the_rng():
    """`grade --jobs N` judges in threads of one process. A reference that seeds the global
    RNG and then draws must give the same expected values while other threads do the same
    (issue #16): the trusted side's package work is done one thread at a time."""
    import sys
    from concurrent.futures import ThreadPoolExecutor

    import tinygrad_edu
    from tinygrad_edu.grading.check import expected_values
    from tinygrad_edu.grading.tasks import Case, Task

    def reference(n):
        tinygrad_edu.manual_seed(0)
        return [tinygrad_edu.randn(1).item() for _ in range(n)]

    task = Task("ch99.draws", 1, "draws", lambda: [Case(args=(200,))], reference=reference)
    alone = expected_values(task, hidden=True)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: races show up at once
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            together = list(pool.map(lambda _: expected_values(task, hidden=True), range(16)))
    finally:
        sys.setswitchinterval(interval)
    assert all(values == alone for values in together)
