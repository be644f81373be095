"""The ``tinygrad-edu`` command.

Subcommands::

    tinygrad-edu doctor                       check this machine is ready for the course
    tinygrad-edu build-exercises [--check]    make exercises/ (student notebooks) from solutions/
    tinygrad-edu grade SUBMISSIONS/ --gradebook out/   run and grade submitted notebooks
    tinygrad-edu release OUT/                 write the student copy of the course
    tinygrad-edu progress                     show which exercises pass
    tinygrad-edu parts                        show the parts you wrote (exercises/my_parts/)

The instructor commands live in :mod:`tinygrad_edu.grading`; they are imported only when
called, so ``doctor`` works even when grading's own dependencies are missing.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def _grading(name: str) -> Callable[..., Any] | None:
    """Return ``tinygrad_edu.grading.<name>``, or print why it cannot be had and return None."""
    try:
        module = importlib.import_module("tinygrad_edu.grading")
    except Exception as exc:
        print(
            f"error: cannot import tinygrad_edu.grading ({type(exc).__name__}: {exc}).\n"
            "Is the package installed with its dependencies? Try `make setup`.",
            file=sys.stderr,
        )
        return None
    func = getattr(module, name, None)
    if func is None:
        print(f"error: tinygrad_edu.grading has no function {name}() yet.", file=sys.stderr)
    return func


def _exit_code(result: object) -> int:
    """A grading function may return an exit code; anything else (None, a report) means 0."""
    return result if isinstance(result, int) and not isinstance(result, bool) else 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from tinygrad_edu import doctor

    return doctor.run()


def cmd_build_exercises(args: argparse.Namespace) -> int:
    """Build exercises/ from solutions/; with --check, only say whether it is up to date."""
    func = _grading("stale_exercises" if args.check else "build_exercises")
    if func is None:
        return 2
    from tinygrad_edu.grading.build import BuildError

    try:
        result = func(args.solutions, args.exercises)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.check:
        for problem in result:
            print(problem)
        print("exercises/ is up to date" if not result else "run `tinygrad-edu build-exercises`")
        return 1 if result else 0
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    """Grade submissions; exit 0 when every notebook could be graded (whatever the scores)."""
    func = _grading("grade")
    if func is None:
        return 2
    try:
        func(
            args.paths,
            args.gradebook,
            cell_timeout=args.cell_timeout,
            total_timeout=args.total_timeout,
            chapter=args.chapter,
            jobs=args.jobs,
            only_changed=args.only_changed,
            student_pattern=args.student_pattern,
            sandbox_level=args.sandbox,
            dask=args.dask,
        )
    except (RuntimeError, ImportError) as exc:  # no such sandbox level; dask not installed
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    """Write the student copy of the course (no solutions, references or hidden cases)."""
    from tinygrad_edu.grading.student_release import release

    try:
        out = release(args.out)
    except FileExistsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"student release written to {out}")
    return 0


def cmd_progress(args: argparse.Namespace) -> int:
    func = _grading("progress")
    if func is None:
        return 2
    return _exit_code(func(args.exercises))


def cmd_parts(args: argparse.Namespace) -> int:
    """The parts table: which parts are yours (saved in exercises/my_parts/) and which pass."""
    from tinygrad_edu import parts

    parts.load_mine(args.my_parts, quiet=True)
    print(parts.status())
    print(f"(your saved parts: {args.my_parts or parts.my_parts_dir()})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; each subcommand stores its handler in ``func``."""
    parser = argparse.ArgumentParser(
        prog="tinygrad-edu", description="Tools for the tinygrad_edu course."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("doctor", help="check this machine is ready for the course")
    p.set_defaults(func=cmd_doctor)

    p = sub.add_parser("build-exercises", help="make student notebooks from the solutions")
    p.add_argument(
        "--solutions",
        type=Path,
        default=Path("solutions"),
        help="folder of solution notebooks (default: solutions)",
    )
    p.add_argument(
        "--exercises",
        type=Path,
        default=Path("exercises"),
        help="folder to write the exercises to (default: exercises)",
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 when exercises/ is out of date with solutions/",
    )
    p.set_defaults(func=cmd_build_exercises)

    p = sub.add_parser("grade", help="run and grade submitted notebooks")
    p.add_argument("paths", nargs="+", type=Path, help="submitted notebooks or folders")
    p.add_argument(
        "--gradebook",
        type=Path,
        default=Path("gradebook"),
        help="folder for the grade reports (default: gradebook)",
    )
    p.add_argument(
        "--cell-timeout",
        "--timeout",
        type=float,
        default=30,
        help="seconds one cell may run (default: 30)",
    )
    p.add_argument(
        "--total-timeout",
        type=float,
        default=300,
        help="seconds one whole notebook may run (default: 300)",
    )
    p.add_argument(
        "--chapter",
        type=int,
        default=None,
        help="the chapter every submission must be (default: read from each notebook)",
    )
    p.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="notebooks graded at once, each in its own sandbox (default: the number of cores)",
    )
    p.add_argument(
        "--only-changed",
        action="store_true",
        help="skip submissions unchanged since the gradebook last graded them (resumes a run)",
    )
    p.add_argument(
        "--student-pattern",
        default=None,
        help="regular expression with a (?P<student>...) group, matched against each path "
        "inside the folder (default: the first folder is the student)",
    )
    p.add_argument(
        "--sandbox",
        choices=["bubblewrap", "uid", "process"],
        default=None,
        help="isolation level (default: the best available; see `tinygrad-edu doctor`)",
    )
    p.add_argument(
        "--dask",
        default=None,
        metavar="ADDRESS",
        help="grade on a Dask distributed cluster, e.g. tcp://scheduler:8786",
    )
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("release", help="write the student copy of the course")
    p.add_argument("out", type=Path, help="a new, empty folder")
    p.set_defaults(func=cmd_release)

    p = sub.add_parser("progress", help="show which exercises pass")
    p.add_argument(
        "--exercises",
        type=Path,
        default=Path("exercises"),
        help="folder of exercise notebooks (default: exercises)",
    )
    p.set_defaults(func=cmd_progress)

    p = sub.add_parser("parts", help="show the parts you wrote (exercises/my_parts/)")
    p.add_argument("--my-parts", type=Path, default=None, help="folder of your saved parts")
    p.set_defaults(func=cmd_parts)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tinygrad-edu`` console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
