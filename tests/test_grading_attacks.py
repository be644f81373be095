"""Hostile submissions, graded together with honest ones (issue #13's attacks, and more).

Every attack is a warm-up notebook whose ``add`` cell (or whole file) is replaced by the
attack. The exercise's other tasks stay untouched stubs, so an attacker who earns any
point has broken something. One module fixture grades everything in one run (2 jobs) and
records, before and after: a hash of the course tree (``__pycache__`` included), the temp
folder, HOME's IPython folder, and the live processes. Then each test reads its rows.

Probes ("does the sandbox leak X?") return the right answer only when X leaks: a point
earned means a leak.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import json
import os
import socket
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from tinygrad_edu.grading import grade
from tinygrad_edu.grading.notebooks import notebook_bytes
from tinygrad_edu.grading.results import NotebookResult

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "00_warmup.ipynb"
EXERCISE = ROOT / "exercises" / "00_warmup.ipynb"
ADD_DEF = 3
SECRET = "tinygrad-edu-grader-secret-4f1c"  # in the grader's environment only

FORGED = [
    {"task": "ch00.add", "outcomes": [{"status": "ok", "value": 5, "seconds": 0}] * 9},
    {"task": "ch00.bonus", "points": 10, "outcomes": [{"status": "ok", "value": 1}]},
    {"task": "ch00.square_all", "outcomes": "passed", "points": 2},
    {"cells_done": True},
    {"done": True},
]
FORGED_LINES = "".join(json.dumps(m) + "\n" for m in FORGED)

# ------------------------------------------------------------ attacks on the verdict
CHEATS = {
    "forge_channel_fds": f"""
import os
for fd in range(0, 64):
    try:
        os.write(fd, {FORGED_LINES!r}.encode())
    except OSError:
        pass
def add(a, b):
    return 0
""",
    "patch_json_dumps": f"""
import json
_real = json.dumps
json.dumps = lambda *a, **k: {FORGED_LINES!r}.strip()
def add(a, b):
    return 0
""",
    "post_run_cell_hook": f"""
import os
def _forge(*args):
    for fd in range(3, 64):
        try:
            os.write(fd, {FORGED_LINES!r}.encode())
        except OSError:
            pass
get_ipython().events.register("post_run_cell", _forge)
def add(a, b):
    return 0
""",
    "patch_grading_modules": """
import tinygrad_edu.grading.check as c, tinygrad_edu.grading.compare as m
import tinygrad_edu.grading.results as r, tinygrad_edu.grading.plain as p
c.judge_task = lambda *a, **k: r.CheckResult("ch00.add", 99, "passed", 9, 9)
m.mismatch = lambda *a, **k: None
c.run_case = lambda *a, **k: {"status": "ok", "value": 5}
p.decode = lambda x: 5
r.CheckResult.earned = property(lambda self: 99)
class Sneaky(str):
    def startswith(self, *a):
        return False
import sys
sys.modules[Sneaky("tinygrad_edu.grading.check")] = c
def add(a, b):
    return 0
""",
    "shadow_package": """
import os, tempfile, tinygrad_edu
d = tempfile.mkdtemp()
os.makedirs(os.path.join(d, "grading"))
open(os.path.join(d, "grading", "check.py"), "w").write("def judge_task(*a, **k): return 99")
open(os.path.join(d, "grading", "worker.py"), "w").write("print('pwned')")
tinygrad_edu.__path__.insert(0, d)
def add(a, b):
    return 0
""",
    "patch_numpy_and_builtins": """
import builtins, numpy
numpy.allclose = lambda *a, **k: True
numpy.array_equal = lambda *a, **k: True
builtins.abs = lambda x: 0
builtins.isinstance = lambda *a: True
def add(a, b):
    return 0
""",
    "lying_ndarray_subclass": """
import numpy as np
class Liar(np.ndarray):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    @property
    def shape(self): return ()
