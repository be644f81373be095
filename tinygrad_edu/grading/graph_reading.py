"""Graph-reading tasks: the learner looks at a drawn graph and answers questions about it.

Every chapter ends its exercises with one such task, ``chNN.read_graph``. The exercise draws
a graph; the learner returns a dict of answers from ``read_graph()``. The grader never keeps
the answers as constants: each chapter passes a function that *builds the same graph* and
reads the answers off it (node names from ``grad_fn``, gradients from a backward pass), so
the expected answers always follow the package.

Each question is one visible case (so ``check()`` says which answer is wrong); the hidden
case checks that the dict answers exactly the questions asked.
"""

from __future__ import annotations

from collections.abc import Callable

from tinygrad_edu.grading.tasks import Case, task

LIMIT = 3.0  # seconds per check: building one small graph


def _answer(key: str) -> Callable:
    def run(read_graph: Callable) -> object:
        answers = read_graph()
        if not isinstance(answers, dict):
            got = type(answers).__name__
            raise TypeError(f"read_graph() must return a dict of answers, got {got}")
        if key not in answers:
            raise KeyError(f"read_graph() has no answer for {key!r}")
        value = answers[key]
        return sorted(value) if isinstance(value, (list, tuple, set)) else value

    return run


def _keys(read_graph: Callable) -> list:
    return sorted(read_graph())


def reading_task(chapter: int, questions: dict[str, str], answers: Callable[[], dict],
                 hint: str) -> None:
    """Register ``chNN.read_graph``: ``questions`` maps each key to what it asks."""

    def reference() -> dict:
        return answers()

    @task(f"ch{chapter:02d}.read_graph", points=1, reference=reference, time_limit=LIMIT,
          hint=hint)
    def read_graph():
        for key, text in questions.items():
            yield Case(run=_answer(key), description=f"read_graph()[{key!r}]: {text}")
        yield Case(run=_keys, hidden=True,
                   description="read_graph() answers exactly the questions asked")
