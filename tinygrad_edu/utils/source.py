"""Lesson helpers: show the package's real source in a notebook, so prose and code never drift.

>>> from tinygrad_edu.ops.arithmetic import Mul
>>> src = show_source(Mul.backward)
>>> src.where.split(",")[0]      # then the line numbers
'tinygrad_edu/ops/arithmetic.py'
>>> print(src.text.splitlines()[1])
def backward(ctx, grad):

In Jupyter the returned object shows as syntax-highlighted Markdown (a code block with the
file and line numbers above it); anywhere else it prints as plain text.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from pathlib import Path
from typing import Any

PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # the tinygrad_edu folder


class Source:
    """Some lines of source code and where they come from; a notebook shows them highlighted."""

    def __init__(self, text: str, where: str) -> None:
        self.text = text
        self.where = where

    def _repr_markdown_(self) -> str:
        longest = max((len(run) for run in re.findall(r"`+", self.text)), default=0)
        fence = "`" * max(3, longest + 1)  # a fence longer than any backtick run in the code
        return f"*{self.where}*\n\n{fence}python\n{self.text}\n{fence}\n"

    def __repr__(self) -> str:
        return f"# {self.where}\n{self.text}"

    __str__ = __repr__


def _relative(path: str | Path) -> str:
    """``/.../tinygrad_edu/ops/arithmetic.py`` -> ``tinygrad_edu/ops/arithmetic.py``."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(PACKAGE_ROOT.parent))
    except ValueError:
        return str(path)


def show_source(obj: Any) -> Source:
    """The source of a function, class, method or property of the package (or any Python code).

    ``show_source(Tensor._make)``, ``show_source(Mul)``, ``show_source(Tensor.shape)``.
    """
    target = obj.fget if isinstance(obj, property) else obj
    target = inspect.unwrap(getattr(target, "__func__", target))
    try:
        lines, start = inspect.getsourcelines(target)
        path = inspect.getsourcefile(target)
    except (TypeError, OSError) as exc:
        raise TypeError(f"show_source cannot find the source of {obj!r} ({exc}). Pass a "
                        "function, class or method written in Python, e.g. "
                        "show_source(Tensor.backward).") from None
    text = textwrap.dedent("".join(lines)).rstrip("\n")
    return Source(text, f"{_relative(path)}, lines {start}-{start + len(lines) - 1}")


def show_file(path: str, start: int | None = None, end: int | None = None) -> Source:
    """Lines ``start``..``end`` (1-based, inclusive; default: all) of a file of the package.

    ``path`` is relative to the package folder: ``show_file("autograd/broadcast.py")``.
    """
    file = PACKAGE_ROOT / path
    if not file.is_file():
        raise FileNotFoundError(f"No file {path!r} in the package ({PACKAGE_ROOT}). Give a "
                                "path inside it, e.g. show_file('ops/arithmetic.py').")
    lines = file.read_text(encoding="utf-8").splitlines()
    first, last = start or 1, min(end or len(lines), len(lines))
    where = _relative(file) + ("" if (first, last) == (1, len(lines))
                               else f", lines {first}-{last}")
    return Source("\n".join(lines[first - 1:last]), where)
