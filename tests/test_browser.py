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


# ------------------------------------------------------------------ static renders and page fit
# A notebook that uses the backward stepper and draws graphs, the way the lessons do (lesson
# notebooks are rewritten often; this one pins what issue 17 promises).
STATIC_CELLS = [
    "import tinygrad_edu as torch\nfrom tinygrad_edu.viz import draw_backward_steps, draw_graph",
    "a = torch.tensor([2.0, 3.0], requires_grad=True)\na.name = 'a'\nb = a ** 2\n"
    "draw_graph(b, show_saved=True)",
    "loss = (a * a).sum()\ndraw_backward_steps(loss)",
]
N_STEPS = 3  # SumBackward0, MulBackward0, AccumulateGrad
STATIC_FRAMES_JS = """() => [...document.querySelectorAll('figure.tg-frame img')].map(i =>
    [i.complete && i.naturalWidth > 0, i.getBoundingClientRect().width,
     i.getBoundingClientRect().height, i.closest('figure').innerText])"""
# nbconvert writes image/svg+xml output as an <img> with a base64 data: URL (or inline <svg>).
STATIC_GRAPH_JS = """() => [...document.querySelectorAll(
    '.jp-RenderedSVG img, .jp-RenderedSVG svg')]
    .filter(e => (e.tagName === 'svg' ? e.textContent : atob(e.src.split(',')[1]))
                 .includes('PowBackward0') && (e.tagName === 'svg' || e.naturalWidth > 0))
    .map(e => [e.getBoundingClientRect().width, e.getBoundingClientRect().height])"""


