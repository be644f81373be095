"""The grader survives whatever a careless submission does, reports it, never touches the file.

Hostile submissions (attacks on the grader itself) are in test_grading_attacks.py.

One folder of submissions is graded once (module fixture); each is the warm-up solution or
exercise with one thing done to it, and each test reads its own row. The submissions are
made here in tmp folders (see `SUBMISSIONS`), not committed: they stay in step with the
notebooks they are made from.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

from tinygrad_edu.grading import grade, grade_notebook, progress, run_worker
from tinygrad_edu.grading.notebooks import notebook_bytes
from tinygrad_edu.grading.results import NotebookResult

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "00_warmup.ipynb"
EXERCISE = ROOT / "exercises" / "00_warmup.ipynb"
TASKS = ["ch00.add", "ch00.square_all", "ch00.row_means"]
CELL_TIMEOUT = 5  # seconds; the solution's cells need well under one, even on a busy machine
# Cell positions in the warm-up notebook.
IMPORTS, ADD_DEF, ADD_CHECK, SQUARE_DEF, SQUARE_CHECK, MEANS_DEF, MEANS_CHECK = 1, 3, 4, 6, 7, 9, 10


def _load(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _insert(nb: nbformat.NotebookNode, index: int, source: str) -> nbformat.NotebookNode:
    nb.cells.insert(index, nbformat.v4.new_code_cell(source))
    return nb


def _replace(nb: nbformat.NotebookNode, index: int, source: str) -> nbformat.NotebookNode:
    nb.cells[index].source = source
    return nb


def _swap_defs_and_checks(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    for d, c in ((ADD_DEF, ADD_CHECK), (SQUARE_DEF, SQUARE_CHECK), (MEANS_DEF, MEANS_CHECK)):
        nb.cells[d], nb.cells[c] = nb.cells[c], nb.cells[d]
    return nb


def _other_chapter(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb.metadata["tinygrad_edu"]["chapter"] = 5
    return nb


STUBBORN_LOOP = """\
import time
while True:
    try:
        time.sleep(0.05)
    except KeyboardInterrupt:
        pass  # swallows a Jupyter interrupt, not the grader's time limit"""

UNSTOPPABLE_LOOP = """\
import time
while True:
    try:
        time.sleep(0.05)
    except BaseException:
        pass  # swallows even the grader's time limit: only killing the sandbox ends it"""

CHEAT = """\
def check(*args, **kwargs):
    print("PASSED, all of it")
import tinygrad_edu.grading.check as _c, tinygrad_edu.grading.tasks as _t
_c.evaluate = lambda *a, **k: None
_t._REGISTRY.clear()
check("ch00.add", add)"""

# name -> (made from, what is done to it); bytes instead of a function: the file's content.
SUBMISSIONS: dict[str, tuple[Path, Callable] | bytes] = {
    "solution": (SOLUTION, lambda nb: nb),
    "fresh_exercise": (EXERCISE, lambda nb: nb),
    "loop_in_a_cell": (SOLUTION, lambda nb: _insert(nb, 2, "while True:\n    pass")),
    "loop_ignoring_interrupts": (SOLUTION, lambda nb: _insert(nb, 2, STUBBORN_LOOP)),
    "loop_ignoring_everything": (SOLUTION, lambda nb: _insert(nb, 2, UNSTOPPABLE_LOOP)),
    "loop_in_a_function": (
        SOLUTION,
        lambda nb: _replace(nb, ADD_DEF, "def add(a, b):\n    while True:\n        pass"),
    ),
    "exception": (
        SOLUTION,
        lambda nb: _insert(
            _replace(nb, ADD_DEF, "def add(a, b):\n    return a / 0"), 2, "undefined_name + 1"
        ),
    ),
    "syntax_error": (SOLUTION, lambda nb: _replace(nb, ADD_DEF, "def add(a, b)\n    return a + b")),
    "deleted_cells": (
        SOLUTION,
        lambda nb: _replace(nb, ADD_DEF, "") and nb.cells.pop(ADD_CHECK) and nb,
    ),
    "reordered_cells": (SOLUTION, _swap_defs_and_checks),
    "redefined_check": (EXERCISE, lambda nb: _insert(nb, len(nb.cells), CHEAT)),
    "huge_output": (
        SOLUTION,
        lambda nb: _insert(
            nb, 2, "for i in range(100_000):\n    print('spam ' * 20)\nprint('x' * 50_000_000)"
        ),
    ),
    "kernel_dies": (SOLUTION, lambda nb: _insert(nb, 2, "import os\nos._exit(3)")),
    "other_chapter": (SOLUTION, _other_chapter),
    "corrupt_json": b'{"cells": [{"cell_type": "code", "sour',
    "not_a_notebook": b'{"cells": 3, "metadata": {}}',
    "empty_file": b"",
}


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict:
    """Grade all SUBMISSIONS in one folder: {"results": {name: NotebookResult}, ...}."""
    folder = tmp_path_factory.mktemp("submissions")
    for name, how in SUBMISSIONS.items():
        path = folder / name / "00_warmup.ipynb"
        path.parent.mkdir()
        if isinstance(how, bytes):
            path.write_bytes(how)
        else:
            source, change = how
            path.write_bytes(notebook_bytes(change(copy.deepcopy(_load(source)))))
    before = _snapshot(folder)
    gradebook = tmp_path_factory.mktemp("gradebook")
    printed = io.StringIO()
    start = time.monotonic()
    with contextlib.redirect_stdout(printed):
        results = grade([folder], gradebook, cell_timeout=CELL_TIMEOUT, total_timeout=20)
    return {
        "results": {r.student.split("/")[0]: r for r in results},
        "seconds": time.monotonic() - start,
        "unchanged": before == _snapshot(folder),
        "printed": printed.getvalue(),
        "gradebook": gradebook,
    }


