"""The grader's last cell: grade the tasks against the names the notebook defined.

The grader appends, in memory only, a cell that forgets every ``tinygrad_edu.grading``
module the notebook may have imported (or patched), imports this file afresh, and calls
`grade_namespace`. So the checks come from the installed package, never from the copy in
the submission, and a learner who redefines ``check`` changes nothing.
"""

from __future__ import annotations

import json
import os
from typing import Any

from tinygrad_edu.grading.check import MISSING_OBJECT, evaluate
from tinygrad_edu.grading.tasks import load_chapter

# The source of the appended cell. It names nothing it does not create (a learner may have
# rebound `globals`, `sys` or `list`), and prefixes its names to stay out of the way.
GRADING_CELL = """\
import builtins as _tge_builtins, sys as _tge_sys
for _tge_name in _tge_builtins.list(_tge_sys.modules):
    if _tge_name.startswith("tinygrad_edu.grading"):
        del _tge_sys.modules[_tge_name]
import tinygrad_edu.grading.runner as _tge_runner
_tge_runner.grade_namespace(_tge_builtins.globals(), chapter={chapter}, out={out!r})
"""


def grading_cell(chapter: int, out: str) -> str:
    """The grading cell for ``chapter``, writing its JSON answer to the file ``out``."""
    return GRADING_CELL.format(chapter=chapter, out=out)


def grading_time(chapter: int) -> float:
    """Seconds the grading cell may need: every task's time limit, plus a margin."""
    return 30.0 + sum(t.time_limit for t in load_chapter(chapter))


def grade_namespace(namespace: dict[str, Any], chapter: int, out: str) -> None:
    """Evaluate every task of ``chapter`` (hidden cases included) and write JSON to ``out``.

    The answer goes to a file named only in the grading cell, not to stdout, so nothing the
    notebook printed or patched earlier can forge or drown it.
    """
    results = [
        evaluate(t, namespace.get(t.object_name, MISSING_OBJECT), hidden=True).to_dict()
        for t in load_chapter(chapter)
    ]
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(results, f)
    os.replace(tmp, out)
