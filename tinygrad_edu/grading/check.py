"""``check(task_id, obj)``: try a learner's answer on a task's cases, and say how it went.

A check has two sides, kept apart so that the grader can put them in two processes:

* the learner's side, `run_task`: call the learner's object on each case, under the case's
  time limit, and write down what happened as plain data (`plain.encode`): the answer, or
  the exception, or how long it ran;
* the trusted side, `judge_task`: compute each expected value with the task's reference
  (`expected_values`), rebuild the learner's answers from the plain data, and compare.

In a notebook both sides run here, so the learner sees the very verdict the grader gives
(on the visible cases). `tinygrad-edu grade` runs the learner's side in a sandbox
(`worker.py`) and judges in its own process. ``check`` never raises: an untouched stub
reports "not attempted", an exception is reported with the learner's own line.
"""

from __future__ import annotations

import copy
import json
import signal
import sysconfig
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from tinygrad_edu.grading import feedback
from tinygrad_edu.grading.compare import as_array, mismatch, short_repr
from tinygrad_edu.grading.mistakes import classic_mistake
from tinygrad_edu.grading.plain import (
    OtherValue,
    PlainDataError,
    TensorValue,
    decode,
    encode,
    round_trip,
)
from tinygrad_edu.grading.results import (
    ERROR,
    FAILED,
    MISSING,
    NOT_ATTEMPTED,
    PASSED,
    TIMEOUT,
    CheckResult,
    _execution_count,
)
from tinygrad_edu.grading.tasks import NOT_GIVEN, Case, Task, get_task

# The trusted side runs the package too (references, judges, diagnoses), and the package has
# process-wide state: the global RNG (``manual_seed`` then ``randn``), the default dtype, the
# installed parts. ``grade --jobs`` judges several submissions in threads of one process, so
# the trusted side's package work is done one thread at a time. (Cheap: the students' code
# runs in sandboxed worker processes, outside this lock.)
TRUSTED_SIDE = threading.RLock()

SLOW_FACTOR = 3.0  # a case past its limit may run this many limits, to tell slow from stuck


class CheckTimeout(BaseException):
    """Raised inside a case that ran past its time limit.

    A BaseException, like KeyboardInterrupt, so a learner's ``except Exception`` cannot
    swallow it.
    """


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING_OBJECT: Any = _Missing()  # what the grader passes for a name the notebook never defined


def call_with_time_limit(fn: Callable[[], Any], seconds: float) -> Any:
    """``fn()``, or CheckTimeout once ``seconds`` have passed.

    In the main thread of a POSIX process (a Jupyter kernel, the grader) a SIGALRM timer
    interrupts even ``while True: pass``. Elsewhere ``fn`` runs in a daemon thread that we
    stop waiting for; Python cannot kill a thread, so it keeps running in the background.
    """
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):

        def on_alarm(signum: int, frame: Any) -> None:
            raise CheckTimeout

        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
        try:
            return fn()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller's thread below
            box["error"] = exc

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise CheckTimeout
    if "error" in box:
        raise box["error"]
    return box["value"]


_PACKAGE_DIR = str(Path(__file__).resolve().parents[1])
_LIBRARY_DIRS = tuple(
    {sysconfig.get_path(name) for name in ("stdlib", "platstdlib", "purelib", "platlib")}
)


