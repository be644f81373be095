"""Strip outputs from notebooks so that they are committed clean.

Why: nbval fails a cell that has stored outputs but no execution count ("Unrun reference
cell has outputs"), untrusted stored outputs show a text fallback instead of a graph, and
outputs make noisy diffs. This clears every code cell's ``outputs`` and ``execution_count``,
drops per-cell execution timings and saved widget state, and keeps everything else (cell
tags such as ``raises-exception`` or ``nbval-skip`` included).

The file is written the way ``nbformat.write`` writes it (sorted keys, indent=1, trailing
newline), so stripping is deterministic and running it twice changes nothing.

Usage::

    python tools/strip_notebooks.py                 # notebooks/, solutions/, exercises/
    python tools/strip_notebooks.py path/a.ipynb dir/
    python tools/strip_notebooks.py --check         # exit 1 if any notebook is not clean
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import nbformat

DEFAULT_FOLDERS = ("notebooks", "solutions", "exercises")


def strip(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Clear outputs and execution counts in place and return ``nb``."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        # nbclient records start/end times here: noise in every diff.
        cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)  # saved ipywidgets state
    return nb


def stripped_text(path: Path) -> str:
    """The text ``path`` should hold once stripped (exactly what ``nbformat.write`` writes)."""
    nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    text = nbformat.writes(strip(nb))
    return text if text.endswith("\n") else text + "\n"


def find_notebooks(paths: Iterable[Path]) -> Iterator[Path]:
    """Notebooks in ``paths`` (files, or folders searched recursively), checkpoints skipped."""
    for path in paths:
        if path.is_dir():
            for nb_path in sorted(path.rglob("*.ipynb")):
                if ".ipynb_checkpoints" not in nb_path.parts:
                    yield nb_path
        elif path.suffix == ".ipynb":
            yield path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks or folders")
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if unclean")
    args = parser.parse_args(argv)

    paths = args.paths or [Path(d) for d in DEFAULT_FOLDERS if Path(d).is_dir()]
    dirty = []
    for nb_path in find_notebooks(paths):
        new = stripped_text(nb_path)
        if nb_path.read_text(encoding="utf-8") != new:
            dirty.append(nb_path)
            if not args.check:
                nb_path.write_text(new, encoding="utf-8")

    verb = "not clean" if args.check else "stripped"
    for nb_path in dirty:
        print(f"{verb}: {nb_path}")
    if args.check and dirty:
        print("run `make strip` to clean them", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
