"""The task registry: every graded exercise is a `Task`, a list of `Case`s and its points.

A chapter's tasks live in ``tinygrad_edu/grading/chNN.py``. Each task is a function that
yields the cases to try, decorated with `task`::

    @task("ch00.add", points=1, reference=lambda a, b: a + b, hint="Python's + does it.")
    def add():
        yield Case(args=(2, 3))                  # shown by check() in the notebook
        yield Case(args=(-1.5, 1.5), hidden=True)  # only the grader runs it

The notebook then calls ``check("ch00.add", add)``: the part after ``chNN.`` is the name
the learner defines (change it with ``object_name=``). Cases are made afresh for every
check, so a learner who mutates an input cannot spoil the next case.
"""

from __future__ import annotations

import copy
import importlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TASK_ID = re.compile(r"^ch(\d\d)\.([A-Za-z_]\w*)$")
TASK_FILE = re.compile(r"^ch(\d\d)\.py$")  # grading/chNN.py: the one list of chapters


class _NotGiven:
    """Marks a `Case` whose expected value comes from the task's reference."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Any = _NotGiven()


@dataclass(frozen=True)
class Case:
    """One try of the learner's object.

    * ``args`` / ``kwargs``: the call ``obj(*args, **kwargs)``; each side gets a deep copy.
    * ``expected``: the right answer; left out, the task's ``reference`` computes it.
    * ``hidden``: run by the grader only, not by ``check()`` in the notebook.
    * ``description``: what the learner reads; default: the call written out, e.g. ``add(2, 3)``.
    * ``run``: for a case that is not a plain call, ``run(obj) -> value`` (e.g. build a
      graph with the learner's class, call backward, return the gradient). It receives the
      reference too when ``expected`` is left out, so write it for any object. Whatever it
      returns must be plain data (numbers, strings, arrays, tensors, lists, dicts): it runs
      beside the learner's code, so it observes and never judges.
    * ``judge``: for an answer that has no single right value (any valid order, a trained
      model good enough), ``judge(got) -> None or what is wrong``; it runs on the trusted
      side with the plain data ``run`` returned.
    * ``nudge``: what to think about when this very case fails (the concept it probes).
    """

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    expected: Any = NOT_GIVEN
    hidden: bool = False
    description: str = ""
    run: Callable[[Any], Any] | None = None
    judge: Callable[[Any], str | None] | None = None
    nudge: str = ""

    def describe(self, name: str) -> str:
        """``add(2, 3)``: how this case calls an object called ``name``."""
        if self.description:
            return self.description
        from tinygrad_edu.grading.compare import short_repr

        parts = [short_repr(a, 60) for a in self.args]
        parts += [f"{k}={short_repr(v, 60)}" for k, v in self.kwargs.items()]
        return " ".join(f"{name}({', '.join(parts)})".split())  # one line, even for arrays

    def call(self, obj: Any) -> Any:
        """Run this case on ``obj`` (the learner's object or the reference)."""
        if self.run is not None:
            return self.run(obj)
        args, kwargs = copy.deepcopy((self.args, self.kwargs))
        return obj(*args, **kwargs)


@dataclass(frozen=True)
class Task:
    """A graded exercise: its id (``ch04.unbroadcast``), points, and how to test it.

    ``compare(expected, got)`` returns None when they match, else a short reason; the
    default (`tinygrad_edu.grading.compare.mismatch`) knows numbers, arrays and tensors.
    ``time_limit`` bounds each case, in seconds, in the notebook and in the grader alike.
    ``hint`` is the stronger hint, shown only on request or after repeated failures;
    ``find_the_bug`` tasks never show one (it would be the fix). ``depends_on`` maps each
    earlier task this one calls to a correct stand-in in the package (``"module:name"``):
    when that earlier task fails, this one is graded again with the stand-in in its place,
    so one mistake is not punished twice. ``diagnose(case, got)`` (trusted side) may
    recognise a classic mistake in a wrong answer and name the concept ("" if none).
    """

    id: str
    points: int
    object_name: str
    make_cases: Callable[[], Iterable[Case]]
    hint: str = ""
    reference: Callable[..., Any] | None = None
    compare: Callable[[Any, Any], str | None] | None = None
    time_limit: float = 10.0
    find_the_bug: bool = False
    depends_on: tuple[tuple[str, str], ...] = ()
    diagnose: Callable[[Case, Any], str] | None = None

    @property
    def chapter(self) -> int:
        return chapter_of(self.id)

    def cases(self, hidden: bool) -> list[Case]:
        """The visible cases, then (if ``hidden``) the hidden ones."""
        cases = list(self.make_cases())
        visible = [c for c in cases if not c.hidden]
        return visible + [c for c in cases if c.hidden] if hidden else visible


_REGISTRY: dict[str, Task] = {}


def chapter_of(task_id: str) -> int:
    """``"ch04.unbroadcast"`` -> 4; a malformed id raises ValueError saying the format."""
    match = TASK_ID.match(task_id)
    if match is None:
        raise ValueError(f"task id {task_id!r} is not of the form 'chNN.name' (e.g. 'ch04.add')")
    return int(match.group(1))


def task(
    task_id: str,
    *,
    points: int,
    hint: str = "",
    object_name: str | None = None,
    reference: Callable[..., Any] | None = None,
    compare: Callable[[Any, Any], str | None] | None = None,
    time_limit: float = 10.0,
    find_the_bug: bool = False,
    depends_on: dict[str, str] | None = None,
    diagnose: Callable[[Case, Any], str] | None = None,
) -> Callable[[Callable[[], Iterable[Case]]], Task]:
    """Register the decorated case generator as task ``task_id`` (see the module docstring)."""
    chapter_of(task_id)  # validates the id

    def register(make_cases: Callable[[], Iterable[Case]]) -> Task:
        name = object_name or task_id.split(".", 1)[1]
        t = Task(
            task_id,
            points,
            name,
            make_cases,
            hint,
            reference,
            compare,
            time_limit,
            find_the_bug,
            tuple((depends_on or {}).items()),
            diagnose,
        )
        _REGISTRY[task_id] = t
        return t

    return register


def chapters() -> list[int]:
    """The chapters that have graded tasks: one ``grading/chNN.py`` each."""
    found = (TASK_FILE.match(p.name) for p in Path(__file__).parent.iterdir())
    return sorted(int(m.group(1)) for m in found if m)


def load_chapter(chapter: int) -> list[Task]:
    """The tasks of ``chapter`` in the order its module defines them.

    Raises LookupError when there is no ``tinygrad_edu/grading/chNN.py``.
    """
    from tinygrad_edu.parts.tasks import register_part_tasks

    name = f"tinygrad_edu.grading.ch{chapter:02d}"
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise  # the chapter module exists but one of its imports is missing
    # The parts the chapter asks for (tinygrad_edu.parts); a task the module defines wins.
    register_part_tasks(chapter)
    if not any(t.chapter == chapter for t in _REGISTRY.values()):
        raise LookupError(f"chapter {chapter:02d} has no graded tasks (no module {name})")
    return [t for t in _REGISTRY.values() if t.chapter == chapter]


def get_task(task_id: str) -> Task:
    """The task called ``task_id``; LookupError (listing the chapter's tasks) if unknown."""
    tasks = {t.id: t for t in load_chapter(chapter_of(task_id))}
    if task_id not in tasks:
        known = ", ".join(tasks) or "none"
        raise LookupError(f"unknown task {task_id!r}; this chapter's tasks are: {known}")
    return tasks[task_id]