def executed_notebook(cells: list[str], path: Path) -> Path:
    """Write ``cells`` as a notebook, run it in a real kernel (ipywidgets live), save it
    without widget state, as JupyterLab saves by default ("Save Widget State" is off)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nb.metadata.pop("widgets", None)  # nbclient's store_widget_state=False trips on Output
    nbformat.write(nb, path)
    return path


def test_static_html_export_shows_stepper_frames_and_graph_offline(tmp_path: Path) -> None:
    """nbconvert --to html, opened in Chromium with no network: every frame and the graph show.

    The stepper's output holds the live slider (a widget view) *and* the filmstrip; without
    widget state, nbconvert (like GitHub and nbviewer) shows the filmstrip.
    """
    require_browser()
    from nbconvert import HTMLExporter
    from playwright.sync_api import sync_playwright

    nb_path = executed_notebook(STATIC_CELLS, tmp_path / "static_export.ipynb")
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    stepper_output = nb.cells[2].outputs[-1]["data"]
    assert "application/vnd.jupyter.widget-view+json" in stepper_output, "the live slider"
    assert "text/html" in stepper_output and "VBox(" not in stepper_output["text/plain"]
    body, _ = HTMLExporter().from_notebook_node(nb)
    html_path = tmp_path / "static_export.html"
    html_path.write_text(body, encoding="utf-8")

    screenshot = ARTIFACTS / "browser_static_export.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=CHROMIUM_ARGS)
        context = browser.new_context(offline=True, viewport={"width": 1200, "height": 1000})
        context.route("http*://**", lambda route: route.abort())  # no network, not even CDNs
        page = context.new_page()
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        try:
            page.goto(html_path.as_uri())
            page.wait_for_function(f"() => ({STATIC_FRAMES_JS})().length === {N_STEPS} && "
                                   f"({STATIC_FRAMES_JS})().every(f => f[0])")
            frames = page.evaluate(STATIC_FRAMES_JS)
            graphs = page.evaluate(STATIC_GRAPH_JS)
            page.locator("figure.tg-frame").first.scroll_into_view_if_needed()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    assert [f[3].split(" receives")[0].split(" adds")[0] for f in frames] == [
        f"step {k + 1}/{N_STEPS}: {name}" for k, name in
        enumerate(["SumBackward0", "MulBackward0", "AccumulateGrad"])]
    for loaded, width, height, caption in frames:
        assert loaded and width > 50 and height > 50, f"frame not visible: {caption}"
    assert body.count('class="tg-legend"') == 1, "the legend once, not in every frame"
    assert graphs and graphs[0][0] > 100 and graphs[0][1] > 100, f"graph not visible: {graphs}"


FIT_CELLS = [
    "import tinygrad_edu as torch\nfrom tinygrad_edu import nn\n"
    "from tinygrad_edu.scalar import Value\n"
    "from tinygrad_edu.viz import draw_graph\ntorch.manual_seed(0)",
    # chapter 08's model graph (07 when issue 17 was filed): 4011 px wide before it
    "model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), "
    "nn.Linear(16, 2))\nx, y = torch.randn(300, 2), torch.tensor([i % 2 for i in range(300)])\n"
    "loss = nn.CrossEntropyLoss()(model(x), y)\ndraw_graph(loss)",
    # chapter 03's scalar graph: ran off the right edge left to right
    "a, b = Value(2.0, label='a'), Value(-3.0, label='b')\nc, f = Value(10.0, label='c'), "
    "Value(-2.0, label='f')\nL = (a * b + c) * f\nL.backward()\n"
    "draw_graph(L, show_data=True, show_grad=True)",
    # chapter 06's loop (05 when issue 17 was filed): hung the notebook before it
    "x = torch.tensor([1.0, 2.0], requires_grad=True)\nx.name = 'x'\nz = x\n"
    "for i in range(333):\n    z = (z * 1.001).tanh() if i % 2 else z + x\ndraw_graph(z)",
]
# Per picture: loaded?, width on screen, the viewBox width (the layout's size in points, where
# the boxes' font is 10 units), the picture's right edge and the notebook's right edge.
FIT_JS = """() => [...document.querySelectorAll(
    '.jp-OutputArea .jp-RenderedSVG img[src^="data:image/svg+xml"]')].map(i => {
    const svg = decodeURIComponent(i.src.split(',')[1]);
    const box = /viewBox="[-\\d.]+ [-\\d.]+ ([\\d.]+)/.exec(svg);
    return [i.complete && i.naturalWidth > 0, i.getBoundingClientRect().width,
            box ? parseFloat(box[1]) : null, i.getBoundingClientRect().right,
            i.closest('.jp-Notebook').getBoundingClientRect().right]; })"""
FONT_UNITS = 10  # the boxes' font size, in viewBox units (points at full size)


def test_graphs_fit_a_jupyterlab_cell_with_readable_labels(tmp_path: Path) -> None:
    """In JupyterLab (1280 px window, file browser open): labels stay >= 10 px."""
    require_browser()
    import nbformat
    from playwright.sync_api import sync_playwright

    root = tmp_path / "root"
    root.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in FIT_CELLS]
    nbformat.write(nb, root / "fit.ipynb")
    screenshot = ARTIFACTS / "browser_fit_the_page.png"
    with lab_server(root, tmp_path / "lab") as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        try:
            page.goto(f"{base}/lab/tree/fit.ipynb?reset")
            page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell")
            page.wait_for_selector(INDICATOR_IDLE)
            page.wait_for_function(KERNEL_IDLE_JS)
            run_all(page)
            page.wait_for_function(ALL_RAN_OR_ERROR_JS, arg=[ERROR_OUTPUT])
            assert not page.query_selector_all(ERROR_OUTPUT), "a cell raised"
            page.wait_for_function(f"() => ({FIT_JS})().length === 3 && "
                                   f"({FIT_JS})().every(s => s[0])")
            sizes = page.evaluate(FIT_JS)
            for k in range(3):  # JupyterLab lays out off-screen cells lazily: look at each
                page.locator(".jp-RenderedSVG img").nth(k).scroll_into_view_if_needed()
                page.wait_for_timeout(200)
                page.screenshot(path=str(ARTIFACTS / f"browser_fit_the_page_{k}.png"))
            sizes = page.evaluate(FIT_JS)
            page.screenshot(path=str(screenshot))
        finally:
            browser.close()
    for (_, shown, view_w, right, page_right), what in zip(
            sizes, ["ch08 model", "ch03 scalar", "ch06 loop"]):
        assert right <= page_right + 1, f"{what}: cut off at the right ({right} > {page_right})"
        label_px = FONT_UNITS * shown / view_w
        assert label_px >= 10, f"{what}: {view_w} pt layout shown {shown:.0f} px wide: " \
                               f"labels {label_px:.1f} px"
