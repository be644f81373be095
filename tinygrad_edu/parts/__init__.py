"""``tinygrad_edu.parts``: the pieces of the package that you write, and swapping yours in.

Each chapter's exercises ask for real parts of ``tinygrad_edu``: the dtype ``tensor([...])``
infers, ``unbroadcast``, ``Mul``'s backward, the backward engine, ``SGD``'s step ... When a part's
``check(...)`` passes, your function goes into the live package for the rest of the session and
is saved to ``exercises/my_parts/<name>.py``; from then on tensors, ``draw_graph``, the stepper
and training run on your code. ``parts.load_mine()`` at the top of a later notebook puts every
saved part back.

>>> from tinygrad_edu import parts
>>> parts.names()[:3]
['dtypes.infer_dtype', 'shapes.infer_shape', 'shapes.broadcast_shapes']
>>> print(parts.contract("autograd.unbroadcast"))     # what your function must do
>>> @parts.implement("autograd.unbroadcast")          # install without a check
... def unbroadcast(grad, shape): ...
>>> parts.reset("autograd.unbroadcast")               # back to the reference
>>> parts.status()                                    # part, chapter, yours?, passing?
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from . import registry
from .mine import load_mine, my_parts_dir, save
from .status import StatusTable, status

__all__ = [
    "contract",
    "implement",
    "install",
    "load_mine",
    "my_parts_dir",
    "names",
    "reference",
    "reset",
    "save",
    "status",
    "StatusTable",
    "suspended",
    "using",
]


def names() -> list[str]:
    """Every part's name, in chapter order (``"autograd.run_backward"``, ...)."""
    from . import catalog  # noqa: F401  (registers every part)

    return [p.name for p in sorted(registry.PARTS.values(), key=lambda p: p.chapter)]


def reference(name: str) -> Callable:
    """The package's own implementation of part ``name`` (what ``reset`` puts back)."""
    return registry.get(name).reference


def contract(name: str) -> str:
    """What part ``name`` must do: its signature and docstring (the same as the reference's)."""
    import inspect

    part = registry.get(name)
    return f"def {part.stub.__name__}{inspect.signature(part.stub)}:\n{part.contract}"


def install(name: str, fn: Callable) -> Callable:
    """Put ``fn`` into the live package as part ``name``, for the rest of this session."""
    registry.write(registry.get(name), fn)
    return fn


def implement(name: str) -> Callable[[Callable], Callable]:
    """Decorator: ``@parts.implement("autograd.run_backward")`` installs the function below."""

    def decorate(fn: Callable) -> Callable:
        return install(name, fn)

    return decorate


def reset(name: str | None = None) -> None:
    """Go back to the reference for part ``name`` (every part when no name is given).

    Grad mode is switched back on too: a broken part may have left it off.
    """
    from ..autograd.grad_mode import _GradMode

    targets = [registry.get(name)] if name is not None else list(registry.PARTS.values())
    for part in targets:
        registry.write(part, None)
        registry.PASSING.pop(part.name, None)
    _GradMode.enabled = True


@contextlib.contextmanager
def using(name: str, fn: Callable | None) -> Iterator[None]:
    """``with parts.using(name, fn):`` part ``name`` is ``fn`` inside the block only.

    ``fn=None`` means the reference. Whatever was installed before comes back afterwards.
    """
    part = registry.get(name)
    before = registry.INSTALLED.get(name)
    registry.write(part, fn)
    try:
        yield
    finally:
        registry.write(part, before)


@contextlib.contextmanager
def suspended() -> Iterator[None]:
    """Inside ``with parts.suspended():`` the package runs on its reference parts only; yours
    come back afterwards (to compare speed or results with your own framework)."""
    mine = dict(registry.INSTALLED)
    for name in mine:
        registry.write(registry.get(name), None)
    try:
        yield
    finally:
        for name, fn in mine.items():
            registry.write(registry.get(name), fn)


def passed(task_id: str, obj: Any) -> None:
    """``check()`` calls this when a task passes: for a part's task, install and save ``obj``."""
    part = next((p for p in _all() if p.task == task_id), None)
    if part is None or not callable(obj):
        return
    install(part.name, obj)
    registry.PASSING[part.name] = True
    where = save(part.name, obj)
    note = f"saved to {where}" if where else "not saved (see the message above)"
    print(f"Installed: tinygrad_edu now runs your {part.short} ({note}).")


def _all() -> list:
    names()
    return list(registry.PARTS.values())
