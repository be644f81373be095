"""Chapter 07, devices (solutions/07_devices.ipynb): code that runs on whatever machine it finds.

A learner's machine may or may not have a GPU, so the cases here bring their own: for the
length of one case, the "cuda" backend is swapped for

* a **simulated GPU** (`tinygrad_edu.simulated_gpu`: one device, ``cuda:0``, whose arrays are
  NumPy arrays of a subclass that refuses to mix with CPU arrays, as CuPy's do), or
* a **machine without a GPU** (`tinygrad_edu.simulated_gpu.no_gpu`: CuPy "not installed"),

and the real backend is put back afterwards, whatever happened. So every device rule is
checked on every machine, and a case means the same on a laptop and on a GPU server.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

import tinygrad_edu
from tinygrad_edu.autograd import topological_order
from tinygrad_edu.autograd.grad_mode import no_grad
from tinygrad_edu.grading.graph_reading import ALL_ASKED, answer, answered_keys, question
from tinygrad_edu.grading.tasks import Case, task
from tinygrad_edu.simulated_gpu import simulated_machine
from tinygrad_edu.tensor import Tensor

LIMIT = 3.0  # seconds per check


# ------------------------------------------------------------------- the simulated machines
@contextlib.contextmanager
def machine(kind: str) -> Iterator[None]:
    """Inside: "cuda" is the simulated GPU (``kind="gpu"``), no GPU at all (``"no gpu"``), or
    this machine's own (``"this"``). The real backend comes back afterwards."""
    if kind == "this":
        yield
        return
    with simulated_machine(kind):
        yield


MACHINES = {
    "this": "on this machine",
    "gpu": "on a (simulated) machine with one GPU",
    "no gpu": "on a (simulated) machine without CuPy",
}


