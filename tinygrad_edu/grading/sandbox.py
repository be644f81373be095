"""The sandbox a submission's code runs in while it is graded.

Three levels, best first (``tinygrad-edu doctor`` says which one this machine has):

``bubblewrap``
    `bwrap <https://github.com/containers/bubblewrap>`_ (Debian package ``bubblewrap``)
    starts the learner's process in new PID, network, IPC and UTS namespaces: no network
    (not even the host's loopback), no view of the host's processes, and a file system made
    only of read-only system folders, the Python environment and a stripped copy of the
    package (no reference answers, no expected values). HOME and /tmp are private, empty,
    size-capped tmpfs folders that vanish with the sandbox. As root, the process then drops
    to a dedicated unprivileged uid (one per parallel job); otherwise it runs in a user
    namespace as the instructor's uid. Killing the sandbox kills its PID namespace: every
    descendant dies with it, double-forked daemons included.
``uid`` (fallback where user namespaces are unavailable, grader running as root)
    The process runs as a dedicated unprivileged uid in a new session, with the same
    rlimits; afterwards every process of that uid is killed. It shares the host's network
    and sees every file that uid may read.
``process`` (last resort: no bwrap, not root)
    Only rlimits, a clean environment, a private temporary HOME and a killed process group.
    The learner's code runs as the instructor: fine for self-checking, **not** for a class
    of possibly hostile submissions.

In every level the environment is cleared and these rlimits apply: address space, number
of processes, file size, CPU time and open files.
"""

from __future__ import annotations

import functools
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass

BUBBLEWRAP, UID, PROCESS = "bubblewrap", "uid", "process"
FIRST_UID = 61000  # job slot k runs as uid FIRST_UID + k
HOME = "/home"
COURSE = "/course"  # where the stripped package copy appears in the sandbox
TMPFS_BYTES = 256 * 2**20
# soft = hard, so the learner's code cannot raise them again
LIMITS = {
    "RLIMIT_AS": 6 * 2**30,
    "RLIMIT_NPROC": 64,
    "RLIMIT_FSIZE": 64 * 2**20,
    "RLIMIT_NOFILE": 256,
}
DESCRIPTIONS = {
    BUBBLEWRAP: "bubblewrap: own PID/network namespaces, read-only files, private tmpfs, "
    "rlimits, killed as a whole",
    UID: "fallback: unprivileged uid + rlimits + session killed (network and readable files "
    "stay visible)",
    PROCESS: "last resort: rlimits + killed process group only; the code runs as you "
    "(NOT safe for hostile submissions)",
}


