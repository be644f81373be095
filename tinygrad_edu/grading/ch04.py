"""Chapter 04, Function and the engine (solutions/04_function_and_engine.ipynb).

The lesson is notebooks/04_function_and_engine.ipynb. The learner writes ``backward`` of a
``Function`` (a ``torch.autograd.Function`` look-alike, receiving and returning Tensors),
the broadcast-gradient sum, and a whole Function of their own (checked against the
package's op and with ``gradcheck``). The references are the package's own ops and engine.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import tinygrad_edu as torch
from tinygrad_edu.autograd import topological_order
from tinygrad_edu.grading.graph_reading import ALL_ASKED, answer, answered_keys, question
from tinygrad_edu.grading.tasks import Case, task
from tinygrad_edu.ops.unary import Sigmoid as _Sigmoid

LIMIT = 3.0  # seconds per check; gradcheck on a few elements takes milliseconds


def _leaf(values: object, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    return torch.tensor(values, dtype=dtype, requires_grad=True)


# --- Mul's backward ----------------------------------------------------------------------------


# --- unbroadcast -------------------------------------------------------------------------------


# --- a Function of one's own: Sigmoid ------------------------------------------------------
def _sigmoid_run(values: object, upstream: object | None = None) -> Callable:
    """y = Sigmoid.apply(x); y.backward(upstream); return (y, x.grad)."""

    def run(Sigmoid: type) -> tuple:
        x = _leaf(values)
        y = Sigmoid.apply(x)
        grad = torch.ones_like(y) if upstream is None else torch.tensor(upstream, dtype=y.dtype)
        y.backward(grad)
        return y.detach(), x.grad

    return run


def _saves_output(Sigmoid: type) -> dict:
    """What forward saved for backward, and y (the trusted side judges: only y, please)."""
    y = Sigmoid.apply(_leaf([0.0, 2.0]))
    if y.grad_fn is None:
        return {"problem": "y has no grad_fn: was the output made under no_grad?"}
    saved = [s.array if isinstance(s, torch.Tensor) else s for s in y.grad_fn.saved_tensors]
    return {"y": y.detach().numpy(), "saved": saved}


def _judge_saved(got: object) -> str | None:
    if not isinstance(got, dict):
        return "it could not be checked"
    if "problem" in got:
        return str(got["problem"])
    saved, y = got.get("saved"), got.get("y")
    if not isinstance(saved, list) or len(saved) != 1:
        n = len(saved) if isinstance(saved, list) else "?"
        return f"saves {n} values; save only y"
    if not isinstance(saved[0], np.ndarray) or not isinstance(y, np.ndarray):
        return "saves a value that is not y"
    expected = 1 / (1 + np.exp(-np.array([0.0, 2.0])))
    if saved[0].shape != expected.shape or not np.allclose(saved[0], expected):
        return "saves a value that is not y"
    return None


@task(
    "ch04.Sigmoid",
    points=3,
    reference=_Sigmoid,
    time_limit=LIMIT,
    hint="forward computes y, saves it (only y) with ctx.save_for_backward and returns it; "
    "backward unpacks `(y,) = ctx.saved_tensors` and returns grad_output times dy/dx = y (1 - y).",
)
def Sigmoid():
    chain = ("The chain rule: x.grad is grad_output times sigmoid's derivative at x, which can "
             "be written with the output y alone.")
    yield Case(
        nudge=chain,
        run=_sigmoid_run([0.0, 1.0, -2.0]),
        description="x = [0., 1., -2.]; y = Sigmoid.apply(x); y.backward(ones); (y, x.grad)",
    )
    yield Case(
        run=_sigmoid_run([[0.3, -1.2], [2.5, 0.0]]),
        description="x = [[0.3, -1.2], [2.5, 0.]] (float64); y.backward(ones); (y, x.grad)",
        nudge=chain,
    )
    yield Case(
        run=_saves_output,
        judge=_judge_saved,
        description="Sigmoid.apply(x).grad_fn.saved_tensors holds y, the output",
        nudge="A Function saves for backward what its derivative needs, and nothing more.",
    )
    yield Case(
        run=_sigmoid_run(
            [[0.5, -0.5, 3.0], [-3.0, 10.0, -10.0]], [[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]]
        ),
        hidden=True,
        description="a 2x3 x and a non-uniform upstream gradient",
        nudge=chain + " The upstream gradient is not all ones here.",
    )
    yield Case(
        run=_sigmoid_run([-4.0, -0.1, 0.7, 5.0]),
        hidden=True,
        description="x = [-4., -0.1, 0.7, 5.]; y.backward(ones); (y, x.grad)",
        nudge=chain,
    )


# --- reading a graph ---------------------------------------------------------------------------
def _graph_answers() -> dict:
    torch.manual_seed(0)
    inputs, W = torch.randn(4, 3), torch.randn(3, 2, requires_grad=True)
    b = torch.zeros(2, requires_grad=True)
    z = inputs @ W + b
    out = z.tanh()
    loss = out.sum()
    first = topological_order([loss])[0].name()
    (saved,) = out.grad_fn.saved_tensors
    saved = saved.array if isinstance(saved, torch.Tensor) else saved
    what = "output" if np.allclose(saved, out.detach().numpy()) else "input"
    return {"first_node": first, "tanh_saves": what}


@task(
    "ch04.read_graph",
    points=1,
    reference=_graph_answers,
    time_limit=LIMIT,
    hint="The engine starts at the node that made the loss. For tanh, look at the orange "
    "saved box: its shape and values match tanh's result, since d tanh(z)/dz = 1 - tanh(z)**2.",
)
def read_graph():
    yield Case(
        run=answer("first_node"),
        nudge="Backward starts at the node that made the loss and walks towards the leaves.",
        description=question(
            "first_node",
            "the backward node the engine runs first",
        ),
    )
    yield Case(
        run=answer("tanh_saves"),
        nudge=(
            "A backward node saves what its derivative formula needs: write tanh's "
            "derivative and see what it uses."
        ),
        description=question(
            "tanh_saves",
            "what TanhBackward0 saved for backward: 'input' or 'output'",
        ),
    )
    yield Case(run=answered_keys, hidden=True, description=ALL_ASKED)