def _raised(exc: BaseException) -> str:
    """``"ZeroDivisionError: division by zero (line 3: return a / b)"``.

    The line quoted is the last one in the learner's own code; when the error comes from
    the package or a library without passing through the learner's code, no line is shown
    (the checks' own code is no business of the learner's).
    """
    text = type(exc).__name__
    if str(exc):
        text += f": {_cut(str(exc), 200)}"
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if not f.filename.startswith((_PACKAGE_DIR, *_LIBRARY_DIRS))]
    if own:
        line = (own[-1].line or "").strip()
        text += f" (your line {own[-1].lineno}: {line})" if line else ""
    return text


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------- the learner's side
def run_case(case: Case, obj: Any, limit: float, extend: bool = True) -> dict[str, Any]:
    """Run one case on ``obj``; what happened, as plain data.

    ``{"status": "ok", "value": ..., "seconds": s}``, or status ``raised`` (with
    ``error``), ``not_implemented``, ``slow`` (it finished, past ``limit``), ``timeout``.
    """
    budget = limit * SLOW_FACTOR if extend else limit
    inputs: list = []
    if case.run is None:  # a plain call: keep its inputs, to see whether they were changed

        def call() -> Any:
            args, kwargs = copy.deepcopy((case.args, case.kwargs))
            inputs.append([list(args), kwargs])
            return obj(*args, **kwargs)

    else:

        def call() -> Any:
            return case.call(obj)

    start, start_cpu = time.monotonic(), time.process_time()
    try:
        value = call_with_time_limit(call, budget)
    except CheckTimeout:
        return {"status": TIMEOUT, "seconds": round(time.monotonic() - start, 2)}
    except NotImplementedError:
        return {"status": "not_implemented"}
    except (Exception, SystemExit) as exc:
        return {"status": "raised", "error": _raised(exc)}
    # "Slow" is judged on the work done: the CPU time, unless it exceeds the wall time (BLAS
    # threads). On a machine busy with other jobs, waiting for a core is not the learner's fault.
    seconds = round(min(time.monotonic() - start, time.process_time() - start_cpu), 3)
    if seconds > limit:
        return {"status": "slow", "seconds": seconds}
    try:  # encoding runs the answer's own code too (a __repr__, an array property): time it
        encoded = call_with_time_limit(
            lambda: (encode(value), encode(inputs[0]) if inputs else None), limit
        )
    except CheckTimeout:
        return {"status": TIMEOUT, "seconds": round(time.monotonic() - start, 2)}
    except Exception as exc:
        return {"status": "raised", "error": f"the answer cannot be checked ({_raised(exc)})"}
    outcome = {"status": "ok", "value": encoded[0], "seconds": seconds}
    if inputs:
        outcome["inputs_after"] = encoded[1]
    return outcome


def run_task(task: Task, obj: Any, hidden: bool) -> list[dict[str, Any]]:
    """Every case of ``task`` on ``obj`` (the learner's side). One extended run per task:
    after a case that did not finish, the others get the plain limit, and after two, the
    rest are skipped."""
    outcomes: list[dict[str, Any]] = []
    stuck = 0
    for case in task.cases(hidden):
        if stuck >= 2:
            outcomes.append({"status": "skipped"})
            continue
        outcome = run_case(case, obj, task.time_limit, extend=stuck == 0)
        stuck += outcome["status"] == TIMEOUT
        outcomes.append(outcome)
    return outcomes


# --------------------------------------------------------------------- the trusted side
def expected_values(task: Task, hidden: bool) -> list[Any]:
    """Each case's expected value as the checks see it (plain data, decoded), computed with
    the task's reference; a `Case.judge` case gets None (its judge decides).

    In a student release (no references), the visible cases' values are read from the
    data file `student_release.py` wrote.
    """
    with TRUSTED_SIDE:
        return _expected_values(task, hidden)


def _expected_values(task: Task, hidden: bool) -> list[Any]:
    values = []
    for i, case in enumerate(task.cases(hidden)):
        if case.judge is not None:
            values.append(None)
        elif case.expected is not NOT_GIVEN:
            values.append(round_trip(case.expected))
        elif task.reference is None:
            values.append(decode(_stored_expected()[task.id][i]))
        else:
            values.append(round_trip(case.call(task.reference)))
    return values


def _stored_expected() -> dict[str, list]:
    """The release's visible expected values (`student_release.EXPECTED_FILE`)."""
    path = Path(__file__).with_name("visible_expected.json")
    if not path.exists():
        raise LookupError("this task has no reference answer and no stored expected values")
    return json.loads(path.read_text(encoding="utf-8"))


def _changed_input(case: Case, after: Any) -> tuple[str, str, str]:
    """How the inputs of a plain call differ after the call ("" if they do not), with the
    changed input before and after."""
    try:
        before, after = round_trip([list(case.args), case.kwargs]), decode(after)
    except PlainDataError:
        return "they could not be read back", "", ""
    if not (isinstance(after, list) and len(after) == 2 and isinstance(after[0], list)):
        return "they could not be read back", "", ""
    if not isinstance(after[1], dict) or len(after[0]) != len(before[0]):
        return "they could not be read back", "", ""
    named = [(f"argument {i + 1}", b, a) for i, (b, a) in enumerate(zip(before[0], after[0]))]
    named += [(f"argument {k}=", v, after[1].get(k)) for k, v in before[1].items()]
    for name, b, a in named:
        reason = _differs(b, a)
        if reason:
            return f"{name} is no longer what it was ({reason})", short_repr(b), short_repr(a)
    return "", "", ""


