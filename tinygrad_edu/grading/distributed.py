"""Grading on a Dask distributed cluster: ``tinygrad-edu grade SUBS/ --dask ADDRESS``.

Each submission becomes one Dask task. This machine reads the files (the same checks as
for local grading: regular files only, size cap) and sends their bytes; a Dask worker
grades them exactly as `grader.grade_submission` does here (its own sandbox, its own
trusted copy of the package) and sends back the result as a dict. Results are added to
the gradebook as they arrive.

The workers need this package installed, bubblewrap for the sandbox, and nothing else:
they do not need to see the submissions folder. See the README for a Kubernetes setup.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from tinygrad_edu.grading.results import NotebookResult
from tinygrad_edu.grading.submissions import Refused, Submission, read_submission

_worker_settings: dict[str, Any] = {}  # per worker process: the prepared Settings
_lock = threading.Lock()


def _grade_remote(data: bytes, path: str, student: str, chapter: int | None, options: dict) -> dict:
    """Runs on a Dask worker: grade one submission's bytes; the result as a dict."""
    from tinygrad_edu.grading import grader, sandbox

    key = repr(sorted(options.items()))
    with _lock:  # one stripped copy per worker process, made once
        settings = _worker_settings.get(key)
        if settings is None:
            settings = grader.Settings(**options)
            settings.level = sandbox.level(options.get("level") or None)
            grader.prepare(settings)
            _worker_settings[key] = settings
    return grader.grade_data(data, path, student, chapter, settings).to_dict()


def grade_on_dask(
    todo: list[Submission], settings: Any, dask: Any, record: Callable[[NotebookResult], None]
) -> None:
    """Grade ``todo`` on the cluster at ``dask`` (an address or a ``distributed.Client``)."""
    try:
        from distributed import Client, as_completed
    except ImportError as exc:
        raise ImportError(
            "--dask needs the `distributed` package: pip install distributed"
        ) from exc
    from tinygrad_edu.grading.grader import grade_submission

    client = dask if isinstance(dask, Client) else Client(dask)
    options = {
        "cell_timeout": settings.cell_timeout,
        "total_timeout": settings.total_timeout,
        "chapter": settings.chapter,
        "level": "",  # each worker uses the best sandbox it has
    }
    futures = []
    try:
        for sub in todo:
            if sub.extra_of:
                record(grade_submission(sub, settings))
                continue
            try:
                data = read_submission(sub)
            except Refused:
                record(grade_submission(sub, settings))  # reports the refusal
                continue
            futures.append(
                client.submit(
                    _grade_remote, data, sub.name, sub.student, sub.chapter, options, pure=False
                )
            )
        for future in as_completed(futures):
            record(NotebookResult.from_dict(future.result()))
    finally:
        if client is not dask:
            client.close()
