"""Showing a drawing in a notebook, even when graphviz's ``dot`` program is missing.

The Python ``graphviz`` package only *writes* DOT text; turning it into a picture needs
the ``dot`` program, which ``pip`` cannot install. Without it a plain ``Digraph`` raises
``graphviz.ExecutableNotFound`` while the notebook tries to show it. A ``Drawing`` shows
a clear message instead: how to install ``dot``, and the DOT text of the graph.
"""

from __future__ import annotations

import html
from typing import Any

import graphviz

INSTALL_DOT = ("sudo apt-get install graphviz   |   brew install graphviz   |   "
               "conda install -c conda-forge graphviz")


def missing_dot_text(source: str) -> str:
    """The plain-text message shown instead of a picture when ``dot`` is not installed."""
    return ("Cannot draw this graph: graphviz's `dot` program is not installed (or not on "
            f"PATH).\nInstall it with one of:\n    {INSTALL_DOT}\nthen rerun the cell "
            "(`tinygrad-edu doctor` checks your setup).\n\nThe graph, as DOT text:\n"
            + source)


def missing_dot_bundle(source: str) -> dict[str, str]:
    """The notebook output (HTML and plain text) that replaces a picture without ``dot``."""
    page = (
        '<div style="border:1px solid #d9534f;padding:8px">'
        "<b>Cannot draw this graph: graphviz's <code>dot</code> program is not installed."
        f"</b><br>Install it with one of: <code>{html.escape(INSTALL_DOT)}</code><br>"
        "then rerun the cell (<code>tinygrad-edu doctor</code> checks your setup)."
        f"<details><summary>the graph, as DOT text</summary><pre>{html.escape(source)}"
        "</pre></details></div>")
    return {"text/html": page, "text/plain": missing_dot_text(source)}


def svg_or_none(graph: graphviz.Digraph) -> str | None:
    """The graph rendered to SVG text, or ``None`` when ``dot`` is missing."""
    try:
        return graph.pipe(format="svg", encoding="utf-8")
    except graphviz.ExecutableNotFound:
        return None


class Drawing(graphviz.Digraph):
    """A ``graphviz.Digraph`` that never crashes a notebook for want of ``dot``.

    Everything else is plain graphviz: ``.source`` is the DOT text, ``.render()`` and
    ``.pipe()`` work as usual, and a notebook shows it as an SVG picture.
    """

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None,
                          **kwargs: Any) -> dict[str, Any]:
        try:
            return super()._repr_mimebundle_(include=include, exclude=exclude, **kwargs)
        except graphviz.ExecutableNotFound:
            return missing_dot_bundle(self.source)
