"""The learner's side of grading: runs inside the sandbox (`sandbox.py`), never trusted.

    python -m tinygrad_edu.grading.worker --chapter N --cell-timeout S --total-timeout S
        [--cpu S] [--nproc N] [--uid U]   < request.json

It reads the notebook's code cells from stdin (JSON: ``{"cells": [source, ...]}``), runs
them in order in an IPython shell (each under the cell time limit), then runs every case of
the chapter's tasks on the names the notebook defined (`check.run_task`), and writes what
happened to its stdout as JSON lines of plain data::

    {"cell_error": "cell 3 (def add(a, b):) raised NameError: ..."}
    {"cells_done": true}
    {"task": "ch00.add", "outcomes": [{"status": "ok", "value": ..., "seconds": ...}, ...]}
    {"done": true}

Everything here may be patched by the notebook it runs: nothing it writes is believed.
The trusted grader judges each value against expected values it computed itself, counts
only known tasks, and stops reading past a size limit.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

MAX_REQUEST = 32 * 2**20


def _label(index: int, source: str) -> str:
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    first = first if len(first) <= 40 else first[:37] + "..."
    return f"cell {index} ({first})" if first else f"cell {index}"


def _send(channel: Any, message: dict) -> None:
    channel.write(json.dumps(message) + "\n")
    channel.flush()


def _quiet_stdio() -> Any:
    """Keep fd 1 as the answer channel; the notebook's own prints go nowhere."""
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    return channel


def run_cells(cells: list[str], cell_timeout: float, total_timeout: float, channel: Any) -> dict:
    """Execute ``cells`` in a fresh IPython shell; its namespace."""
    from IPython.core.interactiveshell import InteractiveShell

    from tinygrad_edu.grading.check import CheckTimeout, call_with_time_limit

    shell = InteractiveShell.instance(history_length=0)
    shell.history_manager.enabled = False
    deadline = time.monotonic() + total_timeout
    for index, source in enumerate(cells, start=1):
        if not isinstance(source, str) or not source.strip():
            continue
        left = deadline - time.monotonic()
        if left <= 0:
            note = f"stopped before {_label(index, source)}: the notebook used up its time"
            _send(channel, {"cell_error": note})
            break
        try:
            result = call_with_time_limit(
                lambda s=source: shell.run_cell(s, store_history=False, silent=True),
                min(cell_timeout, left),
            )
        except CheckTimeout:
            error = CheckTimeout()
        else:
            error = result.error_before_exec or result.error_in_exec
        if isinstance(error, CheckTimeout):
            stopped = f"was stopped after {min(cell_timeout, left):g} s"
            _send(channel, {"cell_error": f"{_label(index, source)} {stopped}"})
        elif error is not None:
            text = f"{_label(index, source)} raised {type(error).__name__}: {error}"
            _send(channel, {"cell_error": text[:300]})
    return shell.user_ns


def _with_stand_ins(task: Any, namespace: dict) -> list[dict]:
    """``task``'s cases again, each earlier task it depends on replaced by a correct one."""
    import importlib

    from tinygrad_edu.grading.check import run_task
    from tinygrad_edu.grading.tasks import get_task

    saved = {}
    try:
        for dependency, stand_in in task.depends_on:
            name = get_task(dependency).object_name
            module, attr = stand_in.split(":")
            saved[name] = namespace.get(name)
            stand = getattr(importlib.import_module(module), attr)
            if getattr(stand, "__part__", None):  # the learner's part is installed there
                from tinygrad_edu import parts

                stand = parts.reference(stand.__part__)
            namespace[name] = stand
        return run_task(task, namespace[task.object_name], hidden=True)
    except Exception:
        return []
    finally:
        namespace.update(saved)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chapter", type=int, required=True)
    parser.add_argument("--cell-timeout", type=float, default=30)
    parser.add_argument("--total-timeout", type=float, default=300)
    parser.add_argument("--cpu", type=int, default=0)
    parser.add_argument("--nproc", type=int, default=0)
    parser.add_argument("--uid", type=int, default=None)
    args = parser.parse_args(argv)

    from tinygrad_edu.grading import sandbox

    if args.cpu:
        sandbox.set_limits(args.cpu, args.nproc)
    if args.uid is not None and os.getuid() != args.uid:
        sandbox.drop_privileges(args.uid)
    os.chdir(os.environ.get("HOME", "/"))
    request = json.loads(sys.stdin.buffer.read(MAX_REQUEST))
    channel = _quiet_stdio()

    from tinygrad_edu.grading.check import MISSING_OBJECT, run_task
    from tinygrad_edu.grading.tasks import load_chapter

    tasks = load_chapter(args.chapter)  # before the notebook runs: its own copy of the cases
    namespace = run_cells(request.get("cells", []), args.cell_timeout, args.total_timeout, channel)
    _send(channel, {"cells_done": True})
    for task in tasks:
        obj = namespace.get(task.object_name, MISSING_OBJECT)
        if obj is MISSING_OBJECT:
            _send(channel, {"task": task.id, "outcomes": "missing"})
            continue
        _send(channel, {"task": task.id, "outcomes": run_task(task, obj, hidden=True)})
    for task in tasks:
        if task.depends_on and task.object_name in namespace:
            outcomes = _with_stand_ins(task, namespace)
            _send(channel, {"task": task.id, "with_stand_ins": outcomes})
    _send(channel, {"done": True})
    channel.close()
    os._exit(0)  # no atexit handler of the notebook's runs after this


if __name__ == "__main__":
    sys.exit(main())