def add(a, b):
    return np.zeros(3).view(Liar)
""",
    "lying_float_subclass": """
class Zero(float):
    def __sub__(self, other): return 0.0
    def __rsub__(self, other): return 0.0
    def __eq__(self, other): return True
    def __abs__(self): return 0.0
    __hash__ = float.__hash__
def add(a, b):
    return Zero(12345.0)
""",
    "expected_from_stack_frames": """
import sys
def add(a, b):
    f = sys._getframe(1)
    while f is not None:
        for name in ("expected", "want", "values"):
            if name in f.f_locals:
                return f.f_locals[name]
        f = f.f_back
    return 0
""",
    "reference_from_the_package": """
from tinygrad_edu.grading import get_task
_task = get_task("ch00.add")
_cases = _task.cases(hidden=True)
def add(a, b):
    if _task.reference is not None:
        return _task.reference(a, b)
    for c in _cases:
        if c.args == (a, b) and not repr(c.expected) == "NOT_GIVEN":
            return c.expected
    return 0
""",
    "find_the_bug_reference": """
try:
    from tinygrad_edu.grading.ch08 import _train_step
    add = lambda a, b: a + b
except ImportError:
    add = lambda a, b: 0
""",
    "patch_what_references_use": """
import operator, numpy
numpy.add = lambda *a, **k: 0
operator.add = lambda *a: 0
def add(a, b):
    return 0
""",
    "forged_report_via_environment": """
import os, json
for key, value in os.environ.items():
    if os.path.isabs(value) and not os.path.isdir(value):
        try:
            open(value, "w").write(json.dumps({"tasks": [{"task_id": "ch00.add", "points": 10,
                "status": "passed"}], "status": "graded"}))
        except OSError:
            pass
def add(a, b):
    return 0
""",
}

# ------------------------------------------------------- attacks on the grader and the class
HARM = {
    "kill_the_grader": """
import os, signal
for pid in (os.getppid(), 1, -1):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
def add(a, b):
    return 0
""",
    "kill_the_process_group": """
import os, signal
try:
    os.killpg(os.getpgid(0), signal.SIGKILL)
except OSError:
    pass
def add(a, b):
    return 0
""",
    "surrogate_error": """
def add(a, b):
    raise ValueError("\\ud800 \\x1b[2J\\x00 bell\\x07")
""",
    "memory_bomb": """
try:
    hog = bytearray(20 * 2**30)
except MemoryError:
    pass
def add(a, b):
    return 0
""",
    "fork_bomb": """
import os, sys
children = 0
try:
    for _ in range(5000):
        if os.fork() == 0:
            os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(120)",
                                      {marker!r}])
        children += 1
except OSError:
    pass
def add(a, b):
    return 0
""",
    "file_bomb": """
import os
for folder in (os.path.expanduser("~"), "/tmp"):
    try:
        with open(os.path.join(folder, "big"), "wb") as f:
            for _ in range(2048):
                f.write(b"x" * 2**20)
    except OSError:
        pass
def add(a, b):
    return 0
""",
    "open_files_bomb": """
files = []
try:
    for _ in range(100000):
        files.append(open("/dev/null"))
except OSError:
    pass
def add(a, b):
    return 0
""",
    "stdout_flood": """
import os, sys
chunk = "x" * 2**20
for _ in range(512):
    sys.stdout.write(chunk)
os.write(1, b"y" * 2**20)
def add(a, b):
    return 0
""",
    "channel_flood": """
import os
for fd in range(3, 16):
    try:
        for _ in range(80):
            os.write(fd, b"z" * 2**20)
    except OSError:
        pass
def add(a, b):
    return 0
""",
    "double_forked_daemon": """
import os, sys
DAEMON = '''
import time
for _ in range(600):
    for path in ({gradebook!r} + "/gradebook.csv", {honest!r}):
        try:
            open(path, "w").write("pwned")
        except OSError:
            pass
    time.sleep(0.1)
'''
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", DAEMON, {marker!r}])
    os._exit(0)