def _row(graded: dict, name: str) -> NotebookResult:
    return graded["results"][name]


def _statuses(result: NotebookResult) -> dict[str, str]:
    return {t.task_id: t.status for t in result.tasks}


def _full_marks(result: NotebookResult) -> bool:
    return result.score == result.max_score == 5


def test_every_submission_got_a_row_and_none_was_modified(graded):
    assert set(graded["results"]) == set(SUBMISSIONS)
    assert graded["unchanged"], "grading modified a submission (bytes or mtime)"


def test_the_solution_scores_100_percent(graded):
    result = _row(graded, "solution")
    assert _full_marks(result), result
    assert result.notes == []
    assert all(t.passed == t.total > 3 for t in result.tasks), "hidden cases must run too"


def test_fresh_exercises_score_zero(graded):
    result = _row(graded, "fresh_exercise")
    assert result.score == 0
    assert set(_statuses(result).values()) == {"not attempted"}


def test_an_infinite_loop_in_a_cell_is_interrupted_and_the_rest_graded(graded):
    result = _row(graded, "loop_in_a_cell")
    assert _full_marks(result)
    stopped = f"(while True:) was stopped after {CELL_TIMEOUT} s"
    assert any(stopped in n for n in result.notes), result.notes


def test_a_loop_that_ignores_keyboard_interrupts_is_still_stopped(graded):
    result = _row(graded, "loop_ignoring_interrupts")
    assert _full_marks(result)
    assert any(f"was stopped after {CELL_TIMEOUT} s" in n for n in result.notes), result.notes


def test_a_loop_that_ignores_everything_stops_the_run(graded):
    result = _row(graded, "loop_ignoring_everything")
    assert result.status == "timeout"
    assert _statuses(result) == dict.fromkeys(TASKS, "timeout")
    assert "kept running past the time limit" in result.tasks[0].message


def test_an_infinite_loop_in_a_function_times_out_that_task_only(graded):
    result = _row(graded, "loop_in_a_function")
    assert _statuses(result) == {
        "ch00.add": "timeout",
        "ch00.square_all": "passed",
        "ch00.row_means": "passed",
    }


def test_an_exception_fails_its_task_and_is_noted(graded):
    result = _row(graded, "exception")
    add = result.tasks[0]
    assert add.status == "failed" and "ZeroDivisionError" in add.got
    assert "your line 2: return a / 0" in add.got
    assert result.score == 4
    assert any("raised NameError: name 'undefined_name' is not defined" in n for n in result.notes)


def test_a_syntax_error_makes_the_task_missing_and_says_why(graded):
    result = _row(graded, "syntax_error")
    assert _statuses(result)["ch00.add"] == "missing"
    assert "SyntaxError" in result.tasks[0].message
    assert result.score == 4


def test_deleted_cells_make_the_task_missing(graded):
    result = _row(graded, "deleted_cells")
    assert _statuses(result) == {
        "ch00.add": "missing",
        "ch00.square_all": "passed",
        "ch00.row_means": "passed",
    }
    assert "`add` is not defined" in result.tasks[0].feedback()


def test_reordered_cells_are_graded_on_what_ran(graded):
    result = _row(graded, "reordered_cells")
    assert _full_marks(result), "the functions are defined in the end, so they are graded"
    assert any("raised NameError" in n for n in result.notes), "the early check cells failed"


def test_a_student_who_redefines_check_gains_nothing(graded):
    result = _row(graded, "redefined_check")
    assert result.score == 0
    assert set(_statuses(result).values()) == {"not attempted"}


