"""``tinygrad-edu grade PATH...``: grade submitted notebooks, each in a fresh kernel.

For every notebook: read it (a corrupt file is reported as "unreadable"), work out its
chapter (metadata ``tinygrad_edu.chapter``, else the ``NN_`` of its file name; a notebook
whose chapter differs from the one expected is reported as "wrong chapter"), then run it
with `run_one` in a subprocess of its own process group, under a hard time limit. Whatever
the notebook does (loop forever, kill its kernel, print gigabytes), this process carries
on to the next one. Submissions are only ever read.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from tinygrad_edu.grading.gradebook import write_gradebook
from tinygrad_edu.grading.notebooks import filename_chapter, notebook_chapter, read_notebook
from tinygrad_edu.grading.results import (
    CRASHED,
    TIMEOUT,
    UNKNOWN_CHAPTER,
    UNREADABLE,
    WRONG_CHAPTER,
    CheckResult,
    NotebookResult,
)
from tinygrad_edu.grading.runner import grading_time
from tinygrad_edu.grading.tasks import load_chapter

STARTUP_MARGIN = 60.0  # seconds for the subprocess and kernel to start and stop
PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # the folder holding tinygrad_edu/


def find_notebooks(paths: list[str | Path]) -> list[tuple[Path, str]]:
    """(notebook, student) pairs. In a folder the student is the path inside it, minus
    ``.ipynb`` (``alice/04_autograd``); checkpoints and ``*.new.ipynb`` are skipped."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            for nb in sorted(path.rglob("*.ipynb")):
                if ".ipynb_checkpoints" not in nb.parts and not nb.name.endswith(".new.ipynb"):
                    found.append((nb, nb.relative_to(path).with_suffix("").as_posix()))
        else:
            found.append((path, path.with_suffix("").name))
    return found


def _everywhere(status: str, chapter: int | None, message: str) -> list[CheckResult]:
    """One row per task of ``chapter`` (or a single row) with the same status and message."""
    try:
        tasks = load_chapter(chapter) if chapter is not None else []
    except LookupError:
        tasks = []
    if not tasks:
        return [CheckResult("-", 0, status, message=message)]
    return [CheckResult(t.id, t.points, status, message=message, hint=t.hint) for t in tasks]


def _kill_group(pid: int) -> None:
    """SIGKILL the process group ``pid`` leads (the run_one process, or a kernel)."""
    if not hasattr(os, "killpg"):  # Windows: no process groups; kill the one process
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(pid)], capture_output=True)
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def grade_notebook(
    path: str | Path,
    student: str | None = None,
    *,
    chapter: int | None = None,
    cell_timeout: float = 30,
    total_timeout: float = 300,
) -> NotebookResult:
    """Grade one notebook (``chapter``: the one it must be, else taken from the notebook)."""
    path = Path(path)
    result = NotebookResult(str(path), student or path.with_suffix("").name, chapter)
    expected = chapter if chapter is not None else filename_chapter(path)
    try:
        nb = read_notebook(path)
    except Exception as exc:
        result.status = UNREADABLE
        why = f"not a readable notebook ({type(exc).__name__}: {str(exc)[:200]})"
        result.tasks = _everywhere(UNREADABLE, expected, why)
        return result
    declared = notebook_chapter(nb)
    expected = expected if expected is not None else declared
    result.chapter = expected
    if expected is None:
        result.status = UNKNOWN_CHAPTER
        why = "no chapter in its metadata or file name (NN_name.ipynb); grade it with --chapter"
        result.tasks = _everywhere(UNKNOWN_CHAPTER, None, why)
        return result
    if declared is not None and declared != expected:
        result.status = WRONG_CHAPTER
        why = f"this is the notebook of chapter {declared:02d}, handed in as chapter {expected:02d}"
        result.tasks = _everywhere(WRONG_CHAPTER, expected, why)
        return result
    try:
        limit = total_timeout + grading_time(expected) + STARTUP_MARGIN
    except LookupError as exc:
        result.status = UNKNOWN_CHAPTER
        result.tasks = _everywhere(UNKNOWN_CHAPTER, None, str(exc))
        return result
    report = _run_subprocess(path, expected, cell_timeout, total_timeout, limit)
    result.notes = report.get("cell_errors", []) + report.get("notes", [])
    if report.get("tasks") is None:
        result.status = report.get("status", CRASHED)
        status = TIMEOUT if result.status == TIMEOUT else CRASHED
        why = "; ".join(report.get("notes", [])) or "the run gave no result"
        result.tasks = _everywhere(status, expected, why)
        return result
    result.tasks = [CheckResult.from_dict(t) for t in report["tasks"]]
    for t in result.tasks:
        if t.status == "missing" and report.get("cell_errors"):
            t.message += f" First error: {report['cell_errors'][0]}"
    return result


