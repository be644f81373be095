"""Grading: ``check()`` in the notebooks, and the instructor's tools behind ``tinygrad-edu``.

* `check` (notebook side): ``check("ch00.add", add)`` tries a learner's answer and prints
  how it went; it never raises.
* `task` / `Case` (chapter authors): register a task's cases in ``grading/chNN.py``.
* `build_exercises`: solutions/NN_*.ipynb -> exercises/NN_*.ipynb with the answers removed.
* `grade`: run each submitted notebook in a sandbox (`sandbox.py`, `worker.py`) and judge
  its plain-data answers here, against expected values computed here; writes a gradebook.
* `release`: the student copy of the course (no solutions, references or hidden cases).
* `progress`: which exercises already pass, chapter by chapter.

The instructor tools load lazily, so ``from tinygrad_edu.grading import check`` in a
notebook stays quick.
"""

from __future__ import annotations

import importlib
from typing import Any

from tinygrad_edu.grading.check import check
from tinygrad_edu.grading.results import CheckResult, NotebookResult
from tinygrad_edu.grading.tasks import Case, Task, get_task, load_chapter, task

# name -> module. The modules are not named like the functions (no `progress.py`): importing
# a submodule sets the package attribute of its name, which would hide the function.
_LAZY = {
    "build_exercises": "tinygrad_edu.grading.build",
    "stale_exercises": "tinygrad_edu.grading.build",
    "grade": "tinygrad_edu.grading.grader",
    "grade_notebook": "tinygrad_edu.grading.grader",
    "progress": "tinygrad_edu.grading.progress_report",
    "release": "tinygrad_edu.grading.student_release",
}

__all__ = [
    "Case",
    "CheckResult",
    "NotebookResult",
    "Task",
    "check",
    "get_task",
    "load_chapter",
    "task",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'tinygrad_edu.grading' has no attribute {name!r}")
