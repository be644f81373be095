"""The gradebook: every submission's tasks as CSV (for a spreadsheet) and JSON (for code).

gradebook.csv has one row per student and task, then a ``TOTAL`` row per submission;
gradebook.json holds the same submissions with their notes (cell errors, time limits).
Rows are sorted by notebook path, so grading the same folder twice writes the same files.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tinygrad_edu.grading.results import NotebookResult

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
    return out


def write_gradebook(results: list[NotebookResult], folder: str | Path) -> list[Path]:
    """Write gradebook.csv and gradebook.json into ``folder``; return their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    csv_path, json_path = folder / "gradebook.csv", folder / "gradebook.json"
    with open(csv_path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows(results))
    submissions = [r.to_dict() for r in sorted(results, key=lambda r: r.path)]
    json_path.write_text(json.dumps({"submissions": submissions}, indent=1) + "\n", "utf-8")
    return [csv_path, json_path]
