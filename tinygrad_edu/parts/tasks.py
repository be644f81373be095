"""Each part is a graded task: its cases are the part's own tests, run with the function swapped in.

``check("ch04.run_backward", run_backward)`` runs every test of part ``autograd.run_backward``
(``tinygrad_edu/parts/ch04.py``) with the learner's function installed for the test only;
the grader adds the hidden ones. A passing check installs and saves the function
(`tinygrad_edu.parts.passed`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import registry

TIME_LIMIT = 5.0  # seconds for all of one part's cases


def register_part_tasks(chapter: int) -> None:
    """Register the tasks of ``chapter``'s parts with the grading registry (once)."""
    from tinygrad_edu.grading.check import ON_PASS, on_pass
    from tinygrad_edu.grading.tasks import _REGISTRY, Case, task

    from . import names

    names()
    if _install_on_pass not in ON_PASS:  # a passing part check installs and saves the function
        on_pass(_install_on_pass)
    for part in registry.PARTS.values():
        if part.chapter != chapter or part.task in _REGISTRY:
            continue

        def make_cases(part: registry.Part = part) -> Any:
            nudge = _nudge(part)
            for test in part.tests:
                yield Case(run=_runner(part, test), expected="passed", description=_say(test),
                           nudge=nudge)
            for test in part.hidden:
                yield Case(
                    run=_runner(part, test), expected="passed", hidden=True,
                    description=_say(test), nudge=nudge,
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


def _install_on_pass(task_id: str, obj: Any, result: Any) -> None:
    from . import passed

    passed(task_id, obj)


def _nudge(part: registry.Part) -> str:
    """What a failed test of ``part`` is about: the contract it holds the function to."""
    return (
        f"The test's name says the situation it tries; the contract says what {part.name} "
        f"must do in it: print(parts.contract({part.name!r}))."
    )


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
            result = test()
        return "passed" if result is None else result

    return run
