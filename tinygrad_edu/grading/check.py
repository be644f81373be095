"""``check(task_id, obj)``: try a learner's answer on a task's cases, and say how it went.

It never raises, so a half-finished notebook still runs top to bottom: an untouched stub
(it raises NotImplementedError) reports "not attempted", an exception is reported with its
last line and the learner's line that raised it, a case that runs too long is stopped.
The grader runs the same `evaluate`, with the hidden cases added.
"""

from __future__ import annotations

import signal
import sysconfig
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tinygrad_edu.grading.compare import mismatch, short_repr
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
from tinygrad_edu.grading.tasks import NOT_GIVEN, Task, get_task


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
    """``"raised ZeroDivisionError: division by zero (line 3: return a / b)"``.

    The line quoted is the last one in the learner's own code, not deep inside NumPy.
    """
    text = f"raised {type(exc).__name__}"
    if str(exc):
        text += f": {_cut(str(exc), 200)}"
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if not f.filename.startswith((_PACKAGE_DIR, *_LIBRARY_DIRS))]
    if own or frames:
        last = (own or frames)[-1]
        line = (last.line or "").strip()
        text += f" (line {last.lineno}: {line})" if line else f" (line {last.lineno})"
    return text


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def evaluate(task: Task, obj: Any, *, hidden: bool) -> CheckResult:
    """Run ``task``'s cases (the hidden ones too if ``hidden``) on ``obj``."""
    result = CheckResult(task.id, task.points, ERROR, hint=task.hint)
    if obj is MISSING_OBJECT:
        result.status = MISSING
        result.message = (
            f"`{task.object_name}` is not defined: was its cell deleted, renamed, or did it fail?"
        )
        return result
    try:
        cases = task.cases(hidden)
    except Exception as exc:
        result.message = f"the task's cases could not be made ({_raised(exc)}); tell the teacher"
        return result

    result.total = len(cases)
    not_implemented = 0
    deadline = time.monotonic() + task.time_limit
    for case in cases:
        described = case.describe(task.object_name)
        try:
            expected = case.call(task.reference) if case.expected is NOT_GIVEN else case.expected
        except Exception as exc:
            result.status, result.case = ERROR, described
            result.message = f"the reference answer {_raised(exc)}; tell the teacher"
            return result
        problem = None  # (message, expected, got) of this case, if it fails
        try:
            got = call_with_time_limit(lambda c=case: c.call(obj), deadline - time.monotonic())
        except CheckTimeout:
            seconds = f"{task.time_limit:g}"
            result.status, result.case, result.hidden = TIMEOUT, described, case.hidden
            result.expected = result.got = ""  # an earlier case's failure is not this case's
            result.message = f"Stopped after {seconds} s: is there an infinite loop?"
            return result
        except (Exception, SystemExit) as exc:
            not_implemented += isinstance(exc, NotImplementedError)
            problem = ("It raised an exception.", short_repr(expected), _raised(exc))
        else:
            reason = (task.compare or mismatch)(expected, got)
            if reason:
                problem = (f"Wrong answer: {reason}.", short_repr(expected), short_repr(got))
        if problem is None:
            result.passed += 1
        elif not result.case:
            result.message, result.expected, result.got = problem
            result.case, result.hidden = described, case.hidden

    if cases and not_implemented == len(cases):
        result.status, result.case, result.expected, result.got = NOT_ATTEMPTED, "", "", ""
        result.message = "Not attempted yet: replace `raise NotImplementedError` with your code."
    elif result.passed == result.total:
        result.status = PASSED
        result.message = f"All {result.total} cases passed."
    else:
        result.status = FAILED
        result.message = f"{result.passed}/{result.total} cases passed. {result.message}"
    return result


def check(task_id: str, obj: Any) -> CheckResult:
    """Try ``obj`` on the visible cases of task ``task_id``, print a summary, return it.

    >>> def add(a, b):
    ...     return a + b
    >>> check("ch00.add", add).status   # doctest: +ELLIPSIS
    PASSED  ch00.add  (1/1 point)
    ...
    'passed'

    Never raises: whatever goes wrong becomes part of the printed report.
    """
    try:
        result = evaluate(get_task(task_id), obj, hidden=False)
    except Exception as exc:  # unknown task id, a chapter module that fails to import, ...
        message = f"cannot check {task_id!r}: {type(exc).__name__}: {exc}"
        result = CheckResult(str(task_id), 0, ERROR, message=message)
    print(result.report())
    result._printed_at = _execution_count()  # see CheckResult._ipython_display_
    return result
