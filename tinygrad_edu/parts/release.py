"""A student release of the parts: their hidden tests and data cases removed from the source.

``grading/strip.py``'s ``copy_package(..., drop_hidden=True)`` calls `strip_hidden` on the copy:
every function registered with ``tests_of(..., hidden=True)`` or ``outputs_of(...)`` (and every
statement that registers one) goes, and ``outputs.py`` keeps only its docstring. The visible
tests stay: they are what ``check()`` runs in the notebook.
"""

from __future__ import annotations

import ast
from pathlib import Path


def _registers_hidden(node: ast.AST) -> bool:
    """Does ``node`` register a hidden test (``tests_of(..., hidden=True)``) or a data case
    judged outside (``outputs_of(...)``, always hidden)?"""
    for call in ast.walk(node):
        if not isinstance(call, ast.Call):
            continue
        name = getattr(call.func, "id", "")
        if name == "outputs_of":
            return True
        if name == "tests_of":
            if any(k.arg == "hidden" and getattr(k.value, "value", False) for k in call.keywords):
                return True
    return False


class _DropHidden(ast.NodeTransformer):
    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST | None:  # noqa: N802
        return None if any(_registers_hidden(d) for d in node.decorator_list) else node

    def visit_Assign(self, node: ast.Assign) -> ast.AST | None:  # noqa: N802
        return None if _registers_hidden(node) else node

    def visit_Expr(self, node: ast.Expr) -> ast.AST | None:  # noqa: N802
        return None if _registers_hidden(node) else node


def strip_hidden(parts_dir: str | Path) -> None:
    """Rewrite the parts' chapter files in ``parts_dir`` without their hidden cases."""
    folder = Path(parts_dir)
    for path in sorted(folder.glob("ch*.py")):
        tree = _DropHidden().visit(ast.parse(path.read_text("utf-8")))
        path.write_text(ast.unparse(ast.fix_missing_locations(tree)) + "\n", "utf-8")
    outputs = folder / "outputs.py"
    if outputs.exists():
        outputs.write_text('"""Hidden data cases: not in a student release."""\n', "utf-8")