@functools.cache
def _bwrap_works() -> bool:
    """Can bwrap make the namespaces we need here (a quick trial run)?"""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False
    probe = [bwrap, *_namespaces(), "--ro-bind", "/", "/", "--proc", "/proc", "true"]
    try:
        return subprocess.run(probe, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _namespaces() -> list[str]:
    """As root: privileged namespaces (the process drops its uid itself); else a user ns."""
    common = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]
    common += ["--unshare-cgroup-try", "--die-with-parent", "--new-session"]
    if _is_root():
        return [*common, "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    return ["--unshare-user", *common]


def _interpreter_reachable_by_others() -> bool:
    """Can an unprivileged uid run this Python? (every folder above it searchable by others)"""
    for path in {os.path.realpath(sys.executable), sys.prefix, sys.base_prefix}:
        while path not in ("/", ""):
            try:
                if not os.stat(path).st_mode & 0o001:
                    return False
            except OSError:
                return False
            path = os.path.dirname(path)
    return True


def level(requested: str | None = None) -> str:
    """The isolation level to use: ``requested`` (or $TINYGRAD_EDU_SANDBOX), else the best
    available. Asking for a level the machine lacks raises RuntimeError saying why."""
    requested = requested or os.environ.get("TINYGRAD_EDU_SANDBOX") or None
    available = available_levels()
    if requested is None:
        return available[0]
    if requested not in available:
        raise RuntimeError(
            f"sandbox level {requested!r} is not available here (available: {available}); "
            "bubblewrap needs `apt-get install bubblewrap` and user namespaces, "
            "uid needs root and a Python every user may run"
        )
    return requested


def available_levels() -> list[str]:
    levels = [BUBBLEWRAP] if _bwrap_works() else []
    if _is_root() and _interpreter_reachable_by_others():
        levels.append(UID)
    return [*levels, PROCESS]


def _system_binds() -> list[str]:
    """Read-only binds of what Python needs: /usr (and its /lib links), the interpreters."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("lib", "lib64", "lib32", "bin", "sbin"):
        path = f"/{name}"
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    prefixes = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix)}
    prefixes |= {sys.prefix, os.path.dirname(os.path.realpath(sys.executable))}
    made: set[str] = set()
    for prefix in sorted(prefixes):
        if not prefix.startswith("/usr/") and os.path.isdir(prefix):
            # parents made searchable: the host's /root (0700) would hide a pyenv Python
            parent = os.path.dirname(prefix)
            parents = []
            while parent not in ("/", "") and parent not in made:
                parents.append(parent)
                parent = os.path.dirname(parent)
            for folder in reversed(parents):
                args += ["--perms", "0755", "--dir", folder]
                made.add(folder)
            args += ["--ro-bind", prefix, prefix]
    return args


def clean_environment(home: str, pythonpath: str) -> dict[str, str]:
    """The only variables the learner's process gets: nothing of the grader's."""
    return {
        "HOME": home,
        "TMPDIR": "/tmp" if home == HOME else home,
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "PYTHONPATH": pythonpath,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONHASHSEED": "0",
        "MPLBACKEND": "Agg",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "LANG": "C.UTF-8",
    }


def nproc_limit(drops_uid: bool) -> int:
    """RLIMIT_NPROC counts every process of the real uid: a sandbox that keeps the
    instructor's uid must allow the ones already running, plus its own."""
    if drops_uid:
        return LIMITS["RLIMIT_NPROC"]
    mine = 0
    for status in os.scandir("/proc"):
        if status.name.isdigit():
            try:
                mine += os.stat(status.path).st_uid == os.getuid()
            except OSError:
                pass
    return mine + LIMITS["RLIMIT_NPROC"]


def set_limits(cpu_seconds: int, nproc: int | None = None) -> None:
    """Lower soft and hard rlimits of this process (inherited by what it starts)."""
    limits = dict(LIMITS, RLIMIT_CPU=cpu_seconds)
    if nproc:
        limits["RLIMIT_NPROC"] = nproc
    for name, value in limits.items():
        which = getattr(resource, name, None)
        if which is None:
            continue
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass  # e.g. a hard limit already lower: keep it


@dataclass
class Launch:
    """How to start the worker: argv, env, cwd, what to run in the child before exec, and
    what to clean up afterwards."""

    argv: list[str]
    env: dict[str, str]
    cwd: str
    preexec: Callable[[], None] | None
    level: str
    uid: int | None
    scratch: str | None  # a host folder to delete afterwards (fallback levels)


def launch(
    worker_args: list[str], package_copy: str, slot: int, cpu_seconds: int, how: str
) -> Launch:
    """Build the command that runs ``python -m tinygrad_edu.grading.worker WORKER_ARGS``
    sandboxed at level ``how``, with ``package_copy`` (a folder holding a stripped
    ``tinygrad_edu``) as the only course code it can import."""
    uid = FIRST_UID + slot if _is_root() else None
    module = [sys.executable, "-s", "-m", "tinygrad_edu.grading.worker"]
    if how == BUBBLEWRAP:
        env = clean_environment(HOME, COURSE)
        argv = [shutil.which("bwrap") or "bwrap", *_namespaces()]
        for folder in (HOME, "/tmp"):  # first: a Python or venv under /tmp is bound on top
            argv += ["--perms", "1777", "--size", str(TMPFS_BYTES), "--tmpfs", folder]
        argv += _system_binds()
        argv += ["--ro-bind", package_copy, COURSE, "--proc", "/proc", "--dev", "/dev"]
        argv += ["--chdir", HOME, "--clearenv"]
        for key, value in env.items():
            argv += ["--setenv", key, value]
        nproc = nproc_limit(uid is not None)
        argv += ["--", *module, *worker_args, "--cpu", str(cpu_seconds), "--nproc", str(nproc)]
        if uid is not None:
            argv += ["--uid", str(uid)]
        return Launch(argv, env, "/", None, how, None, None)  # its PID namespace dies whole

    scratch = tempfile.mkdtemp(prefix="tinygrad-edu-sandbox-")
    os.chmod(scratch, 0o700)
    run_as = uid if how == UID else None
    if run_as is not None:
        os.chown(scratch, run_as, run_as)
    env = clean_environment(scratch, package_copy)
    env[RUN_TOKEN] = secrets.token_hex(16)  # finds the run's processes afterwards
    nproc = nproc_limit(run_as is not None)
    argv = [*module, *worker_args, "--cpu", str(cpu_seconds), "--nproc", str(nproc)]
    if run_as is not None:
        argv += ["--uid", str(run_as)]
    return Launch(argv, env, scratch, None, how, run_as, scratch)


_slots_lock = threading.Lock()
_slots_used: dict[int, socket.socket | None] = {}
MAX_SLOTS = 1000


def _claim_machine_wide(slot: int) -> socket.socket | None | bool:
    """Hold slot ``slot`` against other graders on this machine: an abstract Unix socket
    named after it (Linux), released by the kernel when this process ends, leaving no file.
    False when another process holds it; None where abstract sockets do not exist."""
    if not sys.platform.startswith("linux"):
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(f"\0tinygrad-edu-grading-slot-{slot}")
    except OSError:
        sock.close()
        return False
    return sock


def acquire_slot() -> int:
    """A job slot (so: a uid) that no other sandbox uses now, in this grader or another."""
    with _slots_lock:
        for slot in range(MAX_SLOTS):
            if slot in _slots_used:
                continue
            held = _claim_machine_wide(slot)
            if held is not False:
                _slots_used[slot] = held
                return slot
    raise RuntimeError(f"all {MAX_SLOTS} grading slots are taken")


def release_slot(slot: int) -> None:
    with _slots_lock:
        held = _slots_used.pop(slot, None)
        if held is not None:
            held.close()


RUN_TOKEN = "TINYGRAD_EDU_SANDBOX_RUN"


def kill_marked(token: str) -> None:
    """(process level) SIGKILL every process whose environment still holds ``token``: the
    ones that left the process group with setsid. One that also cleared its environment
    escapes: the process level is not for hostile code."""
    needle = f"{RUN_TOKEN}={token}".encode()
    for environ in os.scandir("/proc"):
        if not environ.name.isdigit() or int(environ.name) == os.getpid():
            continue
        try:
            with open(os.path.join(environ.path, "environ"), "rb") as f:
                found = needle in f.read()
        except OSError:
            continue
        if found:
            try:
                os.kill(int(environ.name), signal.SIGKILL)
            except OSError:
                pass


def kill_uid(uid: int) -> None:
    """SIGKILL every process of ``uid`` (a fallback sandbox's): a child drops to that uid
    and signals -1, which reaches exactly the processes of its own uid."""
    if not _is_root():
        return
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            for _ in range(3):
                try:
                    os.kill(-1, signal.SIGKILL)
                except ProcessLookupError:
                    break
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def drop_privileges(uid: int) -> None:
    """(inside the sandbox, as root) become ``uid``, for good."""
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise SystemExit("could not drop privileges")