def _run_subprocess(
    path: Path, chapter: int, cell_timeout: float, total_timeout: float, limit: float
) -> dict:
    """Run `run_one` on ``path`` in its own process group; its report, or why there is none."""
    with tempfile.TemporaryDirectory(prefix="tinygrad-edu-grader-") as tmp:
        out, pid_file, log = (os.path.join(tmp, n) for n in ("report.json", "kernel.pid", "log"))
        env = dict(os.environ, TINYGRAD_EDU_KERNEL_PID_FILE=pid_file, PYTHONIOENCODING="utf-8")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [PACKAGE_ROOT, env.get("PYTHONPATH")]))
        command = [
            sys.executable,
            "-m",
            "tinygrad_edu.grading.run_one",
            str(path.resolve()),
            "--chapter",
            str(chapter),
            "--out",
            out,
            "--cell-timeout",
            str(cell_timeout),
            "--total-timeout",
            str(total_timeout),
        ]
        with open(log, "wb") as log_file:
            proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=tmp,
                start_new_session=True,
            )
            try:
                proc.wait(timeout=limit)
                timed_out = False
            except subprocess.TimeoutExpired:
                timed_out = True
                _kill_group(proc.pid)
                proc.wait()
            if timed_out or not os.path.exists(out):
                # nbclient did not get to shut the kernel down: it has a session of its own
                kernel = Path(pid_file).read_text() if os.path.exists(pid_file) else ""
                if kernel.isdigit() and int(kernel) > 1:
                    _kill_group(int(kernel))
        if timed_out:
            return {
                "status": TIMEOUT,
                "tasks": None,
                "notes": [f"grading took over {limit:g} s and was stopped"],
            }
        try:
            with open(out, encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError):
            tail = Path(log).read_bytes()[-500:].decode("utf-8", "replace").strip()
            return {
                "status": CRASHED,
                "tasks": None,
                "notes": [f"the grading process failed (exit code {proc.returncode}): {tail}"],
            }


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
    return "\n".join(lines)


def grade(
    paths: list[str | Path] | str | Path,
    gradebook_dir: str | Path | None = None,
    *,
    cell_timeout: float = 30,
    total_timeout: float = 300,
    chapter: int | None = None,
    timeout: float | None = None,
    verbose: bool = True,
) -> list[NotebookResult]:
    """Grade notebooks and folders of them; print a table (if ``verbose``), return results.

    A gradebook (gradebook.csv and gradebook.json) is written to ``gradebook_dir`` if given,
    else, when a folder was graded, into the current folder's ``gradebook/``.
    ``timeout`` is another name for ``cell_timeout``.
    """
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    cell_timeout = timeout if timeout is not None else cell_timeout
    results = [
        grade_notebook(
            nb, student, chapter=chapter, cell_timeout=cell_timeout, total_timeout=total_timeout
        )
        for nb, student in find_notebooks(paths)
    ]
    if verbose:
        print(format_table(results) if results else f"no notebooks found in {paths}")
    if gradebook_dir is None and any(Path(p).is_dir() for p in paths):
        gradebook_dir = "gradebook"
    if gradebook_dir is not None:
        written = write_gradebook(results, gradebook_dir)
        if verbose:
            print("gradebook: " + ", ".join(map(str, written)))
    return results