def add(a, b):
    return 0
""",
    "overwrite_other_students_and_the_course": """
import glob, os
targets = [{honest!r}, {compare!r}, {solution!r}]
targets += glob.glob({pycache!r} + "/*.pyc")
for path in targets:
    try:
        with open(path, "a") as f:
            f.write("\\nimport os  # pwned\\n")
    except OSError:
        pass
try:
    os.makedirs({pycache!r}, exist_ok=True)
    open({pycache!r} + "/compare.cpython-311.pyc", "wb").write(b"pwned")
except OSError:
    pass
def add(a, b):
    return 0
""",
    "ipython_startup_file": """
import os
folder = os.path.expanduser("~/.ipython/profile_default/startup")
for base in (folder, {real_startup!r}):
    try:
        os.makedirs(base, exist_ok=True)
        open(os.path.join(base, "00-pwned.py"), "w").write("print('pwned')")
    except OSError:
        pass
def add(a, b):
    return 0
""",
}

# ------------------------------------------------------------ probes: a point means a leak
PROBES = {
    "probe_environment": f"""
import os
leak = {SECRET!r} in repr(dict(os.environ)) or "VIRTUAL_ENV" in os.environ
add = (lambda a, b: a + b) if leak else (lambda a, b: 0)
""",
    "probe_network": """
import socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=2).close()
    leak = True
except OSError:
    leak = False
add = (lambda a, b: a + b) if leak else (lambda a, b: 0)
""",
    "probe_other_submissions": """
import os
leak = os.path.exists({honest!r}) or os.path.exists({submissions!r})
add = (lambda a, b: a + b) if leak else (lambda a, b: 0)
""",
    "probe_solutions_and_course": """
import os
leak = os.path.exists({solution!r}) or os.path.exists({course!r})
add = (lambda a, b: a + b) if leak else (lambda a, b: 0)
""",
    "probe_host_processes": """
import os
pids = [p for p in os.listdir("/proc") if p.isdigit()]
leak = len(pids) > 50 or str({grader_pid}) in pids
add = (lambda a, b: a + b) if leak else (lambda a, b: 0)
""",
    "probe_writable_package": """
