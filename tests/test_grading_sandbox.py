"""The sandbox levels: what bubblewrap really isolates, and the tested fallbacks.

The bubblewrap tests run where ``bwrap`` works (CI installs it with tools/setup.sh); the
fallbacks are run here whatever the machine has. The ``uid`` level needs root and a Python
every user may run (a pyenv Python under /root, mode 0700, is not): it skips otherwise.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from tinygrad_edu.grading import grade, grader, sandbox
from tinygrad_edu.grading.notebooks import notebook_bytes

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "00_warmup.ipynb"
EXERCISE = ROOT / "exercises" / "00_warmup.ipynb"

PROBE = """
import json, os, resource, socket, sys
from tinygrad_edu.grading import sandbox, worker  # the worker's own first steps:
sandbox.set_limits(60)
if os.getuid() == 0:
    sandbox.drop_privileges(sandbox.FIRST_UID)
try:
    resource.setrlimit(resource.RLIMIT_NOFILE, (10**6, 10**6))
    raised_limit = True
except (ValueError, OSError):
    raised_limit = False
facts = {"uid": os.getuid(), "home": os.environ.get("HOME"), "env": sorted(os.environ)}
facts["pids"] = len([p for p in os.listdir("/proc") if p.isdigit()])
facts["root"] = sorted(os.listdir("/"))
names = ("RLIMIT_AS", "RLIMIT_NPROC", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_CPU")
facts["limits"] = {n: resource.getrlimit(getattr(resource, n))[1] for n in names}
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2)
    facts["network"] = True
except OSError:
    facts["network"] = False
open(os.path.join(os.environ["HOME"], "x"), "w").write("ok")
try:
    package = os.path.dirname(__import__("tinygrad_edu").__file__)
    open(os.path.join(os.path.dirname(package), "y"), "w")
    facts["course_writable"] = True
except OSError:
    facts["course_writable"] = False
