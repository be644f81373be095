"""Run one submitted notebook in a fresh kernel and grade it: the grader's subprocess.

    python -m tinygrad_edu.grading.run_one NOTEBOOK --chapter N --out REPORT.json \
        [--cell-timeout S] [--total-timeout S]

The grader (`grader.py`) starts this in its own process group and kills the group if it
overruns, so nothing a notebook does can take the grader down. Here, with nbclient:

1. a prelude cell caps what the notebook may print (a runaway ``print`` loop cannot flood
   memory or the report);
2. the notebook's code cells run in order, each under the cell time limit, all under the
   total one. An error does not stop the run (``allow_errors``); a cell past its limit is
   interrupted, and if the kernel stays stuck the run stops there;
3. the grading cell of `runner.py` grades the tasks from the package's own checks.

The notebook file is only read. The kernel runs in an empty temporary folder, with this
interpreter (a kernelspec written for the run), so it sees the same tinygrad_edu.
The report (JSON) holds the task results, the cells that failed, and notes.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from tinygrad_edu.grading.notebooks import read_notebook
from tinygrad_edu.grading.runner import grading_cell, grading_time

KERNEL_NAME = "tinygrad-edu-grader"
OUTPUT_LIMIT = 200_000  # characters of stdout+stderr a notebook may print while graded
TIMEOUT_NAME = "CellTimeout"
PROBE_TIMEOUT = 3  # seconds an interrupted kernel gets to prove it is responsive again

# IPython wraps `sys.stdout.write` anew for every cell (and puts the old one back after),
# so the cap is wrapped around it at the start of every cell, by a pre_run_cell hook.
PRELUDE = f"""\
def _tge_cap_output(limit={OUTPUT_LIMIT}):
    import sys
    left = [limit]
    def wrap(stream):
        write = stream.write
        def capped(text, *args, **kwargs):
            if left[0] <= 0:
                return len(text)
            left[0] -= len(text)
            if left[0] <= 0:
                text = text[: len(text) + left[0]] + "\\n[grader: output cut here]\\n"
            return write(text, *args, **kwargs)
        stream.write = capped
    def before_each_cell(info=None):
        wrap(sys.stdout)
        wrap(sys.stderr)
    get_ipython().events.register("pre_run_cell", before_each_cell)
_tge_cap_output()
del _tge_cap_output
"""


class _QuietClient(NotebookClient):
    """An nbclient that keeps no outputs: grading needs only each cell's reply."""

    def output(self, outs: list, msg: dict, display_id: str | None, cell_index: int) -> None:
        return None


def _kernel_data_dir(workdir: str) -> str:
    """A Jupyter data folder whose one kernelspec starts this very interpreter."""
    spec_dir = Path(workdir, "jupyter", "kernels", KERNEL_NAME)
    spec_dir.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec = {"argv": argv, "display_name": "tinygrad_edu grader", "language": "python"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return str(spec_dir.parents[1])


def _label(index: int, cell: nbformat.NotebookNode) -> str:
    """``cell 4 (def add(a, b):)``: the cell's position in the notebook and its first line."""
    first = next((line.strip() for line in cell.source.splitlines() if line.strip()), "")
    first = first if len(first) <= 40 else first[:37] + "..."
    return f"cell {index} ({first})" if first else f"cell {index}"


def run(
    path: str, chapter: int, cell_timeout: float = 30, total_timeout: float = 300
) -> dict[str, Any]:
    """Execute and grade the notebook at ``path``; return the report (see module docstring)."""
    report: dict[str, Any] = {"status": "graded", "tasks": None, "notes": [], "cell_errors": []}
    workdir = tempfile.mkdtemp(prefix="tinygrad-edu-grade-")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [_kernel_data_dir(workdir), os.environ.get("JUPYTER_PATH", "")]
    )
    answer = os.path.join(workdir, f"answer-{secrets.token_hex(8)}.json")
    try:
        student = read_notebook(path).cells
        cells = [nbformat.v4.new_code_cell(PRELUDE), *student]
        cells.append(nbformat.v4.new_code_cell(grading_cell(chapter, answer)))
        replies: list[dict] = []
        client = _QuietClient(
            nbformat.v4.new_notebook(cells=cells),
            kernel_name=KERNEL_NAME,
            allow_errors=True,
            interrupt_on_timeout=True,
            error_on_timeout={"ename": TIMEOUT_NAME, "evalue": "time limit"},
            iopub_timeout=1,
            shutdown_kernel="immediate",
            resources={"metadata": {"path": workdir}},
            on_cell_executed=lambda cell, cell_index, execute_reply: replies.append(execute_reply),
        )

        def execute(index: int, timeout: float, cell: Any = None) -> dict:
            client.timeout = max(1, math.ceil(timeout))
            replies.clear()
            client.execute_cell(cell or cells[index], index)
            return replies[-1]["content"] if replies else {"status": "ok"}

        deadline = time.monotonic() + total_timeout
        try:
            with client.setup_kernel():
                pid_file = os.environ.get("TINYGRAD_EDU_KERNEL_PID_FILE")
                if pid_file:
                    Path(pid_file).write_text(str(client.km.provisioner.pid), encoding="utf-8")
                execute(0, 30)
                for index in range(1, len(cells) - 1):
                    if cells[index].cell_type != "code" or not cells[index].source.strip():
                        continue
                    left = deadline - time.monotonic()
                    label = _label(index, cells[index])
                    if left <= 0:
                        report["notes"].append(
                            f"stopped before {label}: the notebook used up its {total_timeout:g} s"
                        )
                        break
                    reply = execute(index, min(cell_timeout, left))
                    if reply.get("status") != "error":
                        continue
                    if reply.get("ename") != TIMEOUT_NAME:
                        error = f"{reply.get('ename')}: {reply.get('evalue')}"
                        report["cell_errors"].append(f"{label} raised {error}"[:300])
                        continue
                    report["cell_errors"].append(f"{label} was stopped after {client.timeout} s")
                    probe = nbformat.v4.new_code_cell("pass")
                    if execute(index, PROBE_TIMEOUT, probe).get("ename") == TIMEOUT_NAME:
                        report["status"] = "timeout"
                        report["notes"].append(
                            f"{label} kept running after being interrupted, so grading stopped"
                        )
                        return report
                reply = execute(len(cells) - 1, grading_time(chapter))
                if os.path.exists(answer):
                    with open(answer, encoding="utf-8") as f:
                        report["tasks"] = json.load(f)
                elif reply.get("ename") == TIMEOUT_NAME:
                    report["status"] = "timeout"
                    report["notes"].append(f"grading ran past {client.timeout} s and was stopped")
                else:
                    report["status"] = "crashed"
                    why = f"{reply.get('ename')}: {reply.get('evalue')}"[:300]
                    report["notes"].append(f"the grading cell failed ({why})")
        except DeadKernelError:
            report["status"] = "crashed"
            report["notes"].append(
                "the kernel died (did the notebook call exit(), or use too much memory?)"
            )
    except Exception as exc:
        report["status"] = "crashed"
        report["notes"].append(f"the grader's run failed: {type(exc).__name__}: {exc}"[:500])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook")
    parser.add_argument("--chapter", type=int, required=True)
    parser.add_argument("--out", required=True, help="where to write the JSON report")
    parser.add_argument("--cell-timeout", type=float, default=30)
    parser.add_argument("--total-timeout", type=float, default=300)
    args = parser.parse_args(argv)
    report = run(args.notebook, args.chapter, args.cell_timeout, args.total_timeout)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(report, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
