"""``tinygrad-edu release``: a student copy without solutions, references or hidden cases,
whose ``check()`` still gives the instructor's verdict on the visible cases."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tinygrad_edu.grading.strip import strip_source
from tinygrad_edu.grading.student_release import release
from tinygrad_edu.grading.tasks import chapters, load_chapter

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    return release(tmp_path_factory.mktemp("release") / "course")


def test_the_release_has_no_solutions_tests_or_answers(released):
    assert not (released / "solutions").exists() and not (released / "tests").exists()
    assert (released / "exercises").is_dir() and (released / "notebooks").is_dir()
    for path in (released / "tinygrad_edu" / "grading").glob("ch??.py"):
        tree = ast.parse(path.read_text("utf-8"))
        keywords = {
            k.arg for node in ast.walk(tree) if isinstance(node, ast.Call) for k in node.keywords
        }
        assert not keywords & {"reference", "expected"}, path.name
        hidden = [
            k
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            for k in node.keywords
            if k.arg == "hidden" and isinstance(k.value, ast.Constant) and k.value.value
        ]
        assert not hidden, f"{path.name} still yields hidden cases"
    ch09 = (released / "tinygrad_edu" / "grading" / "ch09.py").read_text("utf-8")
    assert "_train_step" not in ch09 and "class _SiLU" not in ch09, "find-the-bug answers left"


RELEASE_CHECK = """
import json, sys
from tinygrad_edu.grading import check, get_task, load_chapter
from tinygrad_edu.grading.tasks import chapters
assert get_task("ch00.add").reference is None
counts = {t.id: len(t.cases(hidden=True)) for c in chapters() for t in load_chapter(c)}
right = check("ch00.add", lambda a, b: a + b)
wrong = check("ch00.add", lambda a, b: a - b)
print(json.dumps([counts, right.status, wrong.status, right.message]))
"""


def test_check_in_the_release_uses_stored_expected_values(released):
    out = subprocess.run(
        [sys.executable, "-c", RELEASE_CHECK],
        capture_output=True,
        text=True,
        cwd=released,
        env={"PYTHONPATH": str(released), "PATH": "/usr/bin:/bin"},
        check=True,
    ).stdout.splitlines()[-1]
    import json

    counts, right, wrong, message = json.loads(out)
    assert (right, wrong) == ("passed", "failed")
    assert "hidden cases run at grading" in message
    for chapter in chapters():
        for task in load_chapter(chapter):
            assert counts[task.id] == len(task.cases(hidden=False)), task.id


def test_stripping_drops_references_and_the_helpers_only_they_used():
    source = """
from x import task, Case
def _answer(a):
    return _helper(a) + 1
def _helper(a):
    return a
def _run(f):
    return f(1)
@task("ch01.t", points=1, reference=_answer)
def t():
    yield Case(run=_run, expected=3)
    yield Case(args=(1,), hidden=True)
"""
    stripped = strip_source(source, drop_hidden=True).split("\n", 1)[1]  # past the note
    assert "_answer" not in stripped and "_helper" not in stripped and "_run" in stripped
    assert "expected" not in stripped and "hidden" not in stripped
    assert "hidden=True" in strip_source(source, drop_hidden=False)


def test_the_release_command_refuses_a_folder_that_is_not_empty(tmp_path, capsys):
    from tinygrad_edu.cli import main

    (tmp_path / "old.txt").write_text("keep me")
    assert main(["release", str(tmp_path)]) == 1
    assert "not empty" in capsys.readouterr().err
    assert (tmp_path / "old.txt").read_text() == "keep me"
