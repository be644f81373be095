"""The gradebook of a class (issue #16): one row per student, written as grading goes,
idempotent, resumable with --only-changed; parallel jobs and a Dask cluster give the same."""

from __future__ import annotations

import contextlib
import csv
import io
import shutil
from pathlib import Path

import nbformat
import pytest

from tinygrad_edu.grading import grade
from tinygrad_edu.grading.gradebook import Gradebook
from tinygrad_edu.grading.notebooks import notebook_bytes
from tinygrad_edu.grading.tasks import load_chapter

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "00_warmup.ipynb"
EXERCISE = ROOT / "exercises" / "00_warmup.ipynb"
ADD_DEF = 3
CH01 = sum(t.points for t in load_chapter(1))  # alice hands in the solution: every point


def _with_add(source: str) -> bytes:
    nb = nbformat.read(EXERCISE, as_version=4)
    nb.cells[ADD_DEF].source = source
    return notebook_bytes(nb)


def _class(folder: Path) -> Path:
    """alice: chapters 00 (5/5) and 01 (the solution); bob: 00 with add only (1/5)."""
    (folder / "alice").mkdir(parents=True)
    (folder / "bob").mkdir()
    shutil.copy(SOLUTION, folder / "alice" / "00_warmup.ipynb")
    shutil.copy(ROOT / "solutions" / "01_tensors.ipynb", folder / "alice" / "01_tensors.ipynb")
    (folder / "bob" / "00_warmup.ipynb").write_bytes(_with_add("def add(a, b):\n    return a + b"))
    return folder


def _quiet_grade(*args, **kwargs):
    with contextlib.redirect_stdout(io.StringIO()):
        return grade(*args, **kwargs)


def _summary(book: Path) -> dict[str, dict]:
    with open(book / "summary.csv", newline="", encoding="utf-8") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def test_summary_has_one_row_per_student_with_chapter_points_and_total(tmp_path):
    subs, book = _class(tmp_path / "subs"), tmp_path / "book"
    _quiet_grade([subs], book, jobs=2)
    rows = _summary(book)
    assert set(rows) == {"alice", "bob"}
    assert rows["alice"]["ch00"] == "5" and rows["alice"]["ch01"] == str(CH01)
    assert rows["alice"]["total"] == str(5 + CH01) and rows["bob"]["total"] == "1"
    assert rows["bob"]["ch01"] == "", "nothing handed in is an empty cell, not a zero"
    with open(book / "gradebook.csv", newline="", encoding="utf-8") as f:
        tasks = [r for r in csv.DictReader(f) if r["student"] == "bob" and r["task"] != "TOTAL"]
    assert [r["task"] for r in tasks] == ["ch00.add", "ch00.square_all", "ch00.row_means"]
    first = {p.name: p.read_bytes() for p in book.glob("*.csv")}
    _quiet_grade([subs], book, jobs=1)
    assert {p.name: p.read_bytes() for p in book.glob("*.csv")} == first, "regrading is idempotent"


def test_only_changed_regrades_just_what_changed(tmp_path):
    subs, book = _class(tmp_path / "subs"), tmp_path / "book"
    _quiet_grade([subs], book)
    (subs / "bob" / "00_warmup.ipynb").write_bytes(SOLUTION.read_bytes())
    graded = []
    _quiet_grade([subs], book, only_changed=True, progress=graded.append)
    assert [r.student for r in graded] == ["bob"]
    assert _summary(book)["bob"]["total"] == "5"
    assert _summary(book)["alice"]["total"] == str(5 + CH01)


def test_a_killed_run_keeps_what_was_graded(tmp_path):
    subs, book = _class(tmp_path / "subs"), tmp_path / "book"
    _quiet_grade([subs], book)
    with open(book / "results.jsonl", "a", encoding="utf-8") as f:
        f.write('{"path": "cut short by a kill')  # the line a killed run was writing
    loaded = Gradebook(book)
    assert len(loaded.results) == 3
    graded = []
    _quiet_grade([subs], book, only_changed=True, progress=graded.append)
    assert graded == [], "a rerun with --only-changed resumes: nothing left to do"


def test_the_student_id_pattern_can_be_changed(tmp_path):
    subs = tmp_path / "flat"
    subs.mkdir()
    shutil.copy(SOLUTION, subs / "alice_00_warmup.ipynb")
    (subs / "bob_00_warmup.ipynb").write_bytes(_with_add("def add(a, b):\n    return a + b"))
    results = _quiet_grade(
        [subs], tmp_path / "book", student_pattern=r"^(?P<student>[^_]+)_", chapter=0
    )
    assert {r.student: r.score for r in results} == {"alice": 5, "bob": 1}


def test_grading_on_a_dask_cluster_gives_the_same_gradebook(tmp_path):
    distributed = pytest.importorskip("distributed")
    subs = _class(tmp_path / "subs")
    _quiet_grade([subs], tmp_path / "local", jobs=2)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        _quiet_grade([subs], tmp_path / "dask", dask=client)
    assert _summary(tmp_path / "dask") == _summary(tmp_path / "local")
