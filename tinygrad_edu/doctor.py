"""Check that this machine is ready for the course: ``tinygrad-edu doctor``.

Each check answers one question ("can graphviz draw a graph?") and, when the answer is no,
says how to fix it. The essentials are Python, the libraries the notebooks import, and the
graphviz program ``dot`` that draws autograd graphs. A GPU is optional: without one every
lesson runs on NumPy, so a missing GPU is reported as information, never as a failure.

Example::

    >>> from tinygrad_edu import doctor
    >>> for name, ok, detail, fix in doctor.report():
    ...     print(name, ok, detail)
    Python True 3.11.7 (/work/main/.venv/bin/python)
    ...

This module imports nothing heavy at import time: CuPy is imported only inside its check,
and PyTorch (the test oracle) is never imported, only looked up by version.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import platform
import shutil
import sys
from typing import NamedTuple

#: The oldest Python the package supports (keep in step with pyproject.toml).
MIN_PYTHON = (3, 10)

#: Libraries the notebooks and the grader import: (module name, PyPI distribution name).
LIBRARIES = [
    ("numpy", "numpy"),
    ("matplotlib", "matplotlib"),
    ("graphviz", "graphviz"),
    ("jupyterlab", "jupyterlab"),
    ("ipywidgets", "ipywidgets"),
    ("nbformat", "nbformat"),
    ("nbclient", "nbclient"),
]

REINSTALL = "make setup   (or: pip install -e '.[dev]')"
INSTALL_DOT = (
    "sudo apt-get install graphviz  |  brew install graphviz  |  "
    "conda install -c conda-forge graphviz"
)
INSTALL_CUPY = "pip install -e '.[gpu]'  (or: pip install cupy-cuda12x, or conda-forge cupy)"


class Check(NamedTuple):
    """One line of the checklist.

    ``ok`` is ``True`` (works), ``False`` (broken: the course needs it) or ``None``
    (optional and not available: information only). ``fix`` is empty when nothing is to do.
    """

    name: str
    ok: bool | None
    detail: str
    fix: str


def check_python() -> Check:
    """Is this Python new enough? Also shows which interpreter runs, to catch a wrong venv."""
    version = platform.python_version()
    ok = sys.version_info[:2] >= MIN_PYTHON
    fix = "" if ok else f"use Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer"
    return Check("Python", ok, f"{version} ({sys.executable})", fix)


def check_library(module: str, dist: str) -> Check:
    """Does ``import module`` work, and which version is installed?"""
    try:
        importlib.import_module(module)
    except Exception as exc:  # a broken install can raise more than ImportError
        return Check(module, False, f"cannot import: {type(exc).__name__}: {exc}", REINSTALL)
    try:
        version = importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        version = "version unknown"
    return Check(module, True, version, "")


def check_dot() -> Check:
    """Is graphviz's ``dot`` on PATH, and does it really turn a tiny graph into SVG?

    The Python ``graphviz`` package only writes DOT text; drawing needs the ``dot`` program,
    which pip cannot install. Rendering once catches a ``dot`` that exists but is broken
    (missing plugins or fonts).
    """
    name = "graphviz dot"
    path = shutil.which("dot")
    if path is None:
        return Check(name, False, "the `dot` program is not on PATH", INSTALL_DOT)
    try:
        import graphviz

        svg = graphviz.Source("digraph { a -> b }").pipe(format="svg")
    except Exception as exc:
        return Check(
            name, False, f"{path} failed to render: {type(exc).__name__}: {exc}", INSTALL_DOT
        )
    if b"<svg" not in svg:
        return Check(name, False, f"{path} rendered no SVG", INSTALL_DOT)
    version = ".".join(str(part) for part in graphviz.version())
    return Check(name, True, f"{version} at {path}, renders SVG", "")


def check_cupy() -> Check:
    """Does CuPy import and see a CUDA GPU? Optional: ``ok`` is ``None`` when it does not."""
    name = "CuPy (GPU, optional)"
    try:
        import cupy
    except Exception as exc:
        detail = "not installed" if isinstance(exc, ImportError) else f"import failed: {exc}"
        return Check(name, None, f"{detail}; lessons run on NumPy (CPU)", INSTALL_CUPY)
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # CUDARuntimeError when there is no driver or no device
        return Check(
            name,
            None,
            f"CuPy {cupy.__version__} sees no CUDA GPU ({exc})",
            "run on a machine with an NVIDIA GPU and driver",
        )
    if count == 0:
        return Check(
            name,
            None,
            f"CuPy {cupy.__version__} sees no CUDA GPU",
            "run on a machine with an NVIDIA GPU and driver",
        )
    gpu = cupy.cuda.runtime.getDeviceProperties(0)["name"]
    if isinstance(gpu, bytes):
        gpu = gpu.decode()
    return Check(name, True, f"CuPy {cupy.__version__}, {count} GPU(s): {gpu}", "")


def check_torch() -> Check:
    """Is PyTorch (the tests' oracle) installed? Looked up by version only, never imported."""
    name = "torch (tests only, optional)"
    try:
        version = importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        return Check(
            name, None, "not installed; needed only to run the tests", "pip install -e '.[dev]'"
        )
    return Check(name, True, version, "")


def check_sandbox() -> Check:
    """Which sandbox would the grader use here? Information only: learners never need one."""
    name = "grading sandbox (instructors)"
    try:
        from tinygrad_edu.grading import sandbox

        best = sandbox.level()
    except Exception as exc:
        return Check(name, None, f"cannot tell: {type(exc).__name__}: {exc}", "")
    detail = sandbox.DESCRIPTIONS[best]
    if best == sandbox.BUBBLEWRAP:
        return Check(name, True, detail, "")
    fix = "sudo apt-get install bubblewrap (and allow unprivileged user namespaces)"
    return Check(name, None, detail, fix)


def report() -> list[Check]:
    """Run every check and return them in display order (the Welcome notebook shows a table)."""
    checks = [check_python()]
    checks += [check_library(module, dist) for module, dist in LIBRARIES]
    checks += [check_dot(), check_cupy(), check_torch(), check_sandbox()]
    return checks


def essentials_ok(checks: list[Check]) -> bool:
    """True when no check failed (optional ones, ``ok is None``, never fail)."""
    return all(check.ok is not False for check in checks)


def run() -> int:
    """Print the checklist; return 0 when the essentials work, else 1 (a process exit code)."""
    checks = report()
    marks = {True: " ok ", False: "FAIL", None: "info"}
    width = max(len(check.name) for check in checks)
    for check in checks:
        print(f"[{marks[check.ok]}] {check.name:<{width}}  {check.detail}")
        if check.ok is not True and check.fix:
            label = "fix:" if check.ok is False else "to add it:"
            print(f"       {'':<{width}}  {label} {check.fix}")
    if essentials_ok(checks):
        print("\nAll essentials work: start the course with `make lab`.")
        return 0
    print("\nSome essentials are missing: apply the fixes above, then run `tinygrad-edu doctor`.")
    return 1
