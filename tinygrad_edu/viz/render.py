"""Turning DOT text into a picture, safely: ``dot`` may be missing, slow, or interrupted.

The Python ``graphviz`` package only *writes* DOT text; the picture comes from graphviz's
``dot`` program, which ``pip`` cannot install. A ``Drawing`` is a ``graphviz.Digraph``
whose notebook display never hangs and never crashes:

* a picture wider than a notebook cell is shrunk to fit it (``fit_width``): JupyterLab
  would otherwise cut it off at the right edge;
* ``dot`` missing: a message saying how to install it, and the DOT text;
* ``dot`` slower than ``timeout`` seconds (``DOT_TIMEOUT_S``), or the learner presses
  *Interrupt*: the ``dot`` process is killed, with its whole process group (it runs in a
  session of its own, so nothing is left running), and the cell shows what happened, how
  to draw less, and a link to download the DOT text (to lay it out elsewhere).
"""

from __future__ import annotations

import base64
import html
import os
import re
import shutil
import signal
import subprocess
from typing import Any

import graphviz

INSTALL_DOT = ("sudo apt-get install graphviz   |   brew install graphviz   |   "
               "conda install -c conda-forge graphviz")
DOT_TIMEOUT_S = 10.0  # a picture that takes longer than this is not worth waiting for
PAGE_WIDTH_PT = 630  # a JupyterLab cell's width for outputs (layout.py explains)
SVG_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')
DRAW_LESS = ("draw less: draw_graph(y, max_nodes=200), collapse='module' for a model, "
             "or max_depth=5 for the last few levels")


class DotTimeout(RuntimeError):
    """``dot`` did not finish within the time limit (it has been killed)."""


def missing_dot_text(source: str) -> str:
    """The plain-text message shown instead of a picture when ``dot`` is not installed."""
    return ("Cannot draw this graph: graphviz's `dot` program is not installed (or not on "
            f"PATH).\nInstall it with one of:\n    {INSTALL_DOT}\nthen rerun the cell "
            "(`tinygrad-edu doctor` checks your setup).\n\nThe graph, as DOT text:\n"
            + source)


def dot_download_link(source: str, filename: str = "graph.dot") -> str:
    """An HTML link that saves the DOT text as a file (a data: URL: no server needed)."""
    data = base64.b64encode(source.encode("utf-8")).decode("ascii")
    return (f'<a download="{filename}" href="data:text/vnd.graphviz;base64,{data}">'
            f"download the DOT text ({filename})</a>")


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


def stopped_bundle(source: str, why: str) -> dict[str, str]:
    """The notebook output when ``dot`` was stopped (too slow, or interrupted)."""
    text = (f"Graph not drawn: {why}. graphviz's `dot` was stopped, nothing is left running."
            f"\nTo get a picture, {DRAW_LESS}.")
    page = (f'<div style="border:1px solid #f0ad4e;padding:8px"><b>{html.escape(text)}</b>'
            f"<br>{dot_download_link(source)} to lay it out elsewhere.</div>")
    return {"text/html": page, "text/plain": text + f"\n({len(source):,} bytes of DOT text)"}


def kill_group(proc: subprocess.Popen) -> None:
    """Kill ``proc`` and everything it started (its own process group), then reap it."""
    if proc.poll() is None:
        try:
            if hasattr(os, "killpg"):
                os.killpg(proc.pid, signal.SIGKILL)
            else:  # Windows: no process groups; dot starts no children
                proc.kill()
        except (ProcessLookupError, PermissionError):
            pass
    proc.wait()


def run_dot(source: str, fmt: str = "svg", timeout: float = DOT_TIMEOUT_S) -> bytes:
    """``dot -T<fmt>`` on ``source``, in its own session, killed after ``timeout`` seconds.

    Raises ``graphviz.ExecutableNotFound`` without ``dot``, ``DotTimeout`` when it is too
    slow, and passes ``KeyboardInterrupt`` on after killing it.
    """
    exe = shutil.which("dot")
    if exe is None:
        raise graphviz.ExecutableNotFound(["dot"])
    proc = subprocess.Popen([exe, f"-T{fmt}"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(source.encode("utf-8"), timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        raise DotTimeout(f"laying it out took more than {timeout:g} s") from None
    finally:  # KeyboardInterrupt (the notebook's Interrupt button) or any other error
        kill_group(proc)
    if proc.returncode != 0:
        raise graphviz.CalledProcessError(proc.returncode, [exe, f"-T{fmt}"], out, err)
    return out


def fit_width(svg: str, width_pt: float = PAGE_WIDTH_PT) -> str:
    """``svg`` shrunk to ``width_pt`` if it is wider (its viewBox keeps the drawing whole)."""
    size = SVG_SIZE.search(svg)
    if size is None or float(size.group(1)) <= width_pt:
        return svg
    height = float(size.group(2)) * width_pt / float(size.group(1))
    return svg.replace(size.group(0), f'<svg width="{width_pt:g}pt" height="{height:.0f}pt"', 1)


def svg_bundle(source: str, timeout: float = DOT_TIMEOUT_S) -> dict[str, str]:
    """The notebook output for a graph: its SVG, or a message saying why there is none."""
    try:
        svg = fit_width(run_dot(source, "svg", timeout).decode("utf-8"))
    except graphviz.ExecutableNotFound:
        return missing_dot_bundle(source)
    except DotTimeout as err:
        return stopped_bundle(source, str(err))
    except KeyboardInterrupt:
        return stopped_bundle(source, "interrupted")
    return {"image/svg+xml": svg}


def svg_or_none(graph: graphviz.Digraph, timeout: float = DOT_TIMEOUT_S) -> str | None:
    """The graph rendered to SVG text, or ``None`` when ``dot`` is missing."""
    try:
        return run_dot(graph.source, "svg", timeout).decode("utf-8")
    except graphviz.ExecutableNotFound:
        return None


class Drawing(graphviz.Digraph):
    """A ``graphviz.Digraph`` that never crashes or hangs a notebook.

    Everything else is plain graphviz: ``.source`` is the DOT text, ``.render()`` and
    ``.pipe()`` work as usual, and a notebook shows it as an SVG picture, made by ``dot``
    with a time limit (``timeout``, seconds).
    """

    timeout: float = DOT_TIMEOUT_S

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None,
                          **kwargs: Any) -> dict[str, Any]:
        return svg_bundle(self.source, self.timeout)