def _differs(before: Any, after: Any) -> str:
    """Like `mismatch`, but bit for bit (an input nudged by 1e-9 is a changed input), and
    objects that are not plain data (a function) are not compared."""
    if isinstance(before, OtherValue):
        return ""
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return next((r for b, a in zip(before, after, strict=True) if (r := _differs(b, a))), "")
    reason = mismatch(before, after)
    if reason:
        return reason
    if isinstance(before, TensorValue) and before.requires_grad != after.requires_grad:
        return f"its requires_grad is now {after.requires_grad}"
    b, a = as_array(before), as_array(after)
    if b is not None and a is not None and not np.array_equal(a, b, equal_nan=b.dtype.kind in "fc"):
        return "values differ"
    if isinstance(before, float) and isinstance(after, float):
        same = before == after or before != before and after != after  # nan is nan
        return "" if same else "the value differs"
    return ""


def _problem(task: Task, case: Case, expected: Any, outcome: Any) -> tuple[str, str, str] | None:
    """(message, expected, got) when the case failed, else None."""
    if not isinstance(outcome, dict):
        return ("It did not run.", "", "")
    status = outcome.get("status")
    limit = f"{task.time_limit:g} s"
    if status == "ok":
        try:
            got = decode(outcome.get("value"))
        except PlainDataError as exc:
            return (f"The answer could not be read back: {exc}.", "", "")
        try:
            reason = case.judge(got) if case.judge else (task.compare or mismatch)(expected, got)
        except Exception as exc:
            reason = f"it could not be checked ({type(exc).__name__})"
        if not reason and "inputs_after" in outcome and case.run is None:
            changed, was, now = _changed_input(case, outcome["inputs_after"])
            if changed:
                message = f"It changed its input: {changed}. Leave the inputs as they were."
                return (message, f"the input left as {was}", f"the input now {now}")
        if not reason:
            return None
        shown = "" if case.judge else short_repr(expected)
        if case.judge and reason == got:  # the judge's words are the answer itself (a test's
            return (f"{reason[0].upper()}{reason[1:]}.", "", "")  # finding): say it once
        return (f"Wrong answer: {reason}.", shown, short_repr(got))
    if status == "slow":
        took = feedback.seconds(outcome.get("seconds"))
        return (
            f"Right or not, it is too slow: it took {took}, the limit is {limit}. "
            "It finishes, so it is not stuck: look for work done again and again.",
            "",
            "",
        )
    if status == TIMEOUT:
        took = feedback.seconds(outcome.get("seconds"))
        return (
            f"Stopped after {took} (the limit is {limit}): it did not finish. "
            "Is there a loop that never ends?",
            "",
            "",
        )
    if status == "raised":
        return (
            "It raised an exception.",
            "" if case.judge else short_repr(expected),
            f"raised {str(outcome.get('error', ''))[:400]}",
        )
    if status == "not_implemented":
        return ("It raised NotImplementedError.", short_repr(expected), "NotImplementedError")
    if status == "skipped":
        return ("Not run: earlier cases did not finish.", "", "")
    return ("It did not run.", "", "")


def _diagnosis(task: Task, case: Case, expected: Any, outcome: Any) -> str:
    """The task's own reading of a wrong answer, else a classic mistake (`mistakes`), or ""."""
    if not isinstance(outcome, dict) or outcome.get("status") != "ok":
        return ""
    try:
        got = decode(outcome.get("value"))
        if task.diagnose is not None and (found := task.diagnose(case, got)):
            return str(found)
        return "" if case.judge else classic_mistake(expected, got)
    except Exception:
        return ""


def judge_task(
    task: Task,
    expected: list[Any],
    outcomes: Any,
    *,
    hidden: bool,
    hidden_count: int = 0,
) -> CheckResult:
    """The verdict on ``outcomes`` (plain data from `run_task`), trusted side.

    Only ``task``'s own cases count: outcomes beyond them are ignored, missing ones fail.
    """
    with TRUSTED_SIDE:
        return _judge_task(task, expected, outcomes, hidden=hidden, hidden_count=hidden_count)


