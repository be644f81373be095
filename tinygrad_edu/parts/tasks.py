"""Each part is a graded task: its cases are the part's own tests, run with the function swapped in.

``check("ch04.run_backward", run_backward)`` runs every test of part ``autograd.run_backward``
(``tinygrad_edu/parts/ch04.py``) with the learner's function installed for the test only;
the grader adds the hidden ones. A passing check installs and saves the function
(`tinygrad_edu.parts.passed`).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import registry

TIME_LIMIT = 5.0  # seconds for all of one part's cases


def register_part_tasks(chapter: int) -> None:
    """Register the tasks of ``chapter``'s parts with the grading registry (once)."""
    from tinygrad_edu.grading.check import ON_PASS, ON_RESULT, on_pass
    from tinygrad_edu.grading.tasks import _REGISTRY, Case, task

    from . import names

    names()
    if _install_on_pass not in ON_PASS:  # a passing part check installs and saves the function
        on_pass(_install_on_pass)
    if _note_failure not in ON_RESULT:  # a failing one shows as failing in parts.status()
        ON_RESULT.append(_note_failure)
    for part in registry.PARTS.values():
        if part.chapter != chapter or part.task in _REGISTRY:
            continue

        def make_cases(part: registry.Part = part) -> Any:
            nudge = _nudge(part)
            for test in part.tests:
                yield Case(run=_runner(part, test), judge=_test_passed, description=_say(test),
                           nudge=_concept(test) or nudge)
            for test in part.hidden:
                yield Case(
                    run=_runner(part, test), judge=_test_passed, hidden=True,
                    description=_say(test), nudge=_concept(test) or nudge,
                )
            for output in part.outputs:  # plain data, compared with the reference's outside
                yield Case(
                    run=_runner(part, output), hidden=True,
                    description=f"{output.__name__.replace('_', ' ')}: same as the reference",
                    nudge=nudge,
                )

        task(
            part.task,
            points=2,
            object_name=part.object_name,
            reference=part.reference,
            time_limit=TIME_LIMIT,
            hint=f"Read the contract: print(parts.contract({part.name!r})).",
        )(make_cases)


def _note_failure(task_id: str, result: Any) -> None:
    """A part whose check did not pass (an attempt, not an untouched stub) shows "no"."""
    if result.status in ("passed", "not attempted"):
        return
    part = next((p for p in registry.PARTS.values() if p.task == task_id), None)
    if part is not None:
        registry.PASSING[part.name] = False


def _install_on_pass(task_id: str, obj: Any, result: Any) -> None:
    from . import passed

    passed(task_id, obj)


def _nudge(part: registry.Part) -> str:
    """What a failed test of ``part`` is about: the contract it holds the function to."""
    return (
        f"The test's name says the situation it tries; the contract says what {part.name} "
        f"must do in it: print(parts.contract({part.name!r}))."
    )


def _concept(test: Callable) -> str:
    """The idea a test is about: its docstring's first paragraph ("" if it has none)."""
    doc = (test.__doc__ or "").strip()
    return " ".join(doc.split("\n\n")[0].split())


def _test_passed(got: Any) -> str | None:
    """A part test's verdict, judged on the trusted side: None when it passed, else what the
    test found wrong (its own words)."""
    if got == "passed":
        return None
    return got if isinstance(got, str) else "the test did not finish as expected"


def _finding(exc: AssertionError) -> str | None:
    """What a test's own check found (``close``, ``raises``, ``assert``); None when the
    AssertionError came from the learner's code instead."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames or not frames[-1].filename.startswith(_HERE):
        return None
    said = str(exc).strip()
    if not said:  # a bare assert: quote the test's line
        said = f"the check `{(frames[-1].line or '').strip()}` failed"
    return f"the test found: {said}"


_HERE = str(Path(__file__).resolve().parent)


def _say(test: Callable) -> str:
    """``test_mul_backward_by_number`` -> ``the package's test: mul backward by number``."""
    return "the package's test: " + test.__name__.removeprefix("test_").replace("_", " ")


def _runner(part: registry.Part, test: Callable) -> Callable[[Any], str]:
    def run(fn: Any) -> str:
        # Grad mode is left alone: the grader judges in threads that share it (a snapshot
        # restored here would undo another thread's no_grad, or keep it). parts.reset() turns
        # it back on after a part that left it off.
        from . import using

        with using(part.name, fn):
            try:
                result = test()
            except AssertionError as exc:
                found = _finding(exc)
                if found is None:
                    raise
                return found
        return "passed" if result is None else result

    return run
