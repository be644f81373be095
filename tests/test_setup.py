"""The course's setup keeps its promises: one command to start, one to test, clean notebooks.

These tests guard the files a learner meets before any lesson: pyproject.toml and
environment.yml must install the same things, CI must run what the README says, committed
notebooks must carry no outputs, and the package must import without PyTorch or CuPy.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import strip_notebooks  # noqa: E402  (tools/ is not a package)

# conda packages with no pip counterpart to compare: the interpreter, pip itself, and the
# graphviz *program* (`dot`), which pip cannot install.
CONDA_ONLY = {"python", "pip", "graphviz"}
# conda name -> pip name, where they differ. (Applied after CONDA_ONLY is removed, so conda's
# "python-graphviz" becomes pip's "graphviz", the Python package.)
CONDA_TO_PIP = {"python-graphviz": "graphviz", "pytorch": "torch"}
# pyproject requirements that environment.yml leaves to a comment: CuPy depends on the GPU's
# CUDA version, so it is installed by hand on a GPU machine.
PIP_ONLY = {"cupy-cuda12x"}


def _name(requirement: str) -> str:
    """'torch==2.13.0' -> 'torch'; 'Pytest_Xdist>=3' -> 'pytest-xdist' (PEP 503 style)."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert match, f"cannot read a package name from {requirement!r}"
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def _pins(requirements: list[str]) -> dict[str, str]:
    """{name: requirement} for the requirements that pin a version with ==."""
    return {_name(r): r.replace(" ", "") for r in requirements if "==" in r}


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _environment() -> tuple[list[str], list[str]]:
    """(conda dependencies, pip dependencies) of environment.yml."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda, pip = [], []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip += dep["pip"]
        else:
            conda.append(dep)
    return conda, pip


def test_environment_yml_matches_pyproject():
    project = _pyproject()["project"]
    pip_reqs = project["dependencies"] + [
        req for extra in project["optional-dependencies"].values() for req in extra
    ]
    from_pyproject = {_name(r) for r in pip_reqs} - PIP_ONLY

    conda, pip = _environment()
    assert "-e ." in pip, "environment.yml's pip section must install the package: `- -e .`"
    conda_names = {_name(d) for d in conda} - CONDA_ONLY
    from_env = {CONDA_TO_PIP.get(n, n) for n in conda_names}
    from_env |= {_name(r) for r in pip if not r.startswith("-")}

    assert from_env == from_pyproject, (
        "environment.yml and pyproject.toml disagree.\n"
        f"  only in pyproject.toml: {sorted(from_pyproject - from_env)}\n"
        f"  only in environment.yml: {sorted(from_env - from_pyproject)}\n"
        "Add the package to both (see the name mapping at the top of tests/test_setup.py)."
    )
    # Pinned versions (the torch oracle) must be pinned the same way in both.
    env_pins, project_pins = _pins(pip), _pins(pip_reqs)
    for name, req in env_pins.items():
        assert project_pins.get(name) == req, (
            f"environment.yml pins {req}, pyproject.toml has {project_pins.get(name)}"
        )


def _fenced_block_after(text: str, heading: str) -> list[str]:
    """The lines of the first ``` block after the markdown heading ``heading``."""
    after = text.split(heading, 1)
    assert len(after) == 2, f"README.md has no heading {heading!r}"
    match = re.search(r"```[^\n]*\n(.*?)```", after[1], re.S)
    assert match, f"README.md has no code block under {heading!r}"
    return [line.strip() for line in match.group(1).strip().splitlines()]


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = _fenced_block_after(readme, "## Run every test")
    assert len(commands) == 1, f"'Run every test' should give exactly one command: {commands}"
    assert _fenced_block_after(readme, "## Start the course") == ["make lab"]

    ci = ROOT / ".ci" / "run"
    ci_lines = [line.strip() for line in ci.read_text(encoding="utf-8").splitlines()]
    assert commands[0] in ci_lines, (
        f".ci/run must run the README's test command {commands[0]!r} as one line"
    )
    assert ci.stat().st_mode & 0o111, ".ci/run must be executable (chmod +x .ci/run)"


def _tracked_notebooks() -> list[Path]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: cannot list committed notebooks")
    out = subprocess.run(
        ["git", "ls-files", "-z", "*.ipynb"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    return [ROOT / p for p in out.split("\0") if p and (ROOT / p).exists()]


def test_committed_notebooks_have_no_outputs():
    dirty = []
    for path in _tracked_notebooks():
        nb = json.loads(path.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count")):
                dirty.append(f"{path.relative_to(ROOT)} (cell {i})")
                break
    assert not dirty, (
        "These committed notebooks hold outputs or execution counts: "
        f"{dirty}. Run `make strip` and commit again."
    )


def test_strip_notebooks_clears_outputs_and_keeps_tags(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("1 + 1", metadata={"tags": ["raises-exception"]})
    cell.outputs = [
        nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=3)
    ]
    cell.execution_count = 3
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), cell]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)

    assert strip_notebooks.main(["--check", str(path)]) == 1
    assert strip_notebooks.main([str(path)]) == 0
    stripped = nbformat.read(path, as_version=4)
    code = stripped.cells[1]
    assert code.outputs == [] and code.execution_count is None
    assert code.metadata["tags"] == ["raises-exception"]

    # Byte for byte what nbformat.write produces, so a second run changes nothing.
    text = path.read_text(encoding="utf-8")
    nbformat.write(stripped, path)
    assert path.read_text(encoding="utf-8") == text
    assert strip_notebooks.main(["--check", str(path)]) == 0


def test_package_imports_without_torch_or_cupy():
    code = (
        "import sys, tinygrad_edu; "
        "heavy = [m for m in ('torch', 'cupy') if m in sys.modules]; "
        "assert not heavy, f'importing tinygrad_edu imported {heavy}'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, (
        "`import tinygrad_edu` must work without importing torch (the tests' oracle) or "
        f"cupy (imported lazily, only for device='cuda'):\n{result.stderr}"
    )


def test_doctor_console_script():
    script = Path(sys.executable).with_name("tinygrad-edu")
    assert script.exists(), (
        f"no console script at {script}: install the package with `pip install -e '.[dev]'`"
    )
    result = subprocess.run([str(script), "doctor"], capture_output=True, text=True, timeout=120)
    out = result.stdout + result.stderr
    assert result.returncode == 0, f"`tinygrad-edu doctor` found a problem:\n{out}"
    for word in ("numpy", "dot", "CuPy"):
        assert word in out, f"`tinygrad-edu doctor` should report on {word}:\n{out}"


def test_code_is_ruff_clean():
    """The style rules of pyproject.toml hold for the package, tests, tools and notebooks."""
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():
        pytest.skip("ruff is not installed in this environment (pip install -e '.[dev]')")
    result = subprocess.run([str(ruff), "check", "--no-cache", "."], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"ruff check found problems:\n{result.stdout}{result.stderr}"
