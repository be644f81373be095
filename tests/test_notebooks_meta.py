"""The notebooks' shape: clean when committed, and every lesson built the same way.

nbval checks that each notebook *runs*; these tests check what a learner relies on before
running anything:

* every committed notebook (``notebooks/``, ``solutions/``, ``exercises/``) is stripped: no
  outputs and no execution counts (nbval fails on stored outputs without a count, and
  untrusted stored outputs show a text fallback instead of a graph; ``make strip`` fixes it);
* the lessons are chapters ``00`` to ``09`` (at least), numbered without gaps, and each
  title's number matches its file name (``# 06 · Dynamic graphs`` in ``06_*.ipynb``);
* every lesson has a "Learning goals" section, a "This chapter builds" line, at least one
  graph drawing (a ``draw_...(`` call), at least one ``assert`` check, and a "Summary" that
  points to its exercise notebook (``exercises/06_....ipynb``, which must exist).
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
FOLDERS = ("notebooks", "solutions", "exercises")
FIRST_CHAPTERS = list(range(10))  # 00 .. 09 must all exist

ALL_NOTEBOOKS = sorted(
    p for d in FOLDERS for p in (REPO / d).rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
)
LESSONS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def chapter(path: Path) -> int:
    return int(path.name[:2])


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=nbformat.NO_CONVERT)


def markdown(nb: nbformat.NotebookNode) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


def code(nb: nbformat.NotebookNode) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


# ---------------------------------------------------------------------------- every notebook
@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=rel)
def test_committed_notebook_is_stripped(path: Path) -> None:
    nb = read(path)
    dirty = [
        f"cell {i} ({'outputs' if c.get('outputs') else 'execution_count'})"
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)
    ]
    assert not dirty, (
        f"{rel(path)} holds outputs or execution counts in {', '.join(dirty)}. Commit notebooks "
        "stripped: run `make strip` (or .venv/bin/python tools/strip_notebooks.py)."
    )


def test_there_are_notebooks() -> None:
    assert LESSONS, "no lessons found: notebooks/NN_name.ipynb"


# ---------------------------------------------------------------------------- the chapters
def test_chapters_exist_in_order() -> None:
    numbers = [chapter(p) for p in LESSONS]
    duplicates = sorted({n for n in numbers if numbers.count(n) > 1})
    assert not duplicates, f"two lessons share a chapter number: {duplicates}"
    missing = [f"{n:02d}" for n in FIRST_CHAPTERS if n not in numbers]
    assert not missing, f"chapters missing from notebooks/: {missing}"
    gaps = [f"{n:02d}" for n in range(max(numbers) + 1) if n not in numbers]
    assert not gaps, f"chapter numbers must run without gaps; missing: {gaps}"


@pytest.mark.parametrize("path", LESSONS, ids=rel)
def test_title_number_matches_file_name(path: Path) -> None:
    nb = read(path)
    first = nb.cells[0] if nb.cells else None
    assert first is not None and first.cell_type == "markdown", (
        f"{rel(path)} must open with a Markdown title cell, e.g. '# {path.name[:2]} · Title'"
    )
    title = first.source.lstrip().splitlines()[0]
    match = re.match(r"#\s+(\d+)\b", title)
    assert match, f"{rel(path)}: the first line should be '# {path.name[:2]} · Title': {title!r}"
    assert int(match.group(1)) == chapter(path), (
        f"{rel(path)}: the title says chapter {match.group(1)} but the file name says "
        f"{path.name[:2]}: {title!r}"
    )


@pytest.mark.parametrize("path", LESSONS, ids=rel)
def test_lesson_has_learning_goals_and_builds_line(path: Path) -> None:
    text = "\n".join(markdown(read(path)))
    assert re.search(r"^#{2,3}\s+Learning goals", text, re.M | re.I), (
        f"{rel(path)} needs a '## Learning goals' section"
    )
    assert re.search(r"This chapter builds", text, re.I), (
        f"{rel(path)} needs a 'This chapter builds: `tinygrad_edu/...`' line under its title"
    )


@pytest.mark.parametrize("path", LESSONS, ids=rel)
def test_lesson_draws_a_graph_and_checks_with_assert(path: Path) -> None:
    source = "\n".join(code(read(path)))
    assert re.search(r"\bdraw_\w+\(", source), (
        f"{rel(path)} draws no graph: call draw_graph / draw_side_by_side / draw_backward_steps"
    )
    assert re.search(r"^\s*assert\b", source, re.M), (
        f"{rel(path)} has no assert: with outputs stripped, asserts are nbval's only checks"
    )


@pytest.mark.parametrize("path", LESSONS, ids=rel)
def test_summary_points_to_the_exercises(path: Path) -> None:
    cells = markdown(read(path))
    starts = [i for i, s in enumerate(cells) if re.search(r"^#{2,3}\s+Summary", s, re.M)]
    assert starts, f"{rel(path)} needs a '## Summary' section"
    summary = "\n".join(cells[starts[-1]:])
    summary = summary[re.search(r"^#{2,3}\s+Summary", summary, re.M).start():]
    named = re.findall(rf"exercises/{path.name[:2]}_\w+\.ipynb", summary)
    assert named, (
        f"{rel(path)}: the Summary should name its exercise notebook "
        f"(exercises/{path.name[:2]}_....ipynb)"
    )
    missing = sorted({n for n in named if not (REPO / n).is_file()})
    assert not missing, f"{rel(path)}: its Summary points to {missing}, which does not exist"
