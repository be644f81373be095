"""solutions/NN_*.ipynb -> exercises/NN_*.ipynb: the answers cut out, learners' work kept.

The solution notebook is the single source. In it, each answer sits between two marker
lines, inside a ``def`` or ``class`` so that the exercise still runs top to bottom::

    def add(a, b):
        ### BEGIN SOLUTION
        return a + b
        ### END SOLUTION

The exercise gets, at the same indentation, ``# YOUR CODE HERE`` and
``raise NotImplementedError`` (a markdown region becomes ``YOUR ANSWER HERE``). Outputs
and execution counts are cleared, cell ids become ``cell-00``, ``cell-01``, ..., and the
metadata records two hashes (see `notebooks.content_hash`): ``source_hash`` of the
solution and ``generated_hash`` of the exercise. So building is byte-for-byte
reproducible, and a learner's edits show as a content that no longer matches
``generated_hash``: such a notebook is never overwritten; the new version is written
beside it as ``NN_name.new.ipynb``.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from tinygrad_edu.grading.notebooks import (
    META_KEY,
    content_hash,
    filename_chapter,
    notebook_bytes,
    notebook_chapter,
    our_metadata,
    read_notebook,
)
from tinygrad_edu.grading.tasks import load_chapter

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError")
MARKDOWN_STUB = "YOUR ANSWER HERE"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
CHECK_CALL = re.compile(r"""\bcheck\(\s*["'](?P<id>[^"']+)["']\s*,\s*(?P<name>[A-Za-z_]\w*)""")


class BuildError(ValueError):
    """A solution notebook breaks the conventions above; the message says where and how."""


def strip_regions(source: str, cell_type: str, where: str) -> str:
    """``source`` with every BEGIN/END SOLUTION region replaced by its stub."""
    out: list[str] = []
    region_start = None  # line number of the open region's BEGIN
    for number, line in enumerate(source.split("\n"), start=1):
        marker = line.strip()
        if marker.startswith(BEGIN):
            if region_start is not None:
                raise BuildError(f"{where}, line {number}: {BEGIN} inside another region")
            region_start = number
            indent = line[: len(line) - len(line.lstrip())]
            if cell_type != "code":
                out.append(MARKDOWN_STUB)
            elif not indent:
                raise BuildError(
                    f"{where}, line {number}: put the answer inside a def or class body; "
                    "a top-level `raise NotImplementedError` would stop the exercise notebook"
                )
            else:
                out += [indent + stub for stub in CODE_STUB]
        elif marker.startswith(END):
            if region_start is None:
                raise BuildError(f"{where}, line {number}: {END} without a {BEGIN}")
            region_start = None
        elif region_start is None:
            out.append(line)
    if region_start is not None:
        raise BuildError(f"{where}, line {region_start}: {BEGIN} is never closed by {END}")
    return "\n".join(out)


def validate_solution(nb: nbformat.NotebookNode, chapter: int, where: str) -> list[str]:
    """What is wrong between the notebook and the chapter's task module (empty: all fine).

    Every task needs a ``check("chNN.name", name)`` call with the name the task grades, and
    a markdown cell that names the task and its points ("2 points").
    """
    try:
        tasks = {t.id: t for t in load_chapter(chapter)}
    except LookupError as exc:
        return [f"{where}: {exc}"]
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    problems = []
    calls = {m["id"]: m["name"] for m in CHECK_CALL.finditer(code)}
    for task_id, name in calls.items():
        if task_id not in tasks:
            problems.append(f"{where}: check({task_id!r}, ...) names no task of chapter {chapter}")
        elif name != tasks[task_id].object_name:
            problems.append(
                f"{where}: check({task_id!r}, {name}) must pass `{tasks[task_id].object_name}`"
            )
    for t in tasks.values():
        if t.id not in calls:
            problems.append(f"{where}: no check({t.id!r}, {t.object_name}) cell")
        points = f"{t.points} point{'s' if t.points != 1 else ''}"
        if not any(t.id in text and points in text for text in markdown):
            problems.append(f"{where}: no markdown cell names {t.id} with its '{points}'")
    return problems


def make_exercise(solution: nbformat.NotebookNode, chapter: int, where: str):
    """The exercise notebook for ``solution`` (a new NotebookNode; ``solution`` is untouched)."""
    cells = []
    for index, cell in enumerate(solution.cells):
        source = strip_regions(cell.source, cell.cell_type, f"{where}, cell {index}")
        metadata: dict = {}
        if cell.metadata.get("tags"):
            metadata["tags"] = list(cell.metadata["tags"])
        if cell.cell_type == "code":
            if CHECK_CALL.search(source):
                metadata["deletable"] = False  # JupyterLab will not delete a check cell
            new = nbformat.v4.new_code_cell(source, metadata=metadata)
        elif cell.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(source, metadata=metadata)
            if cell.get("attachments"):
                new.attachments = cell.attachments
        else:
            new = nbformat.v4.new_raw_cell(source, metadata=metadata)
        new.id = f"cell-{index:02d}"
        cells.append(new)
    meta = {"chapter": chapter, "source_hash": content_hash(solution)}
    exercise = nbformat.v4.new_notebook(
        cells=cells,
        metadata={"kernelspec": KERNELSPEC, "language_info": {"name": "python"}, META_KEY: meta},
    )
    exercise.nbformat_minor = 5
    exercise.metadata[META_KEY]["generated_hash"] = content_hash(exercise)
    return exercise


def solution_paths(solutions_dir: str | Path) -> list[Path]:
    """The solution notebooks: ``NN_*.ipynb`` in ``solutions_dir``, sorted."""
    paths = Path(solutions_dir).glob("*.ipynb")
    return sorted(p for p in paths if filename_chapter(p) is not None and ".new." not in p.name)


def build_one(solution_path: Path) -> tuple[bytes, str]:
    """(the exercise's bytes, its generated_hash) for one solution notebook."""
    where = str(solution_path)
    try:
        solution = read_notebook(solution_path)
    except Exception as exc:
        raise BuildError(f"{where}: not a readable notebook ({type(exc).__name__}: {exc})") from exc
    chapter = filename_chapter(solution_path)
    declared = notebook_chapter(solution)
    if declared is not None and declared != chapter:
        raise BuildError(f"{where}: file name says chapter {chapter}, metadata says {declared}")
    problems = validate_solution(solution, chapter, where)
    if problems:
        raise BuildError("\n".join(problems))
    exercise = make_exercise(solution, chapter, where)
    return notebook_bytes(exercise), our_metadata(exercise)["generated_hash"]


def _state(path: Path, fresh: bytes) -> tuple[str, str | None]:
    """("missing" | "same" | "pristine" | "edited", the generated_hash stored in ``path``)."""
    if not path.exists():
        return "missing", None
    if path.read_bytes() == fresh:
        return "same", None
    try:
        nb = read_notebook(path)
    except Exception:
        return "edited", None  # unreadable: a learner's half-saved file is still theirs
    stored = our_metadata(nb).get("generated_hash")
    if stored is None:
        return "edited", None
    return ("pristine" if content_hash(nb) == stored else "edited"), stored


def _write_safely(target: Path, fresh: bytes, fresh_hash: str) -> str:
    """Write ``fresh`` to ``target`` unless that would lose a learner's edits; say what happened."""
    state, stored = _state(target, fresh)
    if state == "missing":
        target.write_bytes(fresh)
        return f"{target}: written"
    if state == "same" or stored == fresh_hash:  # a learner's outputs alone are no reason
        return f"{target}: up to date" + (" (with your edits)" if state == "edited" else "")
    if state == "pristine":
        target.write_bytes(fresh)
        return f"{target}: updated"
    new = target.with_name(target.name.removesuffix(".ipynb") + ".new.ipynb")
    new_state, new_stored = _state(new, fresh)
    if new_state == "edited" and new_stored != fresh_hash:
        return (
            f"{target} and {new} both hold your edits, so neither was touched. Keep the one "
            "you work in, delete the other, and build again."
        )
    if new_state in ("missing", "pristine"):
        new.write_bytes(fresh)
    return (
        f"{target} has your edits, so it was kept. The new version is {new}: "
        "copy your answers into it, then use it in place of the old file."
    )


def build_exercises(
    solutions_dir: str | Path = "solutions",
    exercises_dir: str | Path = "exercises",
    verbose: bool = True,
) -> list[str]:
    """Build every exercise notebook; print (if ``verbose``) and return one message each.

    Raises BuildError, naming the notebook and cell, when a solution breaks the conventions.
    """
    sources = solution_paths(solutions_dir)
    messages = [] if sources else [f"no solution notebooks (NN_name.ipynb) in {solutions_dir}"]
    built = [(path, *build_one(path)) for path in sources]  # every check before any write
    Path(exercises_dir).mkdir(parents=True, exist_ok=True)
    for path, fresh, fresh_hash in built:
        messages.append(_write_safely(Path(exercises_dir) / path.name, fresh, fresh_hash))
    if verbose:
        print("\n".join(messages))
    return messages


def stale_exercises(
    solutions_dir: str | Path = "solutions", exercises_dir: str | Path = "exercises"
) -> list[str]:
    """Why exercises/ is out of date with solutions/ (empty when it is up to date).

    A learner's edits do not count: only a ``generated_hash`` that differs from a fresh
    build's, or a missing or extra notebook.
    """
    problems = []
    sources = solution_paths(solutions_dir)
    for path in sources:
        target = Path(exercises_dir) / path.name
        fresh, fresh_hash = build_one(path)
        state, stored = _state(target, fresh)
        if state == "missing":
            problems.append(f"{target} is missing")
        elif state != "same" and stored != fresh_hash:
            problems.append(f"{target} is out of date with {path}")
    names = {p.name for p in sources}
    for extra in solution_paths(exercises_dir):
        if extra.name not in names:
            problems.append(f"{extra} has no solution notebook in {solutions_dir}")
    return problems