facts["package"] = __import__("tinygrad_edu").__file__
facts["solutions"] = os.path.exists(SOLUTIONS)
facts["raised_limit"] = raised_limit
print(json.dumps(facts))
"""


def _probe(level: str) -> dict:
    settings = grader.Settings(level=level)
    grader.prepare(settings)
    how = sandbox.launch(["--chapter", "0"], settings.package_copy, 0, 60, level)
    try:
        head = how.argv[: how.argv.index("--") + 1] if "--" in how.argv else []
        out = subprocess.run(
            [*head, sys.executable, "-c", f"SOLUTIONS = {str(ROOT / 'solutions')!r}\n{PROBE}"],
            capture_output=True,
            env=how.env,
            cwd=how.cwd,
            timeout=60,
            check=True,
            preexec_fn=None,
        ).stdout
        return json.loads(out.decode().splitlines()[-1])
    finally:
        shutil.rmtree(settings.package_copy, ignore_errors=True)
        if how.scratch:
            shutil.rmtree(how.scratch, ignore_errors=True)


@pytest.mark.skipif(
    sandbox.BUBBLEWRAP not in sandbox.available_levels(),
    reason="bubblewrap is not installed or user namespaces are off (apt-get install bubblewrap)",
)
def test_bubblewrap_isolates_the_learners_process():
    facts = _probe(sandbox.BUBBLEWRAP)
    assert facts["network"] is False
    assert facts["pids"] <= 3, "its own PID namespace: the host's processes are invisible"
    assert facts["home"] == sandbox.HOME and facts["course_writable"] is False
    assert facts["package"].startswith(sandbox.COURSE), "it imports the stripped copy"
    assert facts["solutions"] is False, "the instructor's course is invisible"
    assert set(facts["env"]) <= set(sandbox.clean_environment("/h", "/p")) | {"PWD"}
    assert facts["raised_limit"] is False, "a hard limit cannot be raised again"
    assert facts["limits"]["RLIMIT_NPROC"] == sandbox.LIMITS["RLIMIT_NPROC"]
    if sandbox._is_root():
        assert facts["uid"] >= sandbox.FIRST_UID


def test_the_environment_is_cleared_and_limits_are_set_in_every_level():
    for level in sandbox.available_levels():
        if level == sandbox.UID:
            continue  # its limits are set by the worker after it drops its uid
        how = sandbox.launch(["--chapter", "0"], "/nowhere", 0, 60, level)
        env = how.env
        if how.scratch:
            shutil.rmtree(how.scratch)
        extra = {sandbox.RUN_TOKEN} if level != sandbox.BUBBLEWRAP else set()
        assert set(env) == set(sandbox.clean_environment("/h", "/p")) | extra
    assert set(sandbox.LIMITS) == {"RLIMIT_AS", "RLIMIT_NPROC", "RLIMIT_FSIZE", "RLIMIT_NOFILE"}


def test_the_doctor_reports_the_isolation_level():
    from tinygrad_edu import doctor

    check = doctor.check_sandbox()
    assert check.detail == sandbox.DESCRIPTIONS[sandbox.level()]


@pytest.mark.parametrize("level", [sandbox.PROCESS, sandbox.UID])
def test_the_fallback_levels_grade_honestly_and_survive_a_kill(tmp_path, level):
    if level not in sandbox.available_levels():
        pytest.skip(
            f"the {level!r} level is not available here: needs root and a Python every "
            "user may run (this one may live under a private folder such as /root)"
        )
    subs = tmp_path / "subs"
    for name, source in {"alice": SOLUTION, "bob": EXERCISE}.items():
        (subs / name).mkdir(parents=True)
        shutil.copy(source, subs / name / "00_warmup.ipynb")
    nb = nbformat.read(EXERCISE, as_version=4)
    # the process level runs the code as the grader's own user: it cannot stop this kill
    marker = f"tinygrad-edu-fallback-{os.getpid()}-{time.time_ns()}"
    daemon = (
        "import os, sys\nif os.fork() == 0:\n    os.setsid()\n"
        "    sleep = 'import time; time.sleep(60)'\n"
        f"    os.execv(sys.executable, [sys.executable, '-c', sleep, {marker!r}])\n"
    )
    attack = "os.kill(os.getppid(), signal.SIGKILL)" if level == sandbox.UID else "os._exit(1)"
    nb.cells[3].source = f"import os, signal\n{daemon}{attack}\nadd = 1"
    (subs / "mallory").mkdir()
    (subs / "mallory" / "00_warmup.ipynb").write_bytes(notebook_bytes(nb))
    with contextlib.redirect_stdout(io.StringIO()):
        results = grade([subs], tmp_path / "book", sandbox_level=level, jobs=2)
    assert {r.student: r.score for r in results} == {"alice": 5, "bob": 0, "mallory": 0}
    time.sleep(0.5)
    survivors = [p for p in Path("/proc").glob("[0-9]*/cmdline") if marker.encode() in _read(p)]
    assert survivors == [], "the daemon that left the process group must be killed too"


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def test_a_killed_graders_package_copy_is_removed_by_the_next_run(tmp_path):
    import tempfile

    stale = Path(tempfile.gettempdir()) / "tinygrad-edu-course-99999999-abc"
    stale.mkdir(exist_ok=True)
    settings = grader.Settings(level=sandbox.PROCESS)
    try:
        grader.prepare(settings)
        assert not stale.exists()
    finally:
        shutil.rmtree(settings.package_copy, ignore_errors=True)
        shutil.rmtree(stale, ignore_errors=True)


def test_private_tmp_is_mounted_before_the_python_it_hides(monkeypatch):
    """A course cloned under /tmp (CI does that) keeps its venv visible in the sandbox: the
    private /tmp and HOME come first, then the read-only binds land on top of them."""
    monkeypatch.setattr(sys, "prefix", "/tmp/some-clone/.venv")
    monkeypatch.setattr(os.path, "isdir", lambda p: True)
    argv = sandbox.launch(["x"], "/tmp/pkg", 0, 5, sandbox.BUBBLEWRAP).argv
    tmpfs_at = max(i for i, a in enumerate(argv) if a == "--tmpfs")
    venv_at = argv.index("/tmp/some-clone/.venv")
    assert tmpfs_at < venv_at, "the private /tmp would hide the venv"
