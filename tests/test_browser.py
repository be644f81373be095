"""A lesson really runs in JupyterLab, in a real browser, and its graph appears.

This is what a learner does after ``make lab``: open chapter 03, Run All, look at the
autograd graph. nbval proves the cells run; only a browser proves the picture shows up
(graphviz installed, SVG output trusted and rendered, no popup in the way).

How it works:

1. Copy ``notebooks/`` into a temporary folder (JupyterLab autosaves: the repo stays clean).
2. Start ``jupyter lab`` the way ``make lab`` does, headless, on a free port, with its own
   HOME, config, settings and workspaces folders, and a settings override that turns off
   the "news" popup. Wait for ``/api/status``.
3. Drive Debian's Chromium with Playwright: open the notebook, Run > Run All, wait until an
   ``<img src="data:image/svg+xml,...">`` (how JupyterLab 4 shows SVG output) has been drawn.
4. Save a screenshot to ``artifacts/browser_03_scalar_autograd.png``; stop the server by PID.

Skips (with the reason) where ``/usr/bin/chromium`` is missing, unless the ``CI`` environment
variable is set: in CI a missing browser is a failure. Install it with
``sudo apt-get install chromium`` (``make test`` does this when run as root). Never
``playwright install``: it downloads a browser from outside the package registries.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = Path("notebooks/03_scalar_autograd.ipynb")  # relative to the repo root
ARTIFACTS = REPO / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
# Settings overrides: no "Would you like to receive official Jupyter news?" popup, and no
# "Select Kernel" dialog (start the notebook's own kernel, as a learner would click "Select").
OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension:tracker": {"autoStartDefaultKernel": True},
}
# JupyterLab 4 shows image/svg+xml output as an <img> with a data: URL inside .jp-RenderedSVG.
GRAPH_IMG = ".jp-OutputArea .jp-RenderedSVG img[src^='data:image/svg+xml']"
# A cell that raised: its traceback (warnings on stderr are not errors).
ERROR_OUTPUT = ".jp-RenderedText[data-mime-type='application/vnd.jupyter.error']"

SERVER_START_S = 30  # /api/status answers after about 4 s on 2 cores
PAGE_TIMEOUT_MS = 40_000  # notebook ready ~8 s, graph drawn ~9 s after Run All


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def require_browser() -> None:
    """Skip (outside CI) or fail (in CI) when Chromium or Playwright is missing."""
    problems = []
    if not CHROMIUM.exists():
        problems.append(f"{CHROMIUM} is missing (install it: sudo apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("the Python package playwright is missing (pip install -e '.[dev]')")
    if not problems:
        return
    message = "browser test needs Debian's Chromium and Playwright: " + "; ".join(problems)
    if in_ci():
        pytest.fail(message + ". CI is set, so this is a failure, not a skip.")
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def jupyter_command() -> list[str]:
    """``jupyter lab`` from this interpreter's environment (the course's .venv)."""
    jupyter = Path(sys.executable).with_name("jupyter")
    return [str(jupyter), "lab"] if jupyter.exists() else [sys.executable, "-m", "jupyterlab"]


def wait_for_status(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"jupyter lab exited with code {proc.returncode}:\n{tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    pytest.fail(f"jupyter lab did not answer {url} within {SERVER_START_S} s:\n{tail(log)}")


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop(proc: subprocess.Popen) -> None:
    """Stop the server by its PID: SIGTERM (it shuts its kernels down), then SIGKILL."""
    if proc.poll() is not None:
        return
    os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # its own session: the server and its kernels
        proc.wait(timeout=5)


@contextmanager
def lab_server(root: Path, workdir: Path) -> Iterator[str]:
    """Start JupyterLab on ``root``; yield its base URL; stop it afterwards (by PID)."""
    home = workdir / "home"
    settings = workdir / "app_settings"
    for d in (home, settings):
        d.mkdir(parents=True)
    (settings / "overrides.json").write_text(json.dumps(OVERRIDES))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "MPLBACKEND"))}
    env.update(
        HOME=str(home),
        JUPYTER_CONFIG_DIR=str(home / ".jupyter"),
        JUPYTER_DATA_DIR=str(home / ".local/share/jupyter"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(home / "user_settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        CUPY_CACHE_DIR=str(workdir / "cupy_cache"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    port = free_port()
    command = [
        *jupyter_command(), "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
        "--IdentityProvider.token=", "--ServerApp.password=", f"--ServerApp.root_dir={root}",
        f"--LabApp.app_settings_dir={settings}",
    ]
    log = workdir / "jupyterlab.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, env=env, cwd=root, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_status(f"{base}/api/status", proc, log)
        yield base
    finally:
        stop(proc)
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copyfile(log, ARTIFACTS / "browser_jupyterlab.log")


INDICATOR_IDLE = ".jp-Notebook-ExecutionIndicator[data-status='idle'] >> visible=true"
KERNEL_IDLE_JS = """() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
    .some(e => / \\| Idle$/.test(e.textContent) && !e.textContent.startsWith('No Kernel'))"""
FIRST_PROMPT_RAN_JS = """() => { const p = document.querySelector('.jp-CodeCell .jp-InputPrompt');
    return p !== null && /\\[(\\*|\\d+)\\]/.test(p.textContent); }"""

# A drawing by tinygrad_edu.viz (its operations are named like "MulBackward0"), loaded and drawn.
# Chapter 03 first draws a graph with plain graphviz; the package's own drawings come after.
VIZ_DRAWN_JS = """(img) => [...document.querySelectorAll(img)].find(i => i.complete &&
    i.naturalWidth > 0 && decodeURIComponent(i.src).includes('Backward0')) || null"""
# Run All has finished: every code cell shows its execution count, or a cell raised.
ALL_RAN_OR_ERROR_JS = """([err]) => document.querySelector(err) !== null ||
    [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
        .every(p => /\\[\\d+\\]/.test(p.textContent))"""
GRAPH_OR_ERROR_JS = """([img, err]) => document.querySelector(err) !== null ||
    (""" + VIZ_DRAWN_JS + """)(img) !== null"""


def run_all(page: Any, attempts: int = 3) -> None:
    """Run > Run All Cells; click again if the first code cell did not start (a rare race)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(attempts):
        page.click(".lm-MenuBar-itemLabel:text-is('Run')")
        page.click("[data-command='runmenu:run-all']")
        try:
            page.wait_for_function(FIRST_PROMPT_RAN_JS, timeout=5_000)
            return
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise


def run_all_and_screenshot(base: str, notebook: str, screenshot: Path) -> None:
    """Open ``notebook`` (path under the server root), Run All, wait for a drawn graph."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        try:
            page.goto(f"{base}/lab/tree/{notebook}?reset")
            page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell")
            page.wait_for_selector(INDICATOR_IDLE)
            # The indicator says idle before the kernel exists ("No Kernel | Initializing" in the
            # status bar); Run All then does nothing. Wait for the kernel itself to be idle.
            page.wait_for_function(KERNEL_IDLE_JS)
            run_all(page)

            # The first graph drawn by tinygrad_edu.viz, or the first error, whichever comes first.
            page.wait_for_function(GRAPH_OR_ERROR_JS, arg=[GRAPH_IMG, ERROR_OUTPUT])
            # Then let the run finish (JupyterLab scrolls along with it), checking every cell.
            page.wait_for_function(ALL_RAN_OR_ERROR_JS, arg=[ERROR_OUTPUT])
            errors = page.query_selector_all(ERROR_OUTPUT)
            drawn = page.evaluate_handle(VIZ_DRAWN_JS, GRAPH_IMG).as_element()
            if drawn is not None:
                # Cells off screen are laid out lazily (CSS content-visibility): scrolling makes
                # them take their real height, which moves the picture. Scroll until it stays.
                for _ in range(4):
                    drawn.evaluate("i => i.scrollIntoView({block: 'center'})")
                    page.wait_for_timeout(250)
            screenshot.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(screenshot))
            if errors:
                raise AssertionError(
                    f"{notebook} raised an error when run in JupyterLab "
                    f"(screenshot: {screenshot}):\n{errors[0].inner_text()[:2000]}"
                )
            size = drawn.evaluate("i => [i.naturalWidth, i.naturalHeight]")
            assert size[0] > 0 and size[1] > 0, f"the graph image is empty: {size}"
        except PlaywrightError as exc:
            page.screenshot(path=str(screenshot))
            raise AssertionError(
                f"JupyterLab in Chromium did not show {notebook}'s graph: {exc}\n"
                f"screenshot: {screenshot}"
            ) from None
        finally:
            browser.close()


def test_lesson_03_draws_its_graph_in_jupyterlab(tmp_path: Path) -> None:
    require_browser()
    source = REPO / NOTEBOOK
    assert source.exists(), f"{NOTEBOOK} is missing: the browser test opens that lesson"
    root = tmp_path / "root"
    shutil.copytree(REPO / "notebooks", root / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    screenshot = ARTIFACTS / "browser_03_scalar_autograd.png"
    with lab_server(root, tmp_path / "lab") as base:
        run_all_and_screenshot(base, NOTEBOOK.as_posix(), screenshot)
    assert screenshot.exists() and screenshot.stat().st_size > 0
