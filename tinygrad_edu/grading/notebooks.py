"""Reading and writing notebook files the same way every time.

* `notebook_bytes`: the exact bytes ``nbformat.write`` would write (sorted keys, indent=1,
  trailing newline), so a generated notebook is byte-for-byte reproducible and
  tools/strip_notebooks.py leaves it unchanged.
* `content_hash`: a fingerprint of what a learner edits (each cell's type, source and
  tags), not of outputs: running a notebook does not change it, typing in it does.
* `notebook_chapter` / `filename_chapter`: which chapter a notebook belongs to.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from pathlib import Path
from typing import Any

import nbformat

META_KEY = "tinygrad_edu"  # our entry in a notebook's metadata
_CHAPTER_PREFIX = re.compile(r"^(\d\d)_")


def read_notebook(path: str | Path) -> nbformat.NotebookNode:
    """Parse and validate ``path``; raises (ValueError, nbformat's errors) if it is not one."""
    text = Path(path).read_bytes().decode("utf-8")
    with warnings.catch_warnings():  # e.g. cells without ids, from older Jupyter: harmless
        warnings.simplefilter("ignore")
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    return nb


def notebook_bytes(nb: nbformat.NotebookNode) -> bytes:
    """What ``nbformat.write`` writes for ``nb``, as UTF-8 bytes."""
    text = nbformat.writes(nb, version=4)
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


def content_hash(nb: nbformat.NotebookNode) -> str:
    """sha256 of each cell's type, source and tags (outputs and ids do not count)."""
    cells = [[c.cell_type, c.source, list(c.get("metadata", {}).get("tags", []))] for c in nb.cells]
    data = json.dumps(cells, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def our_metadata(nb: nbformat.NotebookNode) -> dict[str, Any]:
    """``nb.metadata["tinygrad_edu"]``, or {} if absent or malformed."""
    meta = nb.get("metadata", {}).get(META_KEY, {})
    return meta if isinstance(meta, dict) else {}


def notebook_chapter(nb: nbformat.NotebookNode) -> int | None:
    """The chapter written in the notebook's metadata, if any."""
    chapter = our_metadata(nb).get("chapter")
    return chapter if isinstance(chapter, int) and not isinstance(chapter, bool) else None


def filename_chapter(path: str | Path) -> int | None:
    """``04_autograd.ipynb`` -> 4; None when the name does not start with two digits."""
    match = _CHAPTER_PREFIX.match(Path(path).name)
    return int(match.group(1)) if match else None
