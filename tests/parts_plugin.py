"""``pytest --parts=solutions``: run the whole suite on the solutions' parts (issue #11).

The solutions' part cells are saved to a my_parts folder exactly as a passing check saves a
learner's, loaded with ``parts.load_mine()``, and kept installed for every test (a test that
resets parts gets them back before the next one). Without the option nothing changes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_LOADED: dict = {}


def pytest_addoption(parser):
    parser.addoption(
        "--parts",
        choices=("reference", "solutions"),
        default="reference",
        help="run on the package's own parts (reference) or on solutions/'s part cells",
    )
    parser.addoption(
        "--parts-only",
        default="",
        metavar="NAME,...",
        help="with --parts=solutions: install only these parts (to find which one breaks a test)",
    )


def pytest_configure(config):
    import os
    import tempfile

    # A passing part check saves the function: never into the course's own exercises/my_parts.
    os.environ.setdefault("TINYGRAD_EDU_MY_PARTS", tempfile.mkdtemp(prefix="my_parts_tests_"))
    if config.getoption("--parts") != "solutions":
        return

    from tinygrad_edu import parts
    from tinygrad_edu.parts import registry
    from tinygrad_edu.parts.solutions import solution_functions

    functions = solution_functions(ROOT / "solutions")
    missing = sorted(set(parts.names()) - set(functions))
    if missing:
        raise pytest.UsageError(f"--parts=solutions: no solution cell for {', '.join(missing)}")
    only = [name for name in config.getoption("--parts-only").split(",") if name]
    if only:
        unknown = sorted(set(only) - set(functions))
        if unknown:
            raise pytest.UsageError(f"--parts-only: unknown part {', '.join(unknown)}")
        functions = {name: functions[name] for name in only}
    folder = Path(tempfile.mkdtemp(prefix="my_parts_"))
    for name, fn in functions.items():
        if parts.save(name, fn, folder) is None:
            raise pytest.UsageError(f"--parts=solutions: could not save {name}")
    loaded = parts.load_mine(folder, quiet=True)
    assert sorted(loaded) == sorted(functions), loaded
    _LOADED.update(registry.INSTALLED)


@pytest.fixture(autouse=True)
def _solution_parts(tmp_path_factory):
    """Each test starts from the same parts: the solutions' (``--parts=solutions``) or the
    references. A test whose ``check()`` passes installs and saves a part (as a learner's
    would): it saves into a folder of its own, and the next test does not inherit the part."""
    import os

    from tinygrad_edu import parts
    from tinygrad_edu.parts import registry

    def restore() -> None:
        for name in set(registry.INSTALLED) - set(_LOADED):
            parts.reset(name)
        for name, fn in _LOADED.items():
            if registry.INSTALLED.get(name) is not fn:
                parts.install(name, fn)

    os.environ["TINYGRAD_EDU_MY_PARTS"] = str(tmp_path_factory.mktemp("my_parts"))
    restore()
    yield
    restore()  # before the next test's wider-scoped fixtures run
