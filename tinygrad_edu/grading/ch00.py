"""Chapter 00, the warm-up (solutions/00_warmup.ipynb): plain Python and NumPy.

Also the worked example of how a chapter's tasks are written; see `tasks` for the API.
"""

from __future__ import annotations

import numpy as np

from tinygrad_edu.grading.compare import mismatch64
from tinygrad_edu.grading.tasks import Case, task

LIMIT = 2.0  # seconds per check: these answers take microseconds; a loop shows up fast


@task(
    "ch00.add",
    points=1,
    reference=lambda a, b: a + b,
    compare=mismatch64,  # Python's floats: exact sums must not pass with a float32-sized slack
    hint="Python's `+` does it.",
    time_limit=LIMIT,
)
def add():
    ints = "Adding two numbers: the sum of two ints is an int."
    yield Case(args=(2, 3), nudge=ints)
    yield Case(args=(-1, 1), nudge="Adding a number and its negative gives 0.")
    yield Case(args=(0.5, 0.25), nudge="Floats add as floats: 0.5 + 0.25 is 0.75.")
    big = "Python ints have no size limit: 10**20 + 1 is exact (a float would round it)."
    yield Case(args=(10**20, 1), hidden=True, nudge=big)
    yield Case(args=(-2.5, -0.5), hidden=True, nudge="Two negative floats add to a negative one.")


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
    each = "An arithmetic operator on an array applies to every element (elementwise)."
    yield Case(args=(np.array([1.0, 2.0, 3.0]),), nudge=each)
    ints = "A 2-D int array: elementwise on every element, the shape and int dtype kept."
    yield Case(args=(np.array([[1, -2], [3, -4]]),), nudge=ints)
    empty = "An empty float32 array squares to an empty float32 array: same shape, same dtype."
    yield Case(args=(np.array([], dtype=np.float32),), nudge=empty)
    f32 = "A float32 (3, 4) array: the result keeps its shape and its dtype, float32."
    yield Case(args=(np.arange(-3.0, 3.0, 0.5, dtype=np.float32).reshape(3, 4),), hidden=True,
               nudge=f32)


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
    axis = "Reducing along axis 1 (across the columns) leaves one mean per row: shape (rows,)."
    yield Case(args=(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),), nudge=axis)
    column = "A (4, 1) matrix has 4 rows of one number each: 4 means, shape (4,)."
    yield Case(args=(np.ones((4, 1)),), nudge=column)
    rng = np.random.default_rng(0)
    yield Case(args=(rng.standard_normal((5, 7)),), hidden=True, nudge=axis)
    yield Case(args=(np.array([[1.0, -1.0]]),), hidden=True, nudge="One row whose mean is 0.")
