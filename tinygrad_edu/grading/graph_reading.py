"""Graph-reading tasks: the learner looks at a drawn graph and answers questions about it.

Every chapter ends its exercises with one such task, ``chNN.read_graph``. The exercise draws
a graph; the learner returns a dict of answers from ``read_graph()``. The task's reference,
in ``chNN.py``, *builds the same graph* and reads the answers off it (node names from
``grad_fn``, gradients from a backward pass), so the expected answers are never stored and
always follow the package. Each question is one visible case (so ``check()`` says which
answer is wrong); a hidden case checks that the dict answers exactly the questions asked::

    @task("ch01.read_graph", points=1, reference=_graph_answers, time_limit=LIMIT, hint=...)
    def read_graph():
        yield Case(run=answer("operations"), description=question("operations", "how many ..."))
        yield Case(run=answered_keys, hidden=True, description=ALL_ASKED)

``answer`` and ``answered_keys`` only observe (they return plain data); judging stays on the
trusted side.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tinygrad_edu.grading.tasks import Case

ALL_ASKED = "read_graph() answers exactly the questions asked"


def question(key: str, text: str) -> str:
    """The case description a learner reads: ``read_graph()['key']: what it asks``."""
    return f"read_graph()[{key!r}]: {text}"


def answer(key: str) -> Callable:
    """A case's ``run``: the learner's answer to question ``key`` (lists sorted)."""

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


def answered_keys(read_graph: Callable) -> list:
    """A case's ``run``: which questions the learner's dict answers."""
    return sorted(read_graph())


def count_operations() -> Case:
    """The question chapters 01 and 02 both ask: how many operation nodes the drawing shows."""
    from tinygrad_edu.grading.tasks import Case

    return Case(
        run=answer("operations"),
        nudge=(
            "Every operation on a tensor records one node (a grey ellipse); leaves are "
            "boxes, not operations."
        ),
        description=question(
            "operations",
            "how many operations (grey ellipses) the drawing shows",
        ),
    )