def _on(kind: str, run: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``run`` with the "cuda" backend of machine ``kind``."""

    def on_machine(fn: Any) -> Any:
        with machine(kind):
            return run(fn)

    return on_machine


# ------------------------------------------------------------------------ ch07.pick_device
ASK = "Which machine the code runs on is known only when it runs: ask every call."


def _pick_device() -> str:
    return "cuda" if tinygrad_edu.cuda.is_available() else "cpu"


@task(
    "ch07.pick_device",
    points=1,
    reference=_pick_device,
    time_limit=LIMIT,
    hint='PyTorch\'s one-liner: `"cuda" if torch.cuda.is_available() else "cpu"`, with '
    "tinygrad_edu in place of torch. Ask every time the function is called.",
)
def pick_device():
    for kind in ("this", "gpu", "no gpu"):
        yield Case(run=_on(kind, lambda fn: fn()), description=f"pick_device() {MACHINES[kind]}",
                   nudge=ASK)
    yield Case(
        run=_on("gpu", lambda fn: fn()), hidden=True, description="pick_device() with a GPU, again",
        nudge=ASK,
    )


# --------------------------------------------------------------------- ch07.to_same_device
def _to_same_device(a: Tensor, b: Tensor) -> Tensor:
    return b.to(a.device)


def _same_device_case(a_on: str, b_on: str, b_int: bool = False, hidden: bool = False) -> Case:
    def run(fn: Callable) -> tuple[str, str, np.ndarray]:
        a = tinygrad_edu.tensor([1.0, 2.0, 3.0], device=a_on)
        b = tinygrad_edu.tensor([7, 8, 9] if b_int else [0.5, -0.5, 4.0], device=b_on)
        moved = fn(a, b)
        if not isinstance(moved, Tensor):
            raise TypeError(f"to_same_device must return a Tensor, got {type(moved).__name__}")
        return str(moved.device), str(moved.dtype), moved.numpy_host()

    kind = "an int64 tensor" if b_int else "a float tensor"
    description = (
        f"to_same_device(a on {a_on}, b: {kind} on {b_on}) {MACHINES['gpu']} "
        "-> (device, dtype, values)"
    )
    nudge = ("Operations need their tensors on one device; moving changes the device only, "
             "never the dtype.")
    return Case(run=_on("gpu", run), hidden=hidden, description=description, nudge=nudge)


def _gradient_comes_back(fn: Callable) -> tuple[str, np.ndarray]:
    a = tinygrad_edu.tensor([1.0, 2.0, 3.0], device="cuda")
    b = tinygrad_edu.tensor([0.5, -0.5, 4.0], requires_grad=True)
    moved = fn(a, b)
    if moved.requires_grad:
        (moved * a).sum().backward()
    if b.grad is None:
        raise ValueError(
            "b.grad is None: the moved tensor is not connected to b. Move it with .to(), "
            "which is an operation in the graph, not by making a new tensor from its numbers."
        )
    return str(b.grad.device), b.grad.numpy_host()


@task(
    "ch07.to_same_device",
    points=2,
    reference=_to_same_device,
    time_limit=LIMIT,
    hint="`b.to(a.device)`. Not `b.to(a)`: given a tensor, .to copies its dtype as well.",
)
def to_same_device():
    yield _same_device_case("cpu", "cpu")
    yield _same_device_case("cuda", "cpu")
    yield _same_device_case("cpu", "cuda")
    yield _same_device_case("cuda", "cpu", b_int=True)
    yield _same_device_case("cuda", "cuda", hidden=True)
    yield _same_device_case("cpu", "cuda", b_int=True, hidden=True)
    yield Case(
        run=_on("gpu", _gradient_comes_back),
        hidden=True,
        description="b on cpu requires grad, a on cuda: (to_same_device(a, b) * a).sum()"
        ".backward() -> (b.grad's device, b.grad)",
        nudge="A move is an operation in the graph: the gradient flows back to b's own device.",
    )


# ---------------------------------------------------------------------------- ch07.predict
def _predict(model: Any, x: Tensor) -> np.ndarray:
    device = next(model.parameters()).device
    model.eval()
    with no_grad():
        out = model(x.to(device))
    return out.cpu().numpy()


def _model(dropout: bool = False) -> Any:
    """A small MLP with fixed weights (no random numbers drawn)."""
    nn = tinygrad_edu.nn
    layers = [nn.Linear(3, 4), nn.ReLU()] + ([nn.Dropout(0.5)] if dropout else [])
    model = nn.Sequential(*layers, nn.Linear(4, 2))
    rng = np.random.default_rng(6)
    with no_grad():
        for p in model.parameters():
            p.copy_(tinygrad_edu.from_numpy(rng.uniform(-1, 1, tuple(p.shape)).astype(np.float32)))
    return model


X53 = [[0.5, -1.0, 2.0], [1.0, 1.0, 1.0], [-0.3, 0.8, 0.1], [2.0, 0.0, -1.0], [0.0, 0.0, 0.0]]


def _predict_case(model_on: str, x_on: str, dropout: bool = False, hidden: bool = False) -> Case:
    def run(fn: Callable) -> dict:
        model = _model(dropout).to(model_on)
        x = tinygrad_edu.tensor(X53, device=x_on)
        out = fn(model, x)
        moved = str(next(model.parameters()).device)  # the model is the caller's: it stays
        return {"predictions": out, "model's device after": moved}

    what = "with Dropout(0.5), in training mode" if dropout else "an MLP"
    description = (
        f"predict(model: {what} on {model_on}, x of shape (5, 3) on {x_on}) {MACHINES['gpu']}"
    )
    nudge = ("The data goes to the model's device (the model stays where it is); inference "
             "needs evaluation mode and no graph; NumPy lives on the CPU.")
    if dropout:
        nudge += " Dropout is active only in training mode."
    return Case(run=_on("gpu", run), hidden=hidden, description=description, nudge=nudge)


@task(
    "ch07.predict",
    points=3,
    reference=_predict,
    time_limit=LIMIT,
    hint="Four steps: find the device from `next(model.parameters()).device` and move x there; "
    "`model.eval()`; compute under `no_grad()`; come back with `.cpu()` before `.numpy()`.",
)
def predict():
    yield _predict_case("cpu", "cpu")
    yield _predict_case("cuda", "cpu")
    yield _predict_case("cpu", "cpu", dropout=True)
    yield _predict_case("cuda", "cuda", hidden=True)
    yield _predict_case("cpu", "cuda", hidden=True)
    yield _predict_case("cuda", "cpu", dropout=True, hidden=True)


# ------------------------------------------------------------------------ ch07.safe_device
def _safe_device(name: str) -> str:
    try:
        return str(tinygrad_edu.zeros(1, device=name).device)
    except RuntimeError:
        return "cpu"


def _safe_case(name: str, kind: str, hidden: bool = False) -> Case:
    return Case(
        run=_on(kind, lambda fn: fn(name)),
        hidden=hidden,
        description=f"safe_device({name!r}) {MACHINES[kind]}",
        nudge="Whether a device works is known by trying it: a failed try is a RuntimeError, "
        "and a working device is named in full, with its index.",
    )


@task(
    "ch07.safe_device",
    points=2,
    reference=_safe_device,
    time_limit=LIMIT,
    hint="Try, don't ask: make a tensor on `name` inside `try:`, fall back in "
    "`except RuntimeError:`. `str(t.device)` names where it landed, e.g. 'cuda:0'.",
)
def safe_device():
    yield _safe_case("cpu", "this")
    yield _safe_case("cuda", "no gpu")
    yield _safe_case("cuda", "gpu")
    yield _safe_case("cuda:1", "gpu")
    yield _safe_case("cuda", "this", hidden=True)
    yield _safe_case("cuda:0", "gpu", hidden=True)
    yield _safe_case("cuda:0", "no gpu", hidden=True)
    yield _safe_case("cpu", "gpu", hidden=True)


# --- reading a graph ---------------------------------------------------------------------------
def _graph_answers() -> dict:
    w = tinygrad_edu.tensor([0.5, -1.0, 2.0], requires_grad=True)
    loss = (w.to(tinygrad_edu.float64) * 2).sum()
    loss.backward()
    names = [n.name() for n in topological_order([loss])]
    copy = next(n for n in names if n.startswith("ToCopy"))
    return {"copy_node": copy, "w_grad_dtype": w.grad.dtype.name}


@task(
    "ch07.read_graph",
    points=1,
    reference=_graph_answers,
    time_limit=LIMIT,
    hint="The node between w and the multiplication is .to()'s. Its backward casts the "
    "gradient back to the dtype of its input, w.",
)
def read_graph():
    yield Case(
        run=answer("copy_node"),
        nudge="A dtype conversion is an operation too, with its own backward node.",
        description=question(
            "copy_node",
            "the name of the node that .to() recorded",
        ),
    )
    yield Case(
        run=answer("w_grad_dtype"),
        nudge="A leaf's .grad has the leaf's own dtype: backward through a cast casts back.",
        description=question(
            "w_grad_dtype",
            "the dtype of w.grad after backward, e.g. 'float64'",
        ),
    )
    yield Case(run=answered_keys, hidden=True, description=ALL_ASKED)
