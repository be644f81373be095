"""The words of a verdict: counts that say what was run, and hints that come in steps.

* No hint for a task not attempted yet: there is nothing to correct.
* A failed case first shows its *nudge*: the case, expected against got, and the concept
  that case probes (`Case.nudge`).
* The task's stronger hint (`Task.hint`) comes only on request, ``check(..., hint=2)``, or
  after `TRIES_BEFORE_HINT` failed tries of the same task.
* A find-the-bug task (`Task.find_the_bug`) never shows its hint: it would be the fix.
"""

from __future__ import annotations

from typing import Any

from tinygrad_edu.grading.results import FAILED, TIMEOUT, CheckResult

TRIES_BEFORE_HINT = 3
_failed_tries: dict[str, int] = {}  # task id -> failed checks so far in this kernel


def seconds(value: Any) -> str:
    """``"3.2 s"``; ``"?"`` for a value that is not a number."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:.1f} s"
    return "? s"


def counts(result: CheckResult, hidden_count: int) -> str:
    """ "visible cases 5/5 passed; 3 hidden cases run at grading." or "7/8 cases passed."."""
    if hidden_count < 0:
        return f"Visible cases {result.passed}/{result.total} passed; hidden cases run at grading."
    if hidden_count:
        plural = "s" if hidden_count != 1 else ""
        return (
            f"Visible cases {result.passed}/{result.total} passed; "
            f"{hidden_count} hidden case{plural} run at grading."
        )
    return f"{result.passed}/{result.total} cases passed."


def add_hint(result: CheckResult, task: Any, level: int) -> None:
    """Attach the task's stronger hint to a failed ``result`` when it is due (see above)."""
    result.hint = ""
    if result.status not in (FAILED, TIMEOUT):
        return
    tries = _failed_tries[task.id] = _failed_tries.get(task.id, 0) + 1
    if task.find_the_bug or not task.hint:
        return
    if level >= 2 or tries >= TRIES_BEFORE_HINT:
        result.hint = task.hint
    else:
        result.hint_available = True
