"""Chapter 05, autograd in practice (solutions/05_autograd_in_practice.ipynb).

The lesson is notebooks/05_autograd_in_practice.ipynb. The learner computes a
vector-Jacobian product with ``backward(v)`` and writes a gradient-descent loop that resets
its accumulated gradients. The references use the package's own engine.
"""

from __future__ import annotations

from collections.abc import Callable

import tinygrad_edu as torch
from tinygrad_edu.grading.graph_reading import ALL_ASKED, answer, answered_keys, question
from tinygrad_edu.grading.tasks import Case, task

LIMIT = 3.0  # seconds per check


# --- vector-Jacobian product ---------------------------------------------------------------
def _vjp(f: Callable, x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    x = x.detach().requires_grad_(True)
    f(x).backward(v)
    return x.grad


_W = torch.tensor([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]])


@task(
    "ch05.vjp",
    points=2,
    reference=_vjp,
    time_limit=LIMIT,
    hint="x does not require grad: make a leaf that does (`x.detach().requires_grad_()`), "
    "compute y = f(leaf), call `y.backward(v)` (v weights each output element), and return "
    "the leaf's .grad.",
)
def vjp():
    weights = ("A vector-Jacobian product: v weights each output element's gradient, and the "
               "result has x's shape.")
    yield Case(
        nudge=weights,
        args=(lambda t: t * t, torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 1.0, 1.0])),
        description="vjp(lambda t: t * t, tensor([1., 2., 3.]), tensor([1., 1., 1.]))",
    )
    yield Case(
        args=(lambda t: _W @ t, torch.tensor([1.0, -1.0, 2.0]), torch.tensor([1.0, 0.0])),
        description="vjp(lambda t: W @ t, tensor([1., -1., 2.]), tensor([1., 0.])) with "
        "W = [[1., 2., 0.], [0., -1., 3.]]",
        nudge=weights + " v = [1, 0] picks the first output alone.",
    )
    yield Case(
        args=(lambda t: (t**3).sum(), torch.tensor([[1.0, 2.0], [-1.0, 0.5]]), torch.tensor(2.0)),
        description="vjp(lambda t: (t ** 3).sum(), 2x2 x, tensor(2.))",
        nudge=weights + " A 0-d output takes a 0-d v.",
    )
    yield Case(
        args=(
            lambda t: t.softmax(dim=0),
            torch.tensor([0.5, 1.0, -1.0]),
            torch.tensor([1.0, 0.0, 0.0]),
        ),
        hidden=True,
        description="vjp(lambda t: t.softmax(dim=0), ...)",
        nudge=weights + " Every softmax output depends on every input.",
    )
    yield Case(
        args=(
            lambda t: t.unsqueeze(1) * t,
            torch.tensor([1.0, 2.0], dtype=torch.float64),
            torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64),
        ),
        hidden=True,
        description="vjp(lambda t: t.unsqueeze(1) * t, float64 x of shape (2,), v of shape (2, 2))",
        nudge=weights + " Here x is used twice: the gradient of a leaf used twice accumulates.",
    )


# --- gradient descent, with zeroed gradients ---------------------------------------------------
def _descend(loss_fn: Callable, w: torch.Tensor, lr: float, steps: int) -> torch.Tensor:
    for _ in range(steps):
        loss_fn(w).backward()
        with torch.no_grad():
            w -= lr * w.grad
        w.grad = None
    return w


_TARGET = torch.tensor([3.0, -1.0])
_A = torch.tensor([[2.0, 1.0], [1.0, 3.0], [0.0, 1.0]])
_B = torch.tensor([1.0, 2.0, 3.0])


def _descend_run(loss: Callable, start: list, lr: float, steps: int) -> Callable:
    def run(descend: Callable) -> dict:
        w = torch.tensor(start, requires_grad=True)
        result = descend(loss, w, lr, steps)
        return {  # w must be updated in place, stay a leaf, and come back itself
            "w after": w.detach(),
            "returned w itself": result is w,
            "w still a leaf": w.is_leaf and w.requires_grad,
        }

    return run


IN_PLACE = (
    "The caller's w is the parameter: descend updates that very tensor in place (it stays "
    "a leaf that requires grad) and returns it."
)
ACCUMULATES = (
    "backward() adds into .grad: each step must use the gradient at the current w only."
)


@task(
    "ch05.descend",
    points=2,
    reference=_descend,
    time_limit=LIMIT,
    hint="backward() *adds* into w.grad: after each update set `w.grad = None` (or "
    "`w.grad.zero_()`), or the next step uses the sum of all gradients so far. Update w "
    "inside `with torch.no_grad():` with an in-place `w -= lr * w.grad`.",
)
def descend():
    def square(w: torch.Tensor) -> torch.Tensor:
        return ((w - _TARGET) ** 2).sum()

    def least_squares(w: torch.Tensor) -> torch.Tensor:
        return ((_A @ w - _B) ** 2).mean()

    yield Case(
        run=_descend_run(square, [0.0, 0.0], 0.1, 1),
        nudge=IN_PLACE,
        description="one step on ((w - [3., -1.]) ** 2).sum() from w = [0., 0.], lr = 0.1",
    )
    yield Case(
        run=_descend_run(square, [0.0, 0.0], 0.1, 20),
        nudge=ACCUMULATES + " " + IN_PLACE,
        description="20 steps on ((w - [3., -1.]) ** 2).sum() from w = [0., 0.], lr = 0.1",
    )
    yield Case(
        run=_descend_run(least_squares, [0.0, 0.0], 0.05, 50),
        nudge=ACCUMULATES + " " + IN_PLACE,
        hidden=True,
        description="50 steps of least squares ((A @ w - b) ** 2).mean(), lr = 0.05",
    )
    yield Case(
        run=_descend_run(lambda w: (w.exp() - 2 * w).sum(), [1.0, -0.5, 2.0], 0.2, 30),
        nudge=ACCUMULATES + " " + IN_PLACE,
        hidden=True,
        description="30 steps on (exp(w) - 2 w).sum(), lr = 0.2",
    )


# --- reading a graph ---------------------------------------------------------------------------
def _graph_answers() -> dict:
    x = torch.tensor([3.0], requires_grad=True)
    frozen = x.detach()
    (x * frozen).sum().backward()
    leaves = {"x": x, "frozen": frozen}
    filled = [name for name, t in leaves.items() if t.grad is not None]
    return {"grad_receivers": filled, "x_grad": x.grad.item()}


@task(
    "ch05.read_graph",
    points=1,
    reference=_graph_answers,
    time_limit=LIMIT,
    hint="Only leaves that require grad (blue boxes) get a .grad; the detached copy is a "
    "constant. d(x * c)/dx = c.",
)
def read_graph():
    yield Case(
        run=answer("grad_receivers"),
        nudge="Only leaves with requires_grad=True get a .grad; a detached copy is a constant.",
        description=question(
            "grad_receivers",
            "the leaves whose .grad backward fills (a list of names)",
        ),
    )
    yield Case(
        run=answer("x_grad"),
        nudge="The derivative of x * c with respect to x, where c is a constant.",
        description=question(
            "x_grad",
            "the number in x.grad after backward",
        ),
    )
    yield Case(run=answered_keys, hidden=True, description=ALL_ASKED)
