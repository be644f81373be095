"""The graded exercises of chapters 01-05: solutions score 100 %, fresh exercises 0.

Each notebook is graded once (module fixture), in a fresh kernel, exactly as a teacher's
``tinygrad-edu grade`` would: about 3 s a notebook. A grading note means a cell raised, so
``notes == []`` also says that the notebook runs top to bottom. The cheaper checks (every
reference passes its own cases, exercises are built from the solutions) need no kernel.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tinygrad_edu.grading import grade
from tinygrad_edu.grading.build import build_exercises, build_one
from tinygrad_edu.grading.check import evaluate
from tinygrad_edu.grading.results import NOT_ATTEMPTED, PASSED
from tinygrad_edu.grading.tasks import NOT_GIVEN, load_chapter

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = {
    1: "01_tensors.ipynb",
    2: "02_operations.ipynb",
    3: "03_scalar_autograd.ipynb",
    4: "04_function_and_engine.ipynb",
    5: "05_autograd_in_practice.ipynb",
}
CHAPTERS = sorted(NOTEBOOKS)
# Chapter 04 was split in two (issue #12): 05 has three tasks until the accumulation part
# (issue #11) joins them.
MIN_TASKS = {5: 3}


@pytest.fixture(scope="module")
def graded() -> dict:
    """{("solutions" | "exercises", chapter): NotebookResult}, one grading run each."""
    results = {}
    for folder in ("solutions", "exercises"):
        for chapter, name in NOTEBOOKS.items():
            [result] = grade(ROOT / folder / name, verbose=False, cell_timeout=30)
            results[folder, chapter] = result
    return results


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_chapter_has_enough_tasks_with_hidden_cases(chapter):
    tasks = load_chapter(chapter)
    assert len(tasks) >= MIN_TASKS.get(chapter, 4)
    for t in tasks:
        visible, every = t.cases(hidden=False), t.cases(hidden=True)
        assert visible, f"{t.id}: check() would show no case"
        assert len(every) > len(visible), f"{t.id}: the grader has no hidden case"
        assert t.time_limit <= 5, f"{t.id}: checks must be quick"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_reference_passes_its_own_cases(chapter):
    for t in load_chapter(chapter):
        if t.reference is None:  # every case states its expected value
            assert all(c.expected is not NOT_GIVEN for c in t.cases(hidden=True)), t.id
            continue
        result = evaluate(t, t.reference, hidden=True)
        assert result.status == PASSED, result.report()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_solution_scores_100_percent(graded, chapter):
    result = graded["solutions", chapter]
    assert result.notes == [], result.notes
    assert result.score == result.max_score > 0, [t.feedback() for t in result.tasks]
    assert [t.task_id for t in result.tasks] == [t.id for t in load_chapter(chapter)]
    for t in result.tasks:
        assert t.passed == t.total, t.feedback()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_a_fresh_exercise_scores_zero_and_runs_top_to_bottom(graded, chapter):
    result = graded["exercises", chapter]
    assert result.notes == [], "a cell of the fresh exercise raised: " + "; ".join(result.notes)
    assert result.score == 0
    assert {t.task_id: t.status for t in result.tasks} == {
        t.id: NOT_ATTEMPTED for t in load_chapter(chapter)
    }


def test_exercises_are_built_from_the_solutions_and_building_is_idempotent(tmp_path):
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    for name in NOTEBOOKS.values():
        shutil.copy(ROOT / "solutions" / name, solutions / name)
    exercises = tmp_path / "exercises"
    first = build_exercises(solutions, exercises, verbose=False)
    assert first == [f"{exercises / n}: written" for n in NOTEBOOKS.values()]
    again = build_exercises(solutions, exercises, verbose=False)
    assert again == [f"{exercises / n}: up to date" for n in NOTEBOOKS.values()]
    for name in NOTEBOOKS.values():
        fresh, _ = build_one(ROOT / "solutions" / name)
        assert (exercises / name).read_bytes() == fresh
        assert (ROOT / "exercises" / name).read_bytes() == fresh, (
            f"exercises/{name} differs from a fresh build: run tinygrad-edu build-exercises"
        )
        text = fresh.decode()
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
