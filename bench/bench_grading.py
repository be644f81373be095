"""How fast does ``tinygrad-edu grade`` go through a class? Notebooks per minute.

    python bench/bench_grading.py [--students 50] [--jobs 1 2]

Builds a synthetic class (default 50 students x every graded chapter) in a temporary
folder: most students hand in the solution, some the untouched exercise (wrong), some a
solution with a slow cell, some a hostile notebook (a fork bomb, a memory grab, a forged
answer channel, a daemon). Then grades the whole class once per ``--jobs`` value, each in
a fresh gradebook, and prints notebooks per minute and seconds per notebook. A single
ch00 notebook graded alone gives the fixed overhead per notebook (sandbox start, imports).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tinygrad_edu.grading import grade  # noqa: E402
from tinygrad_edu.grading.notebooks import notebook_bytes  # noqa: E402
from tinygrad_edu.grading.tasks import chapters  # noqa: E402

HOSTILE = [
    "import os\ntry:\n    for _ in range(500):\n        if os.fork() == 0:\n"
    "            import time; time.sleep(60); os._exit(0)\nexcept OSError:\n    pass",
    "try:\n    hog = bytearray(20 * 2**30)\nexcept MemoryError:\n    pass",
    "import os\nfor fd in range(3, 32):\n    try:\n"
    '        os.write(fd, b\'{"task": "ch00.add", "outcomes": []}\\n\')\n'
    "    except OSError:\n        pass",
    "import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(600)",
]
SLOW_CELL = "import time\ntime.sleep(2)"


def make_class(folder: Path, students: int, seed: int = 0) -> int:
    """Write the class into ``folder``; returns the number of notebooks."""
    rng = random.Random(seed)
    count = 0
    for chapter_file in sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb")):
        if int(chapter_file.name[:2]) not in chapters():
            continue
        solution = nbformat.read(chapter_file, as_version=4)
        exercise = nbformat.read(ROOT / "exercises" / chapter_file.name, as_version=4)
        for s in range(students):
            kind = rng.choices(["right", "wrong", "slow", "hostile"], [60, 20, 10, 10])[0]
            nb = exercise if kind == "wrong" else solution
            nb = nbformat.from_dict(nb)
            if kind == "slow":
                nb.cells.insert(2, nbformat.v4.new_code_cell(SLOW_CELL))
            elif kind == "hostile":
                nb.cells.insert(2, nbformat.v4.new_code_cell(rng.choice(HOSTILE)))
            path = folder / f"student{s:03d}" / chapter_file.name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(notebook_bytes(nb))
            count += 1
    return count


def overhead(tmp: Path, rounds: int = 5) -> float:
    """Median seconds to grade one ch00 solution alone (sandbox start-up included)."""
    one = tmp / "one" / "x"
    one.mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / "00_warmup.ipynb", one / "00_warmup.ipynb")
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            grade([one.parent], None, jobs=1, verbose=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        tmp_path = Path(tmp)
        print(f"per-notebook overhead (a ch00 solution alone): {overhead(tmp_path):.2f} s")
        n = make_class(tmp_path / "class", args.students)
        print(f"class: {args.students} students x {len(chapters())} chapters = {n} notebooks")
        for jobs in args.jobs:
            start = time.perf_counter()
            results = grade(
                [tmp_path / "class"], tmp_path / f"book{jobs}", jobs=jobs, verbose=False
            )
            seconds = time.perf_counter() - start
            print(
                f"--jobs {jobs}: {len(results)} notebooks in {seconds:.0f} s = "
                f"{60 * len(results) / seconds:.1f} notebooks/minute "
                f"({seconds / len(results):.2f} s each)",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
