"""Chapter 11, your framework (solutions/11_your_framework.ipynb): the capstone.

The notebook trains the digits network on the learner's own parts (``parts.load_mine()``);
its one task is the measurement the capstone reports, test accuracy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tinygrad_edu as torch
from tinygrad_edu.grading.tasks import Case, task

LIMIT = 3.0


def _accuracy(model: Callable, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return float((model(x).argmax(dim=1) == y).float().mean())


def _case(logits: list, labels: list, hidden: bool = False) -> Case:
    def run(accuracy: Callable) -> Any:
        scores = torch.tensor(logits, requires_grad=True)
        model = lambda x: x * scores  # noqa: E731  (a "model" whose output needs grad)
        result = accuracy(model, torch.ones(len(labels), len(logits[0])), torch.tensor(labels))
        return round(float(result), 6)

    return Case(run=run, hidden=hidden, description=f"logits {logits}, labels {labels}")


@task(
    "ch11.accuracy",
    points=2,
    reference=_accuracy,
    time_limit=LIMIT,
    hint="Under torch.no_grad(): predictions = model(x).argmax(dim=1); compare with y, "
    "average the matches as floats, and return a Python float.",
)
def accuracy():
    yield _case([[2.0, 1.0], [0.0, 3.0]], [0, 1])
    yield _case([[2.0, 1.0, 0.5], [0.0, 3.0, 9.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], [0, 1, 0, 2])
    yield _case([[0.1, 0.2]], [0], hidden=True)
    yield _case([[5.0, 1.0], [1.0, 5.0], [5.0, 1.0]], [1, 0, 0], hidden=True)
