"""What grading produces: one `CheckResult` per task, one `NotebookResult` per submission.

Both turn into plain dicts (``to_dict``) so that the grader's subprocess can send them as
JSON and the gradebook can store them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

# The statuses a task can end with. Only PASSED earns the task's points.
PASSED = "passed"
FAILED = "failed"
NOT_ATTEMPTED = "not attempted"  # every case raised NotImplementedError: the stub is untouched
TIMEOUT = "timeout"  # a case (or the notebook) ran past its time limit
MISSING = "missing"  # the notebook never defined the object (cell deleted, renamed, crashed)
ERROR = "error"  # the check itself could not run (unknown task, broken task definition)
# Statuses of a whole submission that could not be run; each of its tasks gets the same one.
UNREADABLE = "unreadable"  # not JSON, or not a valid notebook
WRONG_CHAPTER = "wrong chapter"
UNKNOWN_CHAPTER = "unknown chapter"
CRASHED = "crashed"  # the kernel or the grader's subprocess died


@dataclass
class CheckResult:
    """How one task went: the counts, and the first failing case as expected against got."""

    task_id: str
    points: int
    status: str
    passed: int = 0
    total: int = 0
    message: str = ""  # one sentence on what happened
    case: str = ""  # the first failing case, written as a call
    expected: str = ""
    got: str = ""
    hidden: bool = False  # the failing case is one the notebook does not show
    hint: str = ""
    nudge: str = ""  # the concept the failing case probes
    hint_available: bool = False  # a stronger hint exists: check(..., hint=2)

    @property
    def earned(self) -> int:
        """All the task's points when every case passed, else none."""
        return self.points if self.status == PASSED else 0

    def feedback(self) -> str:
        """One line for tables and gradebooks."""
        text = self.message
        if self.case:
            text += f" {'Hidden case' if self.hidden else 'Case'}: {self.case}"
            if self.expected:
                text += f" -> expected {self.expected}, got {self.got}"
            elif self.got:
                text += f" -> got {self.got}"
        return " ".join(text.split())

    def report(self) -> str:
        """The several-line summary that check() prints under a task in the notebook."""
        plural = "s" if self.points != 1 else ""
        head = f"{self.status.upper()}  {self.task_id}  ({self.earned}/{self.points} point{plural})"
        lines = [head, f"  {self.message}"]
        if self.case:
            lines.append(f"  {'hidden case' if self.hidden else 'case'}:     {self.case}")
        if self.expected:
            lines.append(f"  expected: {_indent(self.expected)}")
        if self.got:
            lines.append(f"  got:      {_indent(self.got)}")
        if self.nudge and self.status != PASSED:
            lines.append(f"  think:    {self.nudge}")
        if self.hint and self.status != PASSED:
            lines.append(f"  hint: {self.hint}")
        elif self.hint_available and self.status != PASSED:
            lines.append(f"  (stuck? check({self.task_id!r}, ..., hint=2) gives a hint)")
        return "\n".join(lines)

    def _ipython_display_(self) -> None:
        # check() has printed the report already; show it again only when asked later
        # (`r = check(...)` then `r` in another cell), not as a duplicate Out[] of check().
        shown_at = getattr(self, "_printed_at", None)
        if shown_at is None or shown_at != _execution_count():
            print(self.report())

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class NotebookResult:
    """A graded submission: which notebook, whose, which chapter, and its tasks."""

    path: str
    student: str
    chapter: int | None
    tasks: list[CheckResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # cell errors, time limits, ...
    status: str = "graded"  # or UNREADABLE, WRONG_CHAPTER, UNKNOWN_CHAPTER, TIMEOUT, CRASHED
    content_hash: str = ""  # sha256 of the file graded (for --only-changed)

    @property
    def score(self) -> int:
        return sum(t.earned for t in self.tasks)

    @property
    def max_score(self) -> int:
        return sum(t.points for t in self.tasks)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(score=self.score, max_score=self.max_score)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NotebookResult:
        names = {f.name for f in fields(cls)} - {"tasks"}
        result = cls(**{k: v for k, v in data.items() if k in names})
        result.tasks = [CheckResult.from_dict(t) for t in data.get("tasks", [])]
        return result


def _indent(text: str) -> str:
    """Line up the 2nd+ lines of a multi-line repr under the first."""
    return text.replace("\n", "\n" + " " * 12)


def _execution_count() -> int | None:
    """The running IPython cell's number, or None outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return getattr(shell, "execution_count", None) if shell is not None else None
