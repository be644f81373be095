"""The parts registry: which package function each part is, and how a learner's one is swapped in.

A **part** is one function of the package that a chapter's exercise asks the learner to write:
``autograd.run_backward``, ``ops.Mul.backward``, ``nn.Module.__setattr__`` ... Its contract is
the docstring of its *stub* (the signature the learner copies). The package calls the part
through one or more **slots**: a module global (``engine.run_backward``) or a class attribute
(``Mul.backward``). Installing a function writes it into every slot; the package then finds it
by its ordinary name lookup at call time, so the reference path costs nothing extra.

A learner's function is installed wrapped: any exception that escapes it gets a note naming
the part and how to restore the reference (``parts.reset('autograd.run_backward')``).
"""

from __future__ import annotations

import functools
import inspect
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Slot:
    """Where the package looks the part up: ``owner.attr`` (a module or a class).

    ``kind`` says how a plain function is stored there: ``"function"`` (a module global or a
    method), ``"staticmethod"``, ``"classmethod"`` or ``"property"`` (the getter).
    """

    owner: Any
    attr: str
    kind: str = "function"
    original: Any = None  # the raw object found there at registration (restored by reset)
    original_function: Any = None  # the same, unwrapped: the reference implementation

    def read(self) -> Any:
        """The stored object, unwrapped to a plain function."""
        raw = self.owner.__dict__[self.attr]
        if isinstance(raw, (staticmethod, classmethod)):
            return raw.__func__
        if isinstance(raw, property):
            return raw.fget
        return raw

    def write(self, fn: Callable) -> None:
        wrap = {"staticmethod": staticmethod, "classmethod": classmethod, "property": property}
        value = wrap[self.kind](fn) if self.kind in wrap else fn
        setattr(self.owner, self.attr, value)

    def restore(self) -> None:
        setattr(self.owner, self.attr, self.original)


@dataclass
class Part:
    """One learner-written piece of the package."""

    name: str  # "autograd.run_backward"
    chapter: int
    stub: Callable  # the contract: signature + docstring
    slots: list[Slot]
    task: str  # the grading task that checks it, "ch04.run_backward"
    tests: list[Callable] = field(default_factory=list)  # the package's own tests of this piece
    hidden: list[Callable] = field(default_factory=list)  # the chapter's hidden cases
    outputs: list[Callable] = field(default_factory=list)  # () -> plain data, judged outside
    on_install: Callable[[bool], None] | None = None  # called with True when back to reference
    # What the package puts around a learner's function, for the cases its contract leaves to
    # the package (``device.array_module``: the Tensors of a create_graph backward).
    around: Callable[[Callable], Callable] | None = None

    @property
    def short(self) -> str:
        """``run_backward`` for ``autograd.run_backward``; ``Mul.backward`` for ``ops.Mul...``."""
        return self.name.split(".", 1)[1]

    @property
    def object_name(self) -> str:
        """The name the learner's function has in the exercise (``run_backward``)."""
        return self.task.split(".", 1)[1]

    @property
    def reference(self) -> Callable:
        return self.slots[0].original_function

    @property
    def contract(self) -> str:
        return inspect.getdoc(self.stub) or ""


PARTS: dict[str, Part] = {}
INSTALLED: dict[str, Callable] = {}  # part name -> the learner's function, as given (unwrapped)
WRAPPERS: dict[str, Callable] = {}  # part name -> what the slots hold for it (it names errors)
PASSING: dict[str, bool] = {}  # part name -> did its last check pass (in this kernel)


def define(
    name: str,
    chapter: int,
    slots: list[tuple],
    task: str,
    on_install: Callable[[bool], None] | None = None,
    around: Callable[[Callable], Callable] | None = None,
) -> Callable[[Callable], Callable]:
    """Register the decorated stub as the contract of part ``name`` (see the module docstring).

    ``slots``: ``(owner, attr)`` or ``(owner, attr, kind)``; the first slot's current content
    is the reference implementation.
    """

    def register(stub: Callable) -> Callable:
        made = []
        for spec in slots:
            slot = Slot(*spec)
            slot.original = slot.owner.__dict__[slot.attr]
            slot.original_function = slot.read()
            made.append(slot)
        PARTS[name] = Part(name, chapter, stub, made, task, on_install=on_install, around=around)
        return stub

    return register


