"""Building exercises from solutions: deterministic, idempotent, and never loses a learner's work.

The solution notebooks in solutions/ are the single source; exercises/ must be what
`build_exercises` makes of them (checked here through the hashes in their metadata, so a
learner's own edits to exercises/ do not fail this test).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tinygrad_edu.grading.build import BuildError, build_exercises, stale_exercises
from tinygrad_edu.grading.notebooks import content_hash, notebook_bytes, read_notebook

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
WARMUP = "00_warmup.ipynb"


@pytest.fixture
def course(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the warm-up solution and an empty exercises folder, both under tmp_path.

    Only the warm-up: these tests are about the builder, and the messages they expect name
    one notebook (the other chapters have tests of their own).
    """
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    shutil.copy(SOLUTIONS / WARMUP, solutions / WARMUP)
    return solutions, tmp_path / "exercises"


def _edit_cell(path: Path, index: int, source: str) -> None:
    """Change one cell's source, as a learner (or author) typing in Jupyter would."""
    nb = nbformat.read(path, as_version=4)
    nb.cells[index].source = source
    nbformat.write(nb, path)


def test_exercises_are_up_to_date_with_solutions():
    problems = stale_exercises(SOLUTIONS, EXERCISES)
    assert not problems, "\n".join(problems) + "\nrun: tinygrad-edu build-exercises"


def test_committed_solutions_are_stripped():
    for path in sorted(SOLUTIONS.glob("*.ipynb")):
        nb = read_notebook(path)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, f"{path} cell {i}"


def test_exercise_has_stubs_and_no_answers(course):
    solutions, exercises = course
    build_exercises(solutions, exercises, verbose=False)
    nb = read_notebook(exercises / WARMUP)
    text = "\n".join(c.source for c in nb.cells)
    assert "### BEGIN SOLUTION" not in text and "### END SOLUTION" not in text
    assert "return a + b" not in text, "an answer leaked into the exercise"
    assert text.count("    # YOUR CODE HERE\n    raise NotImplementedError") == 3
    assert [c.id for c in nb.cells] == [f"cell-{i:02d}" for i in range(len(nb.cells))]
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    meta = nb.metadata["tinygrad_edu"]
    assert meta["chapter"] == 0
    assert meta["generated_hash"] == content_hash(nb)
    assert meta["source_hash"] == content_hash(read_notebook(solutions / WARMUP))


def test_building_is_deterministic_and_idempotent(course, tmp_path):
    solutions, exercises = course
    assert build_exercises(solutions, exercises, verbose=False) == [
        f"{exercises / WARMUP}: written"
    ]
    first = (exercises / WARMUP).read_bytes()
    mtime = os.stat(exercises / WARMUP).st_mtime_ns
    again = build_exercises(solutions, exercises, verbose=False)
    assert again == [f"{exercises / WARMUP}: up to date"]
    assert os.stat(exercises / WARMUP).st_mtime_ns == mtime, "an idempotent build writes nothing"
    elsewhere = tmp_path / "elsewhere"
    build_exercises(solutions, elsewhere, verbose=False)
    assert (elsewhere / WARMUP).read_bytes() == first, "the same source must give the same bytes"
    assert first == (EXERCISES / WARMUP).read_bytes(), "the committed exercise differs"
    nb = nbformat.reads(first.decode(), as_version=4)
    assert notebook_bytes(nb) == first, "not written the way nbformat writes"