import os, tinygrad_edu
leak = os.access(os.path.dirname(tinygrad_edu.__file__), os.W_OK)
add = (lambda a, b: a + b) if leak else (lambda a, b: 0)
""",
}


def _load(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _attack_notebook(source: str) -> bytes:
    nb = copy.deepcopy(_load(EXERCISE))
    nb.cells[ADD_DEF].source = source
    return notebook_bytes(nb)


def _huge_notebook(cells: int) -> bytes:
    """A valid notebook of ``cells`` code cells (about 24 MB for 200,000), written as JSON
    directly: building it with nbformat would take a minute."""
    cell = json.dumps(
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": "x = 1 " * 20,
        }
    )
    meta = json.dumps({"metadata": _load(SOLUTION).metadata, "nbformat": 4, "nbformat_minor": 5})
    return ('{"cells": [' + ",".join([cell] * cells) + "], " + meta[1:]).encode()


def _tree_hash(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root`` (``__pycache__`` included; not .git)."""
    skip = {".git", ".pytest_cache", ".hypothesis", ".ruff_cache", ".venv", "artifacts"}
    hashes = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in skip]
        for name in files:
            path = Path(folder, name)
            try:
                hashes[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                hashes[str(path)] = "unreadable"
    return hashes


def _temp_entries() -> set[str]:
    """This run's temporary folders (the package copy carries the grader's pid; fallback
    sandboxes' scratch folders). Other graders running meanwhile make their own."""
    mine = (f"tinygrad-edu-course-{os.getpid()}-", "tinygrad-edu-sandbox-")
    return {n for n in os.listdir(tempfile.gettempdir()) if n.startswith(mine)}


MARKER = f"tinygrad-edu-attack-{os.getpid()}-{time.time_ns()}"


def marked_processes() -> list[int]:
    """Live processes the attacks started: they exec a command line holding `MARKER`.

    (Matching by uid would also see the sandboxes of another grader running meanwhile.)
    """
    pids = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
            cmdline = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if "State:\tZ" not in text and MARKER.encode() in cmdline:
            pids.append(int(status.parent.name))
    return pids


@pytest.fixture(scope="module")
def attacked(tmp_path_factory) -> dict:
    subs = tmp_path_factory.mktemp("submissions")
    book = tmp_path_factory.mktemp("gradebook")
    honest = subs / "alice" / "00_warmup.ipynb"
    honest.parent.mkdir()
    honest.write_bytes(SOLUTION.read_bytes())
    partial = subs / "bob" / "00_warmup.ipynb"
    partial.parent.mkdir()
    nb = _load(EXERCISE)
    nb.cells[ADD_DEF].source = "def add(a, b):\n    return a + b"
    partial.write_bytes(notebook_bytes(nb))

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    real_startup = Path.home() / ".ipython" / "profile_default" / "startup"
    values = {
        "honest": str(honest),
        "submissions": str(subs),
        "gradebook": str(book),
        "compare": str(ROOT / "tinygrad_edu" / "grading" / "compare.py"),
        "pycache": str(ROOT / "tinygrad_edu" / "grading" / "__pycache__"),
        "solution": str(SOLUTION),
        "course": str(ROOT / "tinygrad_edu" / "grading" / "ch00.py"),
        "real_startup": str(real_startup),
        "port": listener.getsockname()[1],
        "grader_pid": os.getpid(),
        "marker": MARKER,
    }
    attacks = {**CHEATS, **{k: v.format(**values) for k, v in {**HARM, **PROBES}.items()}}
    for name, source in attacks.items():
        path = subs / name / "00_warmup.ipynb"
        path.parent.mkdir()
        path.write_bytes(_attack_notebook(source))

    # attacks on the file system of the submissions folder itself
    files = {
        "fifo": lambda p: os.mkfifo(p),
        "symlink_to_dev_zero": lambda p: p.symlink_to("/dev/zero"),
        "symlink_to_the_solution": lambda p: p.symlink_to(SOLUTION),
        "oversized": lambda p: p.write_bytes(_huge_notebook(200_000)),
    }
    for name, make in files.items():
        path = subs / name / "00_warmup.ipynb"
        path.parent.mkdir()
        make(path)
    weird = subs.joinpath(os.fsdecode(b"caf\xe9-\xff"))
    weird.mkdir()
    (weird / "00_warmup.ipynb").write_bytes(_attack_notebook(CHEATS["lying_float_subclass"]))
    extra = subs / "alice" / "00_warmup_copy.ipynb"
    extra.write_bytes(SOLUTION.read_bytes())

    startup_before = sorted(real_startup.glob("*")) if real_startup.exists() else []
    course_before = _tree_hash(ROOT)
    temp_before = _temp_entries()
    honest_bytes = honest.read_bytes()
    os.environ[SECRET.upper().replace("-", "_")] = SECRET
    printed = io.StringIO()
    start = time.monotonic()
    try:
        with contextlib.redirect_stdout(printed):
            results = grade([subs], book, cell_timeout=5, total_timeout=30, jobs=2)
    finally:
        del os.environ[SECRET.upper().replace("-", "_")]
        listener.close()
    seconds = time.monotonic() - start
    gradebook_after_run = (book / "gradebook.csv").read_bytes()
    time.sleep(2)  # a surviving daemon would strike now
    course_after = _tree_hash(ROOT)
    return {
        "results": {r.path.split("/")[-2]: r for r in results if r.status != "extra"},
        "by_path": {r.path: r for r in results},
        "seconds": seconds,
        "printed": printed.getvalue(),
        "book": book,
        "gradebook_after_run": gradebook_after_run,
        "course_changed": sorted(
            k
            for k in set(course_before) | set(course_after)
            if course_before.get(k) != course_after.get(k)
        ),
        "temp_left": _temp_entries() - temp_before,
        "processes_left": set(marked_processes()),
        "startup_after": sorted(real_startup.glob("*")) if real_startup.exists() else [],
        "startup_before": startup_before,
        "honest_unchanged": honest.read_bytes() == honest_bytes,
        "attacks": list(attacks),
    }


def _score(attacked: dict, name: str) -> NotebookResult:
    return attacked["results"][name]


ALL_ATTACKS = [*CHEATS, *HARM, *PROBES]


@pytest.mark.parametrize("name", ALL_ATTACKS)
def test_an_attack_earns_no_point(attacked, name):
    result = _score(attacked, name)
    assert result.score == 0, (name, [t.feedback() for t in result.tasks if t.earned])
    assert result.max_score == 5, "only the chapter's own tasks count, at their own points"
    assert [t.task_id for t in result.tasks] == ["ch00.add", "ch00.square_all", "ch00.row_means"]


def test_honest_students_keep_their_grades(attacked):
    assert _score(attacked, "alice").score == 5
    assert _score(attacked, "bob").score == 1
    assert attacked["honest_unchanged"]


def test_the_run_completes_and_the_gradebook_stays_the_graders(attacked):
    assert len(attacked["results"]) >= len(ALL_ATTACKS) + 2
    text = (attacked["book"] / "gradebook.csv").read_bytes()
    assert text == attacked["gradebook_after_run"], "something wrote the gradebook afterwards"
    assert b"pwned" not in text
    summary = (attacked["book"] / "summary.csv").read_text("utf-8")
    assert "alice,5," in summary and "bob,1," in summary
    print(f"{len(attacked['results'])} submissions graded in {attacked['seconds']:.1f} s")


def test_nothing_is_left_behind(attacked):
    assert attacked["course_changed"] == [], "the course tree (or its __pycache__) changed"
    assert attacked["temp_left"] == set(), "temporary files were left behind"
    assert attacked["processes_left"] == set(), "sandbox processes are still alive"
    assert attacked["startup_after"] == attacked["startup_before"], "IPython startup changed"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("fifo", "not a regular file"),
        ("symlink_to_dev_zero", "symbolic link"),
        ("symlink_to_the_solution", "symbolic link"),
        ("oversized", "over the limit"),
    ],
)
def test_files_that_are_not_plain_notebooks_are_refused_with_a_reason(attacked, name, reason):
    result = _score(attacked, name)
    assert result.status == "refused" and result.score == 0
    assert reason in result.tasks[0].message


def test_undecodable_names_and_surrogates_are_written_safely(attacked):
    weird = [r for r in attacked["by_path"].values() if "caf" in r.path]
    assert len(weird) == 1 and weird[0].score == 0
    assert "\ufffd" in weird[0].student
    json.loads((attacked["book"] / "gradebook.json").read_text("utf-8"))
    surrogate = _score(attacked, "surrogate_error").tasks[0]
    assert "ValueError" in surrogate.got and "\x1b" not in surrogate.got
    assert "\ud800" not in surrogate.got


def test_one_notebook_per_student_per_chapter(attacked):
    extra = [r for r in attacked["by_path"].values() if r.path.endswith("00_warmup_copy.ipynb")]
    assert len(extra) == 1 and extra[0].status == "extra" and extra[0].score == 0
    summary = (attacked["book"] / "summary.csv").read_text("utf-8")
    assert "alice,5,," in summary and ",5,10," not in summary, "extras are not summed"


def test_a_flood_into_the_answer_channel_is_cut(attacked):
    result = _score(attacked, "channel_flood")
    assert any("too much data" in n for n in result.notes), result.notes
