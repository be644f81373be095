"""The ``tinygrad-edu`` command: instructor subcommands wired to the grading package."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from tinygrad_edu.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_build_exercises_check_says_up_to_date(capsys) -> None:
    code = main(["build-exercises", "--check", "--solutions", str(ROOT / "solutions"),
                 "--exercises", str(ROOT / "exercises")])
    assert code == 0, capsys.readouterr().out
    assert "up to date" in capsys.readouterr().out


def test_build_exercises_check_fails_when_stale(tmp_path: Path, capsys) -> None:
    shutil.copy(ROOT / "solutions" / "00_warmup.ipynb", tmp_path / "00_warmup.ipynb")
    code = main(["build-exercises", "--check", "--solutions", str(tmp_path),
                 "--exercises", str(tmp_path / "missing")])
    assert code == 1
    assert "build-exercises" in capsys.readouterr().out


def test_grade_a_folder_writes_a_gradebook(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(ROOT / "solutions" / "00_warmup.ipynb", subs / "ada_00_warmup.ipynb")
    (subs / "bob_00_warmup.ipynb").write_text("{not json")
    code = main(["grade", str(subs), "--gradebook", str(tmp_path / "book"), "--cell-timeout", "20"])
    assert code == 0
    book = json.loads((tmp_path / "book" / "gradebook.json").read_text())
    text = json.dumps(book)
    assert "ada_00_warmup" in text and "unreadable" in text
    assert (tmp_path / "book" / "gradebook.csv").exists()
