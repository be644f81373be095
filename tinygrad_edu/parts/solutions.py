"""The solutions' parts: every ``# part: NAME`` cell of ``solutions/*.ipynb``, as functions.

The exercise notebooks in ``solutions/`` are the single source of the model answers. A part's
answer is one self-contained code cell (its own imports) whose first line is
``# part: autograd.run_backward`` and which defines the function the check names. CI runs the
whole test suite a second time with all of them installed (``pytest --parts=solutions``), the
way a learner who finished every chapter runs the package: saved to a my_parts folder, then
``load_mine()``.
"""

from __future__ import annotations

import json
import linecache
import re
from collections.abc import Callable
from pathlib import Path

from . import registry

PART_LINE = re.compile(r"^#\s*part:\s*(\S+)\s*$")


def solution_cells(folder: str | Path) -> dict[str, tuple[str, str]]:
    """``{part name: (cell source, "notebook.ipynb cell N")}`` for every part cell in ``folder``.

    A part with two cells, or a cell naming an unknown part, is an error.
    """
    found: dict[str, tuple[str, str]] = {}
    for notebook in sorted(Path(folder).glob("*.ipynb")):
        cells = json.loads(notebook.read_text())["cells"]
        for index, cell in enumerate(cells):
            source = "".join(cell["source"]) if cell["cell_type"] == "code" else ""
            match = PART_LINE.match(source.split("\n", 1)[0])
            if not match:
                continue
            name = match.group(1)
            registry.get(name)  # KeyError for an unknown part
            where = f"{notebook.name} cell {index}"
            if name in found:
                raise ValueError(f"part {name} has two cells: {found[name][1]} and {where}")
            found[name] = (source, where)
    return found


def solution_functions(folder: str | Path) -> dict[str, Callable]:
    """Run each part cell of ``folder`` in a fresh namespace; the function it defines, by part.

    Each cell's source is registered with ``linecache`` under its notebook and cell, so
    tracebacks and ``inspect.getsource`` (saving it) work as for a notebook cell.
    """
    functions = {}
    for name, (source, where) in solution_cells(folder).items():
        filename = f"<{where}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        namespace = {"__name__": f"solution_{name.replace('.', '_')}"}
        exec(compile(source, filename, "exec"), namespace)
        object_name = registry.PARTS[name].object_name
        if object_name not in namespace:
            raise ValueError(f"{where}: the cell of part {name} defines no {object_name}()")
        functions[name] = namespace[object_name]
    return functions


def save_solutions(folder: str | Path, out: str | Path) -> list[str]:
    """Save every solution part of ``folder`` into ``out`` as ``load_mine()`` reads them."""
    from .mine import save

    saved = []
    for name, fn in solution_functions(folder).items():
        if save(name, fn, Path(out)) is None:
            raise RuntimeError(f"could not save the solution of {name}")
        saved.append(name)
    return saved


if __name__ == "__main__":  # python -m tinygrad_edu.parts.solutions solutions/ OUT/
    import sys

    names = save_solutions(sys.argv[1], sys.argv[2])
    print(f"saved the solutions' {len(names)} parts to {sys.argv[2]}")
