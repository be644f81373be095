"""``tinygrad-edu grade PATH...``: grade submitted notebooks, trusting none of them.

For every submission, this (trusted) process:

1. reads the file only if it is a regular file in the submissions tree, under a size cap
   (`submissions.read_submission`), and parses it as a notebook;
2. starts the learner's side (`worker.py`) in a sandbox (`sandbox.py`), hands it the code
   cells on stdin, and reads its plain-data answers from a pipe, with a size cap and a
   deadline; afterwards the sandbox is killed as a whole, whatever happened;
3. judges each known task's answers against expected values it computed itself, with its
   own copy of the package (`check.judge_task`): the sandbox sees only a stripped copy,
   without reference answers or expected values;
4. appends the result to the gradebook at once (`gradebook.py`).

``jobs`` sandboxes run at a time (threads here, each waiting on its own sandbox); with
``dask`` the submissions are sent to a Dask cluster instead (`distributed.py`).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from tinygrad_edu.grading import sandbox
from tinygrad_edu.grading.check import expected_values, judge_task
from tinygrad_edu.grading.gradebook import Gradebook, file_hash
from tinygrad_edu.grading.notebooks import filename_chapter, notebook_chapter
from tinygrad_edu.grading.results import (
    CRASHED,
    PASSED,
    TIMEOUT,
    UNKNOWN_CHAPTER,
    UNREADABLE,
    WRONG_CHAPTER,
    CheckResult,
    NotebookResult,
)
from tinygrad_edu.grading.run_worker import run_sandboxed
from tinygrad_edu.grading.strip import copy_package
from tinygrad_edu.grading.submissions import Refused, Submission, find_submissions
from tinygrad_edu.grading.submissions import read_submission as _read
from tinygrad_edu.grading.tasks import Task, load_chapter
from tinygrad_edu.grading.text import clean_text

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the trusted tinygrad_edu/
REFUSED = "refused"
EXTRA = "extra"


@dataclass
class Settings:
    """How to grade: time limits, the sandbox level, where the stripped package is."""

    cell_timeout: float = 30
    total_timeout: float = 300
    chapter: int | None = None
    level: str = ""
    package_copy: str = ""
    _expected: dict[str, list[Any]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def expected(self, task: Task) -> list[Any]:
        """The task's expected values (hidden cases too), computed once per run."""
        with self._lock:
            if task.id not in self._expected:
                self._expected[task.id] = expected_values(task, hidden=True)
            return self._expected[task.id]


def _everywhere(status: str, chapter: int | None, message: str) -> list[CheckResult]:
    """One row per task of ``chapter`` (or a single row) with the same status and message."""
    try:
        tasks = load_chapter(chapter) if chapter is not None else []
    except LookupError:
        tasks = []
    if not tasks:
        return [CheckResult("-", 0, status, message=message)]
    return [CheckResult(t.id, t.points, status, message=message) for t in tasks]


def grade_submission(sub: Submission, settings: Settings) -> NotebookResult:
    """Grade one submission (see the module docstring); never raises."""
    result = NotebookResult(sub.name, sub.student, sub.chapter)
    slot = sandbox.acquire_slot()
    try:
        _grade_into(result, sub, settings, slot)
    except Exception as exc:  # a bug of ours must not lose the class's grades
        result.status = CRASHED
        why = f"the grader failed on this notebook: {type(exc).__name__}: {exc}"
        result.tasks = _everywhere(CRASHED, result.chapter, clean_text(why, 300))
    finally:
        sandbox.release_slot(slot)
    return result


def _grade_into(result: NotebookResult, sub: Submission, settings: Settings, slot: int) -> None:
    expected_chapter = settings.chapter if settings.chapter is not None else sub.chapter
    if sub.extra_of:
        result.status = EXTRA
        why = f"another notebook of this student for this chapter is graded: {sub.extra_of}"
        result.tasks = [CheckResult("-", 0, EXTRA, message=why)]
        return
    try:
        data = _read(sub)
    except Refused as exc:
        result.status = REFUSED
        result.tasks = _everywhere(REFUSED, expected_chapter, f"not graded: {exc}")
        return
    _grade_data(result, data, expected_chapter, settings, slot)


def grade_data(
    data: bytes, path: str, student: str, chapter: int | None, settings: Settings
) -> NotebookResult:
    """Grade a submission given as bytes (what a Dask worker receives); never raises."""
    result = NotebookResult(path, student, chapter)
    slot = sandbox.acquire_slot()
    try:
        expected_chapter = settings.chapter if settings.chapter is not None else chapter
        _grade_data(result, data, expected_chapter, settings, slot)
    except Exception as exc:
        result.status = CRASHED
        why = f"the grader failed on this notebook: {type(exc).__name__}: {exc}"
        result.tasks = _everywhere(CRASHED, result.chapter, clean_text(why, 300))
    finally:
        sandbox.release_slot(slot)
    return result