def test_huge_output_is_cut_and_grading_goes_on(graded):
    result = _row(graded, "huge_output")
    assert _full_marks(result)
    assert result.notes == [], "the printing cell should finish quickly once its output is cut"


def test_a_dying_kernel_is_reported(graded):
    result = _row(graded, "kernel_dies")
    assert result.status == "crashed"
    assert _statuses(result) == dict.fromkeys(TASKS, "crashed")
    assert "process ended" in result.tasks[0].message


@pytest.mark.parametrize("name", ["corrupt_json", "not_a_notebook", "empty_file"])
def test_a_corrupt_notebook_is_unreadable_not_a_crash(graded, name):
    result = _row(graded, name)
    assert result.status == "unreadable"
    assert _statuses(result) == dict.fromkeys(TASKS, "unreadable"), (
        "the file name gives its chapter"
    )
    assert result.max_score == 5 and result.score == 0


def test_a_notebook_of_another_chapter_is_reported(graded):
    result = _row(graded, "other_chapter")
    assert result.status == "wrong chapter"
    assert "chapter 05, handed in as chapter 00" in result.tasks[0].message


def test_grading_a_folder_prints_a_table_and_writes_a_gradebook(graded):
    assert "ch00.add                  1/1  passed" in graded["printed"]
    with open(graded["gradebook"] / "gradebook.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == sum(len(r.tasks) + 1 for r in graded["results"].values())
    totals = {r["student"].split("/")[0]: r for r in rows if r["task"] == "TOTAL"}
    assert totals["solution"]["points"] == "5" and totals["fresh_exercise"]["points"] == "0"
    data = json.loads((graded["gradebook"] / "gradebook.json").read_text(encoding="utf-8"))
    assert len(data["submissions"]) == len(SUBMISSIONS)
    print(f"graded {len(SUBMISSIONS)} submissions in {graded['seconds']:.1f} s")


def test_grading_as_another_chapter_is_reported_without_running(tmp_path):
    start = time.monotonic()
    result = grade_notebook(SOLUTION, chapter=3)
    assert result.status == "wrong chapter" and time.monotonic() - start < 5
    assert "chapter 00, handed in as chapter 03" in result.tasks[0].message


def test_a_notebook_with_no_chapter_is_reported(tmp_path):
    nb = _load(SOLUTION)
    del nb.metadata["tinygrad_edu"]
    path = tmp_path / "homework.ipynb"
    path.write_bytes(notebook_bytes(nb))
    result = grade_notebook(path)
    assert result.status == "unknown chapter" and "--chapter" in result.tasks[0].message


def test_the_hard_time_limit_kills_the_sandbox_and_everything_in_it(tmp_path, monkeypatch):
    path = tmp_path / "00_warmup.ipynb"
    marker = f"tinygrad-edu-test-{os.getpid()}-{time.time_ns()}"
    daemon = (
        "import os, sys\nif os.fork() == 0:\n    os.setsid()\n"
        "    sleep = 'import time; time.sleep(600)'\n"
        f"    os.execv(sys.executable, [sys.executable, '-c', sleep, {marker!r}])\n"
    )
    nb = _insert(_insert(_load(SOLUTION), 2, UNSTOPPABLE_LOOP), 2, daemon)
    path.write_bytes(notebook_bytes(nb))
    monkeypatch.setattr(run_worker, "STARTUP_MARGIN", 3.0)
    start = time.monotonic()
    result = grade_notebook(path, cell_timeout=100, total_timeout=3)
    assert result.status == "timeout" and time.monotonic() - start < 20
    time.sleep(0.5)
    assert not _processes_with(marker), "a process of the killed run is still alive"


def _processes_with(marker: str) -> list[int]:
    """Pids of live processes whose command line holds ``marker``."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if marker.encode() in cmdline.read_bytes():
                if "State:\tZ" not in (cmdline.parent / "status").read_text():
                    pids.append(int(cmdline.parent.name))
        except OSError:
            continue
    return pids


def test_progress_lists_each_task_of_each_chapter(tmp_path, capsys):
    exercises = tmp_path / "exercises"
    exercises.mkdir()
    nb = _replace(_load(EXERCISE), ADD_DEF, "def add(a, b):\n    return a + b")
    (exercises / "00_warmup.ipynb").write_bytes(notebook_bytes(nb))
    (exercises / "00_warmup.new.ipynb").write_bytes(EXERCISE.read_bytes())  # skipped
    [result] = progress(exercises)
    out = capsys.readouterr().out
    assert result.score == 1
    assert "Chapter 00  00_warmup.ipynb  1/3 tasks pass, 1/5 points" in out
    assert "[x] ch00.add" in out and "[ ] ch00.square_all" in out
