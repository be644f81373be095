"""``tinygrad-edu progress``: which of my exercises pass, chapter by chapter?

Grades each exercises/NN_*.ipynb the way the teacher's grader would (in a sandbox, hidden
cases included) and prints one line per task. The notebooks are only read.
"""

from __future__ import annotations

from pathlib import Path

from tinygrad_edu.grading.grader import grade
from tinygrad_edu.grading.notebooks import filename_chapter
from tinygrad_edu.grading.results import PASSED, NotebookResult


def progress(
    exercises_dir: str | Path = "exercises",
    cell_timeout: float = 30,
    total_timeout: float = 300,
    verbose: bool = True,
) -> list[NotebookResult]:
    """Grade every exercise notebook; print (if ``verbose``) and return the results."""
    notebooks = sorted(
        p
        for p in Path(exercises_dir).glob("*.ipynb")
        if filename_chapter(p) is not None and not p.name.endswith(".new.ipynb")
    )
    results = grade(
        notebooks, None, cell_timeout=cell_timeout, total_timeout=total_timeout, verbose=False
    )
    if verbose:
        print(format_progress(results) if results else f"no exercise notebooks in {exercises_dir}")
    return results


def format_progress(results: list[NotebookResult]) -> str:
    """``Chapter 00  00_warmup.ipynb  3/5 points`` and a [x] or [ ] line per task."""
    lines = []
    for r in results:
        done = sum(t.status == PASSED for t in r.tasks)
        chapter = f"{r.chapter:02d}" if r.chapter is not None else "??"
        lines.append(
            f"Chapter {chapter}  {Path(r.path).name}  {done}/{len(r.tasks)} tasks pass, "
            f"{r.score}/{r.max_score} points"
        )
        for t in r.tasks:
            mark = "x" if t.status == PASSED else " "
            lines.append(f"  [{mark}] {t.task_id:<24} {t.status:<14} {t.feedback()[:70]}")
        lines += [f"  note: {n}" for n in r.notes]
    total = sum(r.score for r in results), sum(r.max_score for r in results)
    lines.append(f"Total: {total[0]}/{total[1]} points")
    return "\n".join(lines)
