"""Chapter 00, the warm-up (solutions/00_warmup.ipynb): plain Python and NumPy.

Also the worked example of how a chapter's tasks are written; see `tasks` for the API.
"""

from __future__ import annotations

import numpy as np

from tinygrad_edu.grading.tasks import Case, task

LIMIT = 2.0  # seconds per check: these answers take microseconds; a loop shows up fast


@task(
    "ch00.add",
    points=1,
    reference=lambda a, b: a + b,
    hint="Python's `+` does it.",
    time_limit=LIMIT,
)
def add():
    yield Case(args=(2, 3))
    yield Case(args=(-1, 1))
    yield Case(args=(0.5, 0.25))
    yield Case(args=(10**20, 1), hidden=True)
    yield Case(args=(-2.5, -0.5), hidden=True)


def _square_all(x: np.ndarray) -> np.ndarray:
    return x * x


@task(
    "ch00.square_all",
    points=2,
    reference=_square_all,
    time_limit=LIMIT,
    hint="NumPy applies `*` and `**` to every element at once: no loop needed.",
)
def square_all():
    yield Case(args=(np.array([1.0, 2.0, 3.0]),))
    yield Case(args=(np.array([[1, -2], [3, -4]]),))
    yield Case(args=(np.array([], dtype=np.float32),))
    yield Case(args=(np.arange(-3.0, 3.0, 0.5, dtype=np.float32).reshape(3, 4),), hidden=True)


def _row_means(m: np.ndarray) -> np.ndarray:
    return m.mean(axis=1)


@task(
    "ch00.row_means",
    points=2,
    reference=_row_means,
    time_limit=LIMIT,
    hint="`m.mean(axis=1)` averages across the columns, leaving one number per row.",
)
def row_means():
    yield Case(args=(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),))
    yield Case(args=(np.ones((4, 1)),))
    rng = np.random.default_rng(0)
    yield Case(args=(rng.standard_normal((5, 7)),), hidden=True)
    yield Case(args=(np.array([[1.0, -1.0]]),), hidden=True)
