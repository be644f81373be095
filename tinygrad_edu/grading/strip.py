"""Copies of the package without the answers: for the sandbox, and for a student release.

A chapter's task file (``grading/chNN.py``) holds three things a learner must not have:
the reference answers (``reference=``), expected values written out (``expected=``) and,
in a release, the hidden cases. `strip_source` removes them from the source with `ast`,
then drops the private helpers nothing uses any more (a find-the-bug task's reference,
``_train_step``, goes with its ``reference=``). What is left builds the cases and runs
them; the trusted grader keeps the full files.
"""

from __future__ import annotations

import ast
import shutil
import threading
from pathlib import Path

from tinygrad_edu.grading.tasks import TASK_FILE

_SECRET_KEYWORDS = {"reference", "expected"}
_AST_LOCK = threading.Lock()


class _Strip(ast.NodeTransformer):
    def __init__(self, drop_hidden: bool) -> None:
        self.drop_hidden = drop_hidden

    def visit_Call(self, node: ast.Call) -> ast.AST:  # noqa: N802 (ast's naming)
        self.generic_visit(node)
        node.keywords = [k for k in node.keywords if k.arg not in _SECRET_KEYWORDS]
        return node

    def visit_Expr(self, node: ast.Expr) -> ast.AST | None:  # noqa: N802
        if self.drop_hidden and isinstance(node.value, ast.Yield) and _is_hidden(node.value.value):
            return None
        return self.generic_visit(node)


def _is_hidden(value: ast.AST | None) -> bool:
    """``yield Case(..., hidden=True)`` or ``yield _some_case(..., hidden=True)``."""
    if not isinstance(value, ast.Call):
        return False
    return any(
        k.arg == "hidden" and not (isinstance(k.value, ast.Constant) and not k.value.value)
        for k in value.keywords
    )


def _defined_name(node: ast.stmt) -> str | None:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if len(targets) == 1 and isinstance(targets[0], ast.Name):
            return targets[0].id
    return None


def _drop_unused_private(tree: ast.Module) -> None:
    """Remove top-level ``_name`` definitions that nothing else mentions, until none is."""
    while True:
        used: set[str] = set()
        for stmt in tree.body:
            name = _defined_name(stmt)
            for node in ast.walk(stmt):
                if isinstance(node, ast.Name) and node.id != name:
                    used.add(node.id)
                elif isinstance(node, ast.Attribute):
                    used.add(node.attr)
        unused = [
            s
            for s in tree.body
            if (n := _defined_name(s))
            and n.startswith("_")
            and not n.startswith("__")
            and n not in used
        ]
        if not unused:
            return
        tree.body = [s for s in tree.body if s not in unused]


def strip_source(source: str, *, drop_hidden: bool) -> str:
    """``source`` of a task file without its answers (and hidden cases if ``drop_hidden``)."""
    with _AST_LOCK:  # CPython 3.11's ast is not safe to use from two threads at once
        tree = _Strip(drop_hidden).visit(ast.parse(source))
        _drop_unused_private(tree)
        ast.fix_missing_locations(tree)
        text = ast.unparse(tree)
    what = "reference answers, expected values" + (" or hidden cases" if drop_hidden else "")
    note = f"# A stripped copy: no {what}.\n"
    return note + text + "\n"


def copy_package(package_dir: str | Path, into: str | Path, *, drop_hidden: bool) -> Path:
    """Copy the package folder ``package_dir`` to ``into/tinygrad_edu`` with every task file
    stripped (no ``__pycache__``); returns the copy's folder."""
    target = Path(into) / "tinygrad_edu"
    shutil.copytree(package_dir, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for path in sorted((target / "grading").glob("ch*.py")):
        if TASK_FILE.match(path.name):
            path.write_text(strip_source(path.read_text("utf-8"), drop_hidden=drop_hidden), "utf-8")
    if drop_hidden and (target / "parts").is_dir():  # the parts' hidden tests (issue #11)
        from tinygrad_edu.parts.release import strip_hidden

        strip_hidden(target / "parts")
    return target
