"""The gradebook: written as grading goes, so a stopped run loses nothing.

A gradebook folder holds:

* ``results.jsonl``: one JSON line per graded submission, appended (and flushed to disk)
  the moment it is graded. The last line for a notebook is its current grade; this file is
  what a rerun reads to resume (``--only-changed``) and to keep the other students' grades.
* ``gradebook.csv``: one row per submission and task, then a ``TOTAL`` row per submission;
* ``gradebook.json``: the same submissions with their notes (cell errors, time limits);
* ``summary.csv``: one row per student, the points of each chapter and the total, as
  nbgrader exports them.

The last three are rewritten after each submission: written to a temporary file, then
renamed over the old one, so a reader never sees half a file. Rows are sorted, so grading
the same folder twice writes the same files.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
from pathlib import Path

from tinygrad_edu.grading.results import NotebookResult
from tinygrad_edu.grading.submissions import Refused, Submission, read_submission
from tinygrad_edu.grading.tasks import chapters, load_chapter
from tinygrad_edu.grading.text import clean_text

COLUMNS = [
    "student",
    "notebook",
    "chapter",
    "task",
    "points",
    "max_points",
    "status",
    "cases_passed",
    "cases_total",
    "feedback",
]


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def rows(results: list[NotebookResult]) -> list[dict]:
    """The CSV rows: one per student x task, and a TOTAL row per submission."""
    out = []
    for r in sorted(results, key=lambda r: r.path):
        base = {"student": r.student, "notebook": r.path, "chapter": r.chapter}
        for t in r.tasks:
            out.append(
                base
                | {
                    "task": t.task_id,
                    "points": t.earned,
                    "max_points": t.points,
                    "status": t.status,
                    "cases_passed": t.passed,
                    "cases_total": t.total,
                    "feedback": t.feedback(),
                }
            )
        out.append(
            base
            | {
                "task": "TOTAL",
                "points": r.score,
                "max_points": r.max_score,
                "status": r.status,
                "cases_passed": "",
                "cases_total": "",
                "feedback": " | ".join(r.notes),
            }
        )
    return [
        {k: clean_text(v, 5000) if isinstance(v, str) else v for k, v in r.items()} for r in out
    ]


def summary_rows(results: list[NotebookResult]) -> tuple[list[str], list[dict]]:
    """One row per student: points per chapter (an empty cell: nothing handed in), total."""
    numbers = chapters()
    maxima = {n: sum(t.points for t in load_chapter(n)) for n in numbers}
    columns = ["student", *(f"ch{n:02d}" for n in numbers), "total", "max_total"]
    students: dict[str, dict] = {}
    for r in results:
        if r.status == "extra" or r.chapter not in maxima:
            continue
        row = students.setdefault(r.student, {"student": r.student})
        row[f"ch{r.chapter:02d}"] = r.score
    table = []
    for name in sorted(students):
        row = students[name]
        row["total"] = sum(row.get(f"ch{n:02d}", 0) for n in numbers)
        row["max_total"] = sum(maxima.values())
        table.append({k: clean_text(v, 200) if isinstance(v, str) else v for k, v in row.items()})
    return columns, table


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _csv(columns: list[str], table: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(table)
    return out.getvalue()


class Gradebook:
    """A gradebook folder (see the module docstring); earlier grades in it are kept."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.log = self.folder / "results.jsonl"
        self.results: dict[str, NotebookResult] = {}
        if self.log.exists():
            for line in self.log.read_text("utf-8", errors="replace").splitlines():
                try:
                    result = NotebookResult.from_dict(json.loads(line))
                except (ValueError, TypeError, AttributeError):
                    continue  # a line cut short by a killed run
                self.results[result.path] = result

    def unchanged(self, sub: Submission) -> NotebookResult | None:
        """The earlier result of ``sub`` if its file has not changed since, else None."""
        previous = self.results.get(sub.name)
        if previous is None or not previous.content_hash:
            return None
        try:
            same = file_hash(read_submission(sub)) == previous.content_hash
        except Refused:
            return None
        return previous if same else None

    def add(self, result: NotebookResult) -> None:
        """Append ``result`` to the log (on disk at once), then rewrite the tables."""
        line = json.dumps(result.to_dict(), ensure_ascii=True) + "\n"
        with open(self.log, "a", encoding="utf-8") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())
        self.results[result.path] = result
        self.write_summary()

    def files(self) -> list[Path]:
        return [self.folder / n for n in ("gradebook.csv", "gradebook.json", "summary.csv")]

    def write_summary(self) -> None:
        """Rewrite gradebook.csv, gradebook.json and summary.csv from every result so far."""
        results = sorted(self.results.values(), key=lambda r: r.path)
        csv_path, json_path, summary_path = self.files()
        _atomic_write(csv_path, _csv(COLUMNS, rows(results)))
        submissions = [r.to_dict() for r in results]
        text = json.dumps({"submissions": submissions}, indent=1, ensure_ascii=True) + "\n"
        _atomic_write(json_path, text)
        _atomic_write(summary_path, _csv(*summary_rows(results)))


def write_gradebook(results: list[NotebookResult], folder: str | Path) -> list[Path]:
    """Write gradebook.csv, gradebook.json and summary.csv for ``results`` into ``folder``."""
    book = Gradebook(folder)
    for result in results:
        book.results[result.path] = result
    book.write_summary()
    return book.files()