def _judge_task(
    task: Task, expected: list[Any], outcomes: Any, *, hidden: bool, hidden_count: int
) -> CheckResult:
    result = CheckResult(task.id, task.points, ERROR)
    if outcomes == "missing":
        result.status = MISSING
        result.message = (
            f"`{task.object_name}` is not defined: was its cell deleted, renamed, or did it fail?"
        )
        return result
    cases = task.cases(hidden)
    outcomes = outcomes if isinstance(outcomes, list) else []
    result.total = len(cases)
    statuses = []
    first: tuple[int, tuple[str, str, str]] | None = None
    for i, case in enumerate(cases):
        outcome = outcomes[i] if i < len(outcomes) else None
        statuses.append(outcome.get("status") if isinstance(outcome, dict) else None)
        problem = _problem(task, case, expected[i], outcome)
        if problem is None:
            result.passed += 1
        elif first is None:
            first = (i, problem)
    if cases and all(s == "not_implemented" for s in statuses):
        result.status = NOT_ATTEMPTED
        result.message = "Not attempted yet: replace `raise NotImplementedError` with your code."
        return result
    if first is None:
        result.status = PASSED
    else:
        i, (message, want, got) = first
        case = cases[i]
        result.status = TIMEOUT if statuses[i] in (TIMEOUT, "slow") else FAILED
        result.message = message
        result.case, result.hidden = case.describe(task.object_name), case.hidden
        result.expected, result.got = want, got
        outcome = outcomes[i] if i < len(outcomes) else None
        diagnosis = _diagnosis(task, case, expected[i], outcome)
        result.nudge = " ".join(filter(None, [diagnosis, case.nudge]))
    result.message = feedback.counts(result, hidden_count) + (f" {result.message}" if first else "")
    return result


def evaluate(task: Task, obj: Any, *, hidden: bool) -> CheckResult:
    """Both sides in this process: run ``task``'s cases on ``obj`` and judge them.

    What ``check`` does (``hidden=False``) and what the tests use to try a whole task.
    """
    if obj is MISSING_OBJECT:
        return judge_task(task, [], "missing", hidden=hidden)
    try:
        expected = expected_values(task, hidden)
    except Exception as exc:
        message = f"the task's expected values could not be made ({_raised(exc)}); tell the teacher"
        return CheckResult(task.id, task.points, ERROR, message=message)
    outcomes = json.loads(json.dumps(run_task(task, obj, hidden)))
    hidden_count = 0 if hidden else len(task.cases(True)) - len(task.cases(False))
    if not hidden and task.reference is None and not hidden_count:
        hidden_count = -1  # a student release: the hidden cases are not in this copy
    return judge_task(task, expected, outcomes, hidden=hidden, hidden_count=hidden_count)


# Callbacks run after a check passes: ``callback(task_id, obj, result)`` (e.g. to save a
# learner-written part). A failing callback never breaks the check.
ON_PASS: list[Callable[[str, Any, CheckResult], None]] = []


def on_pass(callback: Callable[[str, Any, CheckResult], None]) -> Callable:
    """Register ``callback`` to run whenever a ``check`` passes; returns it (a decorator)."""
    ON_PASS.append(callback)
    return callback


# Callbacks run after every ``check``, passed or not: ``callback(task_id, result)`` (e.g. to
# show a learner-written part as failing in ``parts.status()``).
ON_RESULT: list[Callable[[str, CheckResult], None]] = []


def check(task_id: str, obj: Any, *, hint: int = 1) -> CheckResult:
    """Try ``obj`` on the visible cases of task ``task_id``, print a summary, return it.

    ``hint=2`` asks for the task's stronger hint when a case fails (it is also shown after
    a few failed tries of the same task).

    >>> def add(a, b):
    ...     return a + b
    >>> check("ch00.add", add).status   # doctest: +ELLIPSIS
    PASSED  ch00.add  (1/1 point)
    ...
    'passed'

    Never raises: whatever goes wrong becomes part of the printed report.
    """
    try:
        task = get_task(task_id)
        result = evaluate(task, obj, hidden=False)
        feedback.add_hint(result, task, hint)
    except Exception as exc:  # unknown task id, a chapter module that fails to import, ...
        message = f"cannot check {task_id!r}: {type(exc).__name__}: {exc}"
        result = CheckResult(str(task_id), 0, ERROR, message=message)
    print(result.report())
    result._printed_at = _execution_count()  # see CheckResult._ipython_display_
    if result.status == PASSED:
        for callback in list(ON_PASS):
            try:
                callback(task_id, obj, result)
            except Exception as exc:
                print(f"  (after the check: {type(exc).__name__}: {exc})")
    for callback in list(ON_RESULT):
        try:
            callback(task_id, result)
        except Exception:  # noqa: BLE001  bookkeeping never breaks a check
            pass
    return result
