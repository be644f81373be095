"""Finding submitted notebooks, and reading them without trusting the file system.

* The student is the submission's first folder under the root given (``subs/alice/03_x.ipynb``
  is ``alice``'s); a notebook straight in the root is its own student (its file name).
  ``student_pattern`` (a regular expression with a ``student`` group, matched against the
  path inside the root) overrides it, e.g. ``r"(?P<student>[^_]+)_"`` for ``alice_03.ipynb``.
* One notebook per student per chapter: the first (sorted) is graded, the others are listed
  as extras, never summed.
* `read_submission` opens only a regular file (no FIFO, device, or symlink leaving the
  submissions tree) of at most `MAX_BYTES`, and says why not otherwise.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from tinygrad_edu.grading.notebooks import filename_chapter
from tinygrad_edu.grading.text import clean_text

MAX_BYTES = 20 * 2**20


class Refused(Exception):
    """A submission file that is not read, and why (shown on its gradebook row)."""


@dataclass(frozen=True)
class Submission:
    path: Path  # as found (may hold undecodable bytes, escaped)
    root: Path  # the folder it was found in (or its own folder)
    student: str
    chapter: int | None  # from the file name; the notebook's metadata is checked later
    extra_of: str = ""  # set when another notebook of this student and chapter is graded

    @property
    def name(self) -> str:
        """The path as text that is safe to print and store."""
        return clean_text(str(self.path), 300)


def _student(relative: str, pattern: re.Pattern | None) -> str:
    if pattern is not None:
        match = pattern.search(relative)
        if match and match.groupdict().get("student"):
            return clean_text(match.group("student"), 100)
    parts = relative.split("/")
    return clean_text(parts[0] if len(parts) > 1 else Path(parts[0]).stem, 100)


def find_submissions(
    paths: list[str | Path], student_pattern: str | None = None
) -> list[Submission]:
    """Every ``*.ipynb`` under ``paths`` (checkpoints and ``*.new.ipynb`` skipped), each with
    its student; duplicates of a student's chapter are marked as extras."""
    pattern = re.compile(student_pattern) if student_pattern else None
    found: list[Submission] = []
    for path in map(Path, paths):
        if path.is_dir() and not path.is_symlink():
            for folder, dirs, files in os.walk(path):  # never follows symlinked folders
                dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints")
                for name in sorted(files):
                    if name.endswith(".ipynb") and not name.endswith(".new.ipynb"):
                        nb = Path(folder, name)
                        relative = nb.relative_to(path).as_posix()
                        found.append(
                            Submission(nb, path, _student(relative, pattern), filename_chapter(nb))
                        )
        else:
            student = _student(path.name, pattern)
            found.append(Submission(path, path.parent, student, filename_chapter(path)))
    seen: dict[tuple[str, int | None], str] = {}
    marked = []
    for sub in found:
        key = (sub.student, sub.chapter)
        if sub.chapter is not None and key in seen:
            sub = Submission(sub.path, sub.root, sub.student, sub.chapter, extra_of=seen[key])
        else:
            seen[key] = sub.name
        marked.append(sub)
    return marked


def read_submission(sub: Submission, max_bytes: int = MAX_BYTES) -> bytes:
    """The file's bytes; Refused when it is not a regular file inside the submissions tree,
    or is larger than ``max_bytes``."""
    try:
        info = os.lstat(sub.path)
    except OSError as exc:
        raise Refused(f"cannot be read ({type(exc).__name__})") from None
    target = sub.path
    if stat.S_ISLNK(info.st_mode):
        real = Path(os.path.realpath(sub.path))
        root = Path(os.path.realpath(sub.root))
        if root != real and root not in real.parents:
            raise Refused("a symbolic link that leaves the submissions folder")
        target = real
    try:
        fd = os.open(target, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise Refused(f"cannot be opened ({type(exc).__name__})") from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise Refused("not a regular file (a FIFO, device or folder)")
        if opened.st_size > max_bytes:
            raise Refused(f"{opened.st_size} bytes, over the limit of {max_bytes}")
        chunks, left = [], max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, 2**20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > max_bytes:
            raise Refused(f"over the limit of {max_bytes} bytes")
        return data
    finally:
        os.close(fd)