def _grade_data(
    result: NotebookResult, data: bytes, expected_chapter: int | None, settings: Settings, slot: int
) -> None:
    result.content_hash = file_hash(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = nbformat.reads(data.decode("utf-8"), as_version=4)
            nbformat.validate(nb)
    except Exception as exc:
        result.status = UNREADABLE
        why = f"not a readable notebook ({type(exc).__name__}: {clean_text(exc, 200)})"
        result.tasks = _everywhere(UNREADABLE, expected_chapter, why)
        return
    declared = notebook_chapter(nb)
    chapter = expected_chapter if expected_chapter is not None else declared
    result.chapter = chapter
    if chapter is None:
        result.status = UNKNOWN_CHAPTER
        why = "no chapter in its metadata or file name (NN_name.ipynb); grade it with --chapter"
        result.tasks = _everywhere(UNKNOWN_CHAPTER, None, why)
        return
    if declared is not None and declared != chapter:
        result.status = WRONG_CHAPTER
        why = f"this is the notebook of chapter {declared:02d}, handed in as chapter {chapter:02d}"
        result.tasks = _everywhere(WRONG_CHAPTER, chapter, why)
        return
    try:
        tasks = load_chapter(chapter)
    except LookupError as exc:
        result.status = UNKNOWN_CHAPTER
        result.tasks = _everywhere(UNKNOWN_CHAPTER, None, str(exc))
        return
    cells = [c.source for c in nb.cells if c.get("cell_type") == "code" and c.source.strip()]
    messages, problem = run_sandboxed(cells, chapter, settings, slot)
    _judge(result, tasks, messages, problem, settings)


def _judge(
    result: NotebookResult, tasks: list[Task], messages: list[dict], problem: str, settings: Any
) -> None:
    """Turn the worker's messages into the result: known tasks only, the first answer each."""
    outcomes: dict[str, Any] = {}
    stand_ins: dict[str, Any] = {}
    done = False
    for message in messages:
        if isinstance(message.get("task"), str) and "with_stand_ins" in message:
            stand_ins.setdefault(message["task"], message["with_stand_ins"])
            continue
        if "cell_error" in message and len(result.notes) < 50:
            result.notes.append(clean_text(message["cell_error"], 300))
        task_id = message.get("task")
        if isinstance(task_id, str) and task_id not in outcomes:
            outcomes[task_id] = message.get("outcomes")
        done = done or message.get("done") is True
    cells_done = any(m.get("cells_done") is True for m in messages)
    if problem == "size":
        why = "the notebook sent back too much data, so grading stopped there"
    elif problem == "time" and not cells_done:
        why = "the notebook's cells kept running past the time limit, even when interrupted"
    elif problem == "time":
        why = "the checks ran past their time limit"
    elif not done:
        why = "the notebook's process ended (did it call exit(), or run out of memory?)"
    if problem or not done:
        result.notes.append(f"grading stopped early: {why}")
        result.status = TIMEOUT if problem == "time" else CRASHED
    for task in tasks:
        if task.id not in outcomes:
            why = f"no answer came back: {why}"
            status = TIMEOUT if problem == "time" else CRASHED
            result.tasks.append(CheckResult(task.id, task.points, status, message=why))
            continue
        checked = judge_task(task, settings.expected(task), outcomes[task.id], hidden=True)
        for name in ("message", "case", "expected", "got"):
            setattr(checked, name, clean_text(getattr(checked, name), 600))
        result.tasks.append(checked)
    _regrade_dependents(result, tasks, stand_ins, settings)
    if done and not problem:
        result.status = "graded"
    if result.tasks and any(t.status == "missing" for t in result.tasks) and result.notes:
        for t in result.tasks:
            if t.status == "missing":
                t.message += f" First error: {result.notes[0]}"


def _regrade_dependents(
    result: NotebookResult, tasks: list[Task], stand_ins: dict[str, Any], settings: Any
) -> None:
    """A failed task whose earlier task failed too is judged again on the run that used a
    correct stand-in for that earlier task (`Task.depends_on`): its own work decides."""
    status = {t.task_id: t.status for t in result.tasks}
    for i, task in enumerate(tasks):
        checked = result.tasks[i]
        failed = [d for d, _ in task.depends_on if status.get(d) not in (None, PASSED)]
        if not failed or checked.status == PASSED:
            continue
        names = ", ".join(failed)
        again = judge_task(task, settings.expected(task), stand_ins.get(task.id), hidden=True)
        if again.status == PASSED:
            again.message = (
                f"Passed with a correct stand-in for {names}, which failed: "
                f"that mistake is not counted twice. {again.message}"
            )
            result.tasks[i] = again
        else:
            checked.message = f"Depends on {names}, which failed. {checked.message}"


def format_table(results: list[NotebookResult], width: int = 100) -> str:
    """A plain-text table: per notebook a header, then task, points, status, feedback."""
    lines = []
    for r in results:
        chapter = f"chapter {r.chapter:02d}" if r.chapter is not None else "chapter ?"
        lines.append(f"{r.path}  [{r.student}, {chapter}]  score {r.score}/{r.max_score}")
        name_width = max([22, *(len(t.task_id) for t in r.tasks)])
        lines.append(f"  {'task':<{name_width}} {'points':>6}  {'status':<15} feedback")
        for t in r.tasks:
            feedback = t.feedback()
            room = max(20, width - 28 - name_width)
            feedback = feedback if len(feedback) <= room else feedback[: room - 3] + "..."
            points = f"{t.earned}/{t.points}"
            lines.append(f"  {t.task_id:<{name_width}} {points:>6}  {t.status:<15} {feedback}")
        for note in r.notes:
            lines.append(f"  note: {note}")
        lines.append("")
    return clean_text("\n".join(lines), 10**8)


_COPIES: list[str] = []


def _remove_copies() -> None:
    for folder in _COPIES:
        shutil.rmtree(folder, ignore_errors=True)


atexit.register(_remove_copies)


def _remove_stale_copies() -> None:
    """Remove package copies left by a grader that was killed (its pid is gone)."""
    for entry in Path(tempfile.gettempdir()).glob("tinygrad-edu-course-*-*"):
        pid = entry.name.split("-")[3]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(entry, ignore_errors=True)


def prepare(settings: Settings) -> str:
    """Make the stripped package copy the sandboxes import (removed after the run)."""
    _remove_stale_copies()
    folder = tempfile.mkdtemp(prefix=f"tinygrad-edu-course-{os.getpid()}-")
    _COPIES.append(folder)
    os.chmod(folder, 0o755)
    copy_package(PACKAGE_DIR, folder, drop_hidden=False)
    for path in Path(folder).rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    settings.package_copy = folder
    return folder


def grade_notebook(
    path: str | Path,
    student: str | None = None,
    *,
    chapter: int | None = None,
    cell_timeout: float = 30,
    total_timeout: float = 300,
    sandbox_level: str | None = None,
) -> NotebookResult:
    """Grade one notebook (``chapter``: the one it must be, else taken from the notebook)."""
    path = Path(path)
    settings = Settings(cell_timeout, total_timeout, chapter, sandbox.level(sandbox_level))
    sub = Submission(path, path.parent, student or path.stem, filename_chapter(path))
    try:
        prepare(settings)
        return grade_submission(sub, settings)
    finally:
        shutil.rmtree(settings.package_copy, ignore_errors=True)


def grade(
    paths: list[str | Path] | str | Path,
    gradebook_dir: str | Path | None = None,
    *,
    cell_timeout: float = 30,
    total_timeout: float = 300,
    chapter: int | None = None,
    timeout: float | None = None,
    verbose: bool = True,
    jobs: int | None = None,
    only_changed: bool = False,
    student_pattern: str | None = None,
    sandbox_level: str | None = None,
    dask: str | Any | None = None,
    progress: Callable[[NotebookResult], None] | None = None,
) -> list[NotebookResult]:
    """Grade notebooks and folders of them; print a table (if ``verbose``), return results.

    The gradebook goes to ``gradebook_dir`` if given, else, when a folder was graded, to
    ``./gradebook``. Each submission is added to it as soon as it is graded, so a run that
    is stopped loses nothing; ``only_changed`` skips submissions whose file is unchanged
    since they were last graded there (rerun with it to resume). ``jobs`` sandboxes run at
    once (default: the number of cores); ``dask`` (a scheduler address or a
    ``distributed.Client``) grades on a Dask cluster instead. ``timeout`` is another name
    for ``cell_timeout``.
    """
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    cell_timeout = timeout if timeout is not None else cell_timeout
    settings = Settings(cell_timeout, total_timeout, chapter, sandbox.level(sandbox_level))
    subs = find_submissions(paths, student_pattern)
    if gradebook_dir is None and any(Path(p).is_dir() for p in paths):
        gradebook_dir = "gradebook"
    book = Gradebook(gradebook_dir) if gradebook_dir is not None else None
    results: list[NotebookResult] = []
    todo = []
    for sub in subs:
        previous = book.unchanged(sub) if (book and only_changed) else None
        if previous is not None:
            results.append(previous)
        else:
            todo.append(sub)

    def record(result: NotebookResult) -> None:
        results.append(result)
        if book is not None:
            book.add(result)
        if progress is not None:
            progress(result)

    try:
        if todo:
            prepare(settings)
            if dask is not None:
                from tinygrad_edu.grading.distributed import grade_on_dask

                grade_on_dask(todo, settings, dask, record)
            else:
                _grade_locally(todo, settings, jobs or os.cpu_count() or 1, record)
    finally:
        shutil.rmtree(settings.package_copy, ignore_errors=True) if settings.package_copy else None
        if book is not None:
            book.write_summary()
    order = {sub.name: i for i, sub in enumerate(subs)}
    results.sort(key=lambda r: order.get(r.path, len(order)))
    if verbose:
        print(format_table(results) if results else f"no notebooks found in {paths}")
        if book is not None:
            print("gradebook: " + ", ".join(map(str, book.files())))
    return results


def _grade_locally(todo: list[Submission], settings: Settings, jobs: int, record: Callable) -> None:
    """``jobs`` sandboxes at a time, each with a slot (a uid) of its own."""
    lock = threading.Lock()
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(grade_submission, sub, settings) for sub in todo]
        for future in as_completed(futures):
            with lock:
                record(future.result())
