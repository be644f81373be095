"""Running the learner's side in its sandbox, and reading what it sends back.

`run_sandboxed` starts `worker.py` through `sandbox.launch`, hands it the notebook's code cells
on stdin, and reads its JSON lines from a pipe: at most `MAX_ANSWER_BYTES` in all and
`MAX_LINE_BYTES` per line, under two deadlines (the cells, then the cases). Then it kills
the sandbox, whatever happened: its process group, and with bubblewrap its whole PID
namespace (fallback levels: every process of its uid), and removes its scratch folder.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import subprocess
import threading
import time
from typing import Any

from tinygrad_edu.grading import sandbox
from tinygrad_edu.grading.tasks import load_chapter

MAX_ANSWER_BYTES = 64 * 2**20  # what a sandbox may send back in all
MAX_LINE_BYTES = 16 * 2**20  # one message
STARTUP_MARGIN = 30.0  # seconds for the sandbox to start and stop


def cases_time(chapter: int) -> float:
    """Seconds the cases of ``chapter`` may take in all: each may run `check.SLOW_FACTOR`
    times its limit (the first slow one per task; after two stuck ones the rest are skipped)."""
    from tinygrad_edu.grading.check import SLOW_FACTOR

    return sum(
        (len(t.cases(True)) * t.time_limit + (SLOW_FACTOR - 1) * 2 * t.time_limit)
        * (2 if t.depends_on else 1)  # run again with stand-ins
        for t in load_chapter(chapter)
    )


def _read_answers(
    proc: subprocess.Popen, cells_deadline: float, cases_seconds: float
) -> tuple[list[dict], str]:
    """The worker's JSON lines until it closes its stdout, a deadline, or the size cap.

    Two deadlines: the notebook's cells must be done by ``cells_deadline``; the cases then
    get ``cases_seconds`` (plus a margin) from that moment on.
    """
    messages: list[dict] = []
    buffer, received, problem = bytearray(), 0, ""
    deadline = cells_deadline
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                problem = "time"
                break
            if not sel.select(min(left, 1.0)):
                continue
            chunk = os.read(proc.stdout.fileno(), 2**16)
            if not chunk:
                break
            received += len(chunk)
            buffer += chunk
            if received > MAX_ANSWER_BYTES or len(buffer) > MAX_LINE_BYTES:
                problem = "size"
                break
            if b"\n" not in chunk:
                continue
            *lines, rest = bytes(buffer).split(b"\n")
            buffer = bytearray(rest)
            for line in lines:
                try:
                    message = json.loads(line)
                except ValueError:
                    continue
                if isinstance(message, dict):
                    messages.append(message)
                    if message.get("cells_done") is True and deadline == cells_deadline:
                        deadline = time.monotonic() + cases_seconds + STARTUP_MARGIN
    return messages, problem


def run_sandboxed(
    cells: list[str], chapter: int, settings: Any, slot: int
) -> tuple[list[dict], str]:
    """Run the worker on ``cells`` in a sandbox: its messages, and "" or what cut them short
    ("time", "size"). Whatever happens, the sandbox is killed and cleaned up."""
    cases_seconds = cases_time(chapter)
    limit = settings.total_timeout + cases_seconds + 2 * STARTUP_MARGIN
    args = ["--chapter", str(chapter), "--cell-timeout", str(settings.cell_timeout)]
    args += ["--total-timeout", str(settings.total_timeout)]
    how = sandbox.launch(args, settings.package_copy, slot, int(limit) + 5, settings.level)
    request = json.dumps({"cells": cells}).encode("utf-8")
    proc = None
    try:
        proc = subprocess.Popen(
            how.argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=how.env,
            cwd=how.cwd,
            start_new_session=True,
            close_fds=True,
        )
        feeder = threading.Thread(target=_feed, args=(proc, request), daemon=True)
        feeder.start()
        cells_deadline = time.monotonic() + settings.total_timeout + STARTUP_MARGIN
        return _read_answers(proc, cells_deadline, cases_seconds)
    finally:
        if proc is not None:
            _kill(proc)
        if how.uid is not None:
            sandbox.kill_uid(how.uid)
        if sandbox.RUN_TOKEN in how.env:
            sandbox.kill_marked(how.env[sandbox.RUN_TOKEN])
        if how.scratch:
            shutil.rmtree(how.scratch, ignore_errors=True)


def _feed(proc: subprocess.Popen, data: bytes) -> None:
    try:
        proc.stdin.write(data)
        proc.stdin.close()
    except OSError:
        pass  # the worker died early: its (missing) answers say so


def _kill(proc: subprocess.Popen) -> None:
    """SIGKILL the sandbox's process group (with bwrap, its whole PID namespace dies)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.kill()
    except OSError:
        pass
    proc.wait()
    for stream in (proc.stdin, proc.stdout):
        try:
            stream.close()
        except OSError:
            pass