def test_a_learners_edits_are_never_overwritten(course):
    solutions, exercises = course
    build_exercises(solutions, exercises, verbose=False)
    mine = exercises / WARMUP
    _edit_cell(mine, 3, "def add(a, b):\n    return a + b  # my answer")
    learner_bytes = mine.read_bytes()

    # Nothing changed in the solution: the edited exercise is simply up to date.
    assert build_exercises(solutions, exercises, verbose=False) == [
        f"{mine}: up to date (with your edits)"
    ]

    # The author changes the solution: the new version goes beside the learner's file.
    _edit_cell(solutions / WARMUP, 0, "# 00 · Warm-up (second edition)")
    [message] = build_exercises(solutions, exercises, verbose=False)
    new = exercises / "00_warmup.new.ipynb"
    assert mine.read_bytes() == learner_bytes, "the learner's notebook was overwritten"
    assert "has your edits, so it was kept" in message and str(new) in message
    assert "second edition" in read_notebook(new).cells[0].source

    # Building again changes nothing and repeats the message.
    assert build_exercises(solutions, exercises, verbose=False) == [message]

    # The learner starts working in the .new file too: neither file is touched any more.
    _edit_cell(new, 3, "def add(a, b):\n    return b + a")
    _edit_cell(solutions / WARMUP, 0, "# 00 · Warm-up (third edition)")
    new_bytes = new.read_bytes()
    [message] = build_exercises(solutions, exercises, verbose=False)
    assert "both hold your edits" in message
    assert mine.read_bytes() == learner_bytes and new.read_bytes() == new_bytes


def test_an_unedited_exercise_is_updated_and_outputs_alone_are_not_edits(course):
    solutions, exercises = course
    build_exercises(solutions, exercises, verbose=False)
    mine = exercises / WARMUP
    nb = nbformat.read(mine, as_version=4)  # the learner runs it: outputs, counts
    nb.cells[4].outputs = [nbformat.v4.new_output("stream", name="stdout", text="PASSED\n")]
    nb.cells[4].execution_count = 1
    nbformat.write(nb, mine)
    ran = mine.read_bytes()
    assert build_exercises(solutions, exercises, verbose=False) == [f"{mine}: up to date"]
    assert mine.read_bytes() == ran, "outputs are not a reason to rewrite"

    _edit_cell(solutions / WARMUP, 0, "# 00 · Warm-up (second edition)")
    assert build_exercises(solutions, exercises, verbose=False) == [f"{mine}: updated"]
    assert "second edition" in read_notebook(mine).cells[0].source
    assert not (exercises / "00_warmup.new.ipynb").exists()


def test_stale_exercises_notices_a_changed_solution(course):
    solutions, exercises = course
    assert stale_exercises(solutions, exercises) == [f"{exercises / WARMUP} is missing"]
    build_exercises(solutions, exercises, verbose=False)
    assert stale_exercises(solutions, exercises) == []
    _edit_cell(solutions / WARMUP, 0, "# changed")
    assert stale_exercises(solutions, exercises) == [
        f"{exercises / WARMUP} is out of date with {solutions / WARMUP}"
    ]


@pytest.mark.parametrize(
    ("index", "source", "error"),
    [
        (3, "### BEGIN SOLUTION\nx = 1\n### END SOLUTION", "inside a def or class"),
        (3, "def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b", "never closed"),
        (3, "def add(a, b):\n    return a + b\n    ### END SOLUTION", "without a ### BEGIN"),
        (4, "print('no check here')", "no check('ch00.add', add) cell"),
        (4, "check('ch00.add', plus)", "must pass `add`"),
        (4, "check('ch00.add', add)\ncheck('ch00.nope', nope)", "names no task of chapter 0"),
        (2, "## Task `ch00.add` (3 points)", "no markdown cell names ch00.add with its '1 point'"),
    ],
)
def test_a_broken_solution_is_refused_with_where_and_why(course, index, source, error):
    solutions, exercises = course
    _edit_cell(solutions / WARMUP, index, source)
    with pytest.raises(BuildError, match="00_warmup.ipynb") as info:
        build_exercises(solutions, exercises, verbose=False)
    assert error in str(info.value)
    assert not (exercises / WARMUP).exists(), "nothing is written when a solution is broken"


def test_fresh_exercises_run_top_to_bottom_under_nbval(course):
    solutions, exercises = course
    build_exercises(solutions, exercises, verbose=False)
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    )
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--nbval-lax",
        "--nbval-current-env",
        "--nbval-cell-timeout=60",
        str(exercises / WARMUP),
    ]
    run = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=300, cwd=exercises
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "passed" in run.stdout
