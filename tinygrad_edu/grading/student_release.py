"""``tinygrad-edu release OUT/``: the copy of the course a student gets.

It holds the lessons, the exercises and the package, without what grading keeps secret:

* no ``solutions/`` (and no ``tests/`` or ``bench/``, which use them);
* every ``grading/chNN.py`` stripped (`strip.py`): no reference answers, no expected
  values written out, no hidden cases;
* instead, ``grading/visible_expected.json``: the expected value of each *visible* case,
  as plain data, computed here with the references. ``check()`` in the release compares
  with those (`check.expected_values`), so a learner sees the same verdict as here.

The grader keeps using the instructor's copy. What a release cannot hide: the package
itself implements the framework the course builds (a learner could call
``tinygrad_edu.scalar.topological_order`` instead of writing one), and whatever is public.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tinygrad_edu.grading.plain import encode
from tinygrad_edu.grading.strip import copy_package
from tinygrad_edu.grading.tasks import NOT_GIVEN, chapters, load_chapter

EXPECTED_FILE = "visible_expected.json"
COURSE_FILES = ["README.md", "pyproject.toml", "environment.yml", "Makefile", "LICENSE"]
COURSE_FOLDERS = ["notebooks", "exercises", "docs", "tools"]


def visible_expected() -> dict[str, list]:
    """{task id: [plain expected value of each visible case, None for a judged case]}."""
    table = {}
    for chapter in chapters():
        for task in load_chapter(chapter):
            values = []
            for case in task.cases(hidden=False):
                if case.judge is not None:
                    values.append(None)
                elif case.expected is not NOT_GIVEN:
                    values.append(encode(case.expected))
                else:
                    values.append(encode(case.call(task.reference)))
            table[task.id] = values
    return table


def release(out: str | Path, course: str | Path | None = None) -> Path:
    """Write the student copy of ``course`` (default: this checkout) to ``out``."""
    package = Path(__file__).resolve().parents[1]
    course = Path(course) if course is not None else package.parent
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty: release into a new folder")
    out.mkdir(parents=True, exist_ok=True)
    for name in COURSE_FILES:
        if (course / name).is_file():
            shutil.copy2(course / name, out / name)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    for name in COURSE_FOLDERS:
        if (course / name).is_dir():
            shutil.copytree(course / name, out / name, ignore=skip)
    target = copy_package(package, out, drop_hidden=True)
    data = json.dumps(visible_expected(), sort_keys=True)
    (target / "grading" / EXPECTED_FILE).write_text(data + "\n", encoding="utf-8")
    return out