def tests_of(name: str, hidden: bool = False) -> Callable[[Callable], Callable]:
    """Add the decorated test function to part ``name``'s tests (``hidden``: grader only)."""

    def add(fn: Callable) -> Callable:
        part = PARTS[name]
        (part.hidden if hidden else part.tests).append(fn)
        return fn

    return add


def outputs_of(*names: str) -> Callable[[Callable], Callable]:
    """Add the decorated ``() -> plain data`` function (arrays, numbers, strings) to the parts'
    outputs: the grader compares what it returns with the learner's part installed against
    what it returns with the reference, outside the learner's process."""

    def add(fn: Callable) -> Callable:
        for name in names:
            PARTS[name].outputs.append(fn)
        return fn

    return add


def get(name: str) -> Part:
    """The part called ``name``; a KeyError that lists the known names otherwise."""
    from . import catalog  # noqa: F401  (registers every part on first use)

    if name not in PARTS:
        raise KeyError(f"no part called {name!r}; the parts are: {', '.join(PARTS)}")
    return PARTS[name]


def write(part: Part, fn: Callable | None) -> None:
    """Put ``fn`` (None: the reference) into every slot of ``part``."""
    if fn is not None and not callable(fn):
        raise TypeError(f"part {part.name!r} needs a function, got {type(fn).__name__}")
    old = WRAPPERS.get(part.name)
    new = None if fn is None else _blaming(part, fn)
    if new is not None and part.around is not None:
        new = part.around(new)
    for slot in part.slots:
        if isinstance(slot.owner, type):
            slot.restore() if new is None else slot.write(new)
        else:  # a module global: rebind it there and in every module that imported it
            _rebind(part.reference, old, part.reference if new is None else new)
    if new is None:
        INSTALLED.pop(part.name, None)
        WRAPPERS.pop(part.name, None)
    else:
        INSTALLED[part.name], WRAPPERS[part.name] = fn, new
    if part.on_install is not None:
        part.on_install(fn is None)


def _rebind(reference: Callable, old: Callable | None, new: Callable) -> None:
    """Every module of the package (but grading's and parts' own) whose global holds the
    reference or ``old`` gets ``new`` instead: ``from .engine import run_backward`` included.

    Modules loaded later import whatever is installed then, so they need no visit."""
    targets = (reference,) if old is None else (reference, old)
    for module_name, module in list(sys.modules.items()):
        if module is None or not module_name.startswith("tinygrad_edu"):
            continue
        if module_name.startswith(("tinygrad_edu.grading", "tinygrad_edu.parts")):
            continue
        namespace = module.__dict__
        for key, value in list(namespace.items()):
            if any(value is t for t in targets):
                namespace[key] = new


# ------------------------------------------------------------------ naming a broken part
def _blaming(part: Part, fn: Callable) -> Callable:
    """``fn``, wrapped so that an exception escaping it names the part."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator(*args: Any, **kwargs: Any) -> Any:
            try:
                return (yield from fn(*args, **kwargs))
            except Exception as exc:
                _blame(exc, part, fn)
                raise

        return generator

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            _blame(exc, part, fn)
            raise

    wrapper.__part__ = part.name
    return wrapper


def _blame(exc: BaseException, part: Part, fn: Callable) -> None:
    """Add a note to ``exc`` naming the innermost learner part it passed through."""
    if getattr(exc, "_tinygrad_part", None) is not None:
        return
    try:
        exc._tinygrad_part = part.name
    except AttributeError:  # an exception type that refuses attributes: note it anyway
        pass
    frames = traceback.extract_tb(exc.__traceback__)
    own_file = getattr(getattr(fn, "__code__", None), "co_filename", None)
    raised_in_yours = bool(frames) and frames[-1].filename == own_file
    restore = f"`parts.reset('{part.name}')` restores the reference"
    if raised_in_yours:
        line = f" (line {frames[-1].lineno}: {(frames[-1].line or '').strip()})"
        text = f"your {part.short} raised {type(exc).__name__}: {exc}{line}; {restore}"
    else:
        text = (
            f"this error passed through your {part.short} (part '{part.name}'); "
            f"if your part is at fault, {restore}"
        )
    exc.add_note(text)
