"""Chapter 09, debugging gradients (solutions/09_debugging_gradients.ipynb): find and fix them.

Numerical gradients to check a backward, a backward with a real bug to repair, a hook that
changes a gradient on its way, a training step with two classic bugs, and a search for the
node where a NaN is born. Every case builds its tensors afresh, in float64 where gradients
are compared.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import tinygrad_edu
from tinygrad_edu.autograd import Function
from tinygrad_edu.autograd.grad_mode import no_grad
from tinygrad_edu.grading.graph_reading import ALL_ASKED, answer, answered_keys, question
from tinygrad_edu.grading.tasks import Case, task
from tinygrad_edu.tensor import Tensor

LIMIT = 3.0  # seconds per check


def _leaf(values: Any, dtype: Any = None) -> Tensor:
    dtype = dtype or tinygrad_edu.float64
    return tinygrad_edu.tensor(values, dtype=dtype, requires_grad=True)


def _f64(values: Any) -> Tensor:
    return tinygrad_edu.tensor(values, dtype=tinygrad_edu.float64)


# ----------------------------------------------------------------------- ch09.numerical_grad
def _numerical_grad(f: Callable, x: Tensor, eps: float = 1e-6) -> np.ndarray:
    flat = x.array.reshape(-1)  # a view: changing it changes x
    grad = np.zeros(flat.size)
    for i in range(flat.size):
        old = float(flat[i])
        flat[i] = old + eps
        plus = f(x).item()
        flat[i] = old - eps
        minus = f(x).item()
        flat[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad.reshape(x.array.shape)


FUNCTIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "(x ** 2).sum()": lambda x: (x**2).sum(),
    "x.tanh().sum()": lambda x: x.tanh().sum(),
    "(x * x.exp()).mean()": lambda x: (x * x.exp()).mean(),
    "(x ** 3).sum()": lambda x: (x**3).sum(),
    "x[0] * x[1] + x[1].sigmoid()": lambda x: x[0] * x[1] + x[1].sigmoid(),
}


X_BEFORE = [0.5, -1.5, 2.0]


def _x_is_unchanged(fn: Callable) -> np.ndarray:
    x = _f64(X_BEFORE)
    fn(FUNCTIONS["x.tanh().sum()"], x)
    return x.numpy_host()


# --------------------------------------------------------------------------------- ch09.SiLU
class _SiLU(Function):
    """x * sigmoid(x), with the product rule done right."""

    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        s = x.sigmoid()
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> Tensor:
        x, s = ctx.saved_tensors
        return grad_output * (s + x * s * (1 - s))


X5 = [-2.0, -0.5, 0.0, 1.0, 3.0]


def _silu_grad(values: Any, upstream: Any = None, dtype: Any = None) -> Callable:
    def run(cls: Any) -> tuple[Tensor, Tensor]:
        x = _leaf(values, dtype)
        y = cls.apply(x)
        if upstream is None:
            y.sum().backward()
        else:
            y.backward(tinygrad_edu.tensor(upstream, dtype=x.dtype))
        return y.detach(), x.grad

    return run


SILU = ("x appears in both factors of x * sigmoid(x), and backward scales by grad_output: "
        "compare your gradient with the expected one element by element.")


@task(
    "ch09.SiLU",
    points=2,
    reference=_SiLU,
    time_limit=LIMIT,
    find_the_bug=True,
    hint="y = x * s with s = sigmoid(x) is a product: dy/dx = s + x * s * (1 - s). "
    "Multiply by grad_output.",
)
def SiLU():  # noqa: N802  (the task is named after the class the learner writes)
    yield Case(
        nudge=SILU,
        run=_silu_grad(X5), description=f"SiLU.apply(tensor({X5})).sum().backward() -> (y, x.grad)"
    )
    yield Case(
        run=_silu_grad(X5, [1.0, 2.0, -1.0, 0.5, 3.0]),
        description="y.backward(tensor([1., 2., -1., 0.5, 3.])) -> (y, x.grad)",
        nudge=SILU + " The upstream gradient is not all ones here.",
    )
    yield Case(
        run=_silu_grad([[0.3, -1.2, 2.5], [-0.1, 0.0, 4.0]]),
        description="SiLU.apply(x).sum().backward() with x of shape (2, 3) -> (y, x.grad)",
        nudge=SILU,
    )
    yield Case(
        run=_silu_grad([[-8.0, 8.0], [0.7, -0.3]], dtype=tinygrad_edu.float32),
        hidden=True,
        description="float32 x of shape (2, 2)",
        nudge=SILU + " float32 in, float32 gradient out.",
    )
    yield Case(run=_silu_grad([10.0], [0.5]), hidden=True, description="x = tensor([10.])",
               nudge=SILU)


# ----------------------------------------------------------------------- ch09.clip_grad_hook
def _clip_grad_hook(t: Tensor, max_norm: float) -> Any:
    def clip(grad: Tensor) -> Tensor:
        norm = float((grad * grad).sum().sqrt().item())
        return grad * (max_norm / norm) if norm > max_norm else grad

    return t.register_hook(clip)


def _clip_case(
    values: list,
    upstream: list,
    max_norm: float,
    description: str,
    on_leaf: bool = True,
    hidden: bool = False,
) -> Case:
    def run(fn: Callable) -> Tensor:
        t = _leaf(values)
        watched = t if on_leaf else t * 2
        fn(watched, max_norm)
        (watched * _f64(upstream)).sum().backward()
        return t.grad

    nudge = ("A hook sees the gradient arriving at t and may return a replacement: only a "
             "norm above max_norm is scaled, down to exactly max_norm.")
    if not on_leaf:
        nudge += " A hook on a non-leaf changes what flows on towards the leaves."
    return Case(run=run, hidden=hidden, description=f"{description} -> t.grad", nudge=nudge)


def _remove(fn: Callable) -> tuple[Tensor, Tensor]:
    t = _leaf([1.0, 1.0])
    handle = fn(t, 1.0)
    if not hasattr(handle, "remove"):
        raise TypeError(f"clip_grad_hook must return the handle register_hook gave, got {handle!r}")
    (t * _f64([3.0, 4.0])).sum().backward()
    clipped = t.grad
    t.grad = None
    handle.remove()
    (t * _f64([3.0, 4.0])).sum().backward()
    return clipped, t.grad


@task(
    "ch09.clip_grad_hook",
    points=2,
    reference=_clip_grad_hook,
    time_limit=LIMIT,
    hint="The hook gets the gradient and returns the one to use instead. Scale only when the "
    "norm is above max_norm (so a zero gradient never divides by zero), and return the handle "
    "that `t.register_hook` gives you.",
)
def clip_grad_hook():
    yield _clip_case([1.0, 1.0], [3.0, 4.0], 1.0, "grad [3, 4] (norm 5), max_norm=1")
    yield _clip_case([1.0, 1.0], [0.3, 0.4], 1.0, "grad [0.3, 0.4] (norm 0.5), max_norm=1")
    yield _clip_case(
        [1.0, 2.0],
        [3.0, 4.0],
        2.0,
        "hook on h = t * 2, grad of h [3, 4], max_norm=2",
        on_leaf=False,
    )
    yield Case(
        run=_remove,
        description="clipped grad, then handle.remove() and backward again "
        "-> (clipped grad, unclipped grad)",
        nudge="register_hook returns a handle; its remove() takes the hook off for good.",
    )
    yield _clip_case([1.0, 1.0, 1.0], [0.0, 0.0, 0.0], 1.0, "a zero gradient", hidden=True)
    yield _clip_case(
        [[1.0, 2.0], [3.0, 4.0]],
        [[6.0, 0.0], [0.0, 8.0]],
        5.0,
        "a (2, 2) gradient of norm 10, max_norm=5",
        hidden=True,
    )


# ---------------------------------------------------------------------------- ch09.train_step
def _train_step(model: Any, optimizer: Any, x: Tensor, y: Tensor) -> float:
    optimizer.zero_grad()
    loss = tinygrad_edu.nn.functional.mse_loss(model(x).squeeze(1), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def _regression(seed: int) -> tuple[Any, Tensor, Tensor]:
    """A Linear(3, 1) with fixed weights, and 8 points of a noisy linear target."""
    rng = np.random.default_rng(seed)
    model = tinygrad_edu.nn.Linear(3, 1)
    with no_grad():
        model.weight.copy_(tinygrad_edu.from_numpy(rng.normal(0, 0.5, (1, 3)).astype(np.float32)))
        model.bias.copy_(tinygrad_edu.zeros(1))
    x = rng.normal(0, 1, (8, 3)).astype(np.float32)
    y = x @ np.array([1.0, -2.0, 0.5], dtype=np.float32) + 0.3
    return model, tinygrad_edu.from_numpy(x), tinygrad_edu.from_numpy(y.astype(np.float32))


def _steps_case(
    steps: int,
    seed: int,
    momentum: float,
    description: str,
    hidden: bool = False,
) -> Case:
    """Several calls of the learner's step. Zeroing the gradients first or right after
    ``step()`` (PyTorch's own tutorial does the latter) are both right, so no case starts
    with stale gradients: a missing zero_grad shows from the second step on."""

    def run(fn: Callable) -> tuple[list, np.ndarray]:
        model, x, y = _regression(seed)
        optimizer = tinygrad_edu.optim.SGD(model.parameters(), lr=0.05, momentum=momentum)
        losses = [fn(model, optimizer, x, y) for _ in range(steps)]
        return losses, model.weight.numpy_host().copy()

    return Case(
        run=run,
        hidden=hidden,
        description=f"{description} -> (losses, weight after)",
        nudge="Compare your losses with the expected ones step by step: if the first "
        "matches and later ones drift, look at what each step leaves behind for the next; "
        "if even the first differs, look at the shapes that go into the loss.",
    )


@task(
    "ch09.train_step",
    points=3,
    reference=_train_step,
    time_limit=LIMIT,
    find_the_bug=True,
    hint="Two bugs. `optimizer.zero_grad()` must come first, or each step adds its gradient to "
    "the old ones. And model(x) has shape (8, 1) while y has shape (8,): their difference "
    "broadcasts to (8, 8). Read the warning, then `.squeeze(1)` the output.",
)
def train_step():
    yield _steps_case(1, 0, 0.0, "1 step of SGD(lr=0.05)")
    yield _steps_case(5, 0, 0.0, "5 steps of SGD(lr=0.05)")
    yield _steps_case(2, 1, 0.0, "2 steps of SGD(lr=0.05), another model")
    yield _steps_case(10, 2, 0.9, "10 steps of SGD(lr=0.05, momentum=0.9)", hidden=True)
    yield _steps_case(3, 3, 0.0, "3 steps of SGD(lr=0.05)", hidden=True)


# ------------------------------------------------------------------------ ch09.first_nonfinite
def _first_nonfinite(loss: Tensor) -> str | None:
    found: list[str] = []

    def watch(node: Any, grad_output: Any, grad_inputs: tuple) -> None:
        if not found and any(g is not None and not np.isfinite(g).all() for g in grad_inputs):
            found.append(node.name())

    tinygrad_edu.autograd.backward(loss, on_step=watch)
    return found[0] if found else None


LOSSES: dict[str, Callable[[Tensor], Tensor]] = {
    "(x.sqrt() * 3).sum()": lambda x: (x.sqrt() * 3).sum(),
    "(x * x).sum()": lambda x: (x * x).sum(),
    "x.log().exp().sum()": lambda x: x.log().exp().sum(),
    "(x - x.detach()).sqrt().sum()": lambda x: (x - x.detach()).sqrt().sum(),
    "(x / x.sum()).max()": lambda x: (x / x.sum()).max(),
    "(x.relu() * 2).pow(0.5).mean()": lambda x: (x.relu() * 2).pow(0.5).mean(),
}


def _nonfinite_case(loss: str, values: list, hidden: bool = False) -> Case:
    def run(fn: Callable) -> Any:
        with np.errstate(all="ignore"):  # the point is to find inf and nan, not to warn
            return fn(LOSSES[loss](_leaf(values)))

    nudge = ("Backward visits the nodes from the loss towards the leaves: the answer is the "
             "first node, in that order, whose own computed gradients hold an inf or a nan.")
    return Case(run=run, hidden=hidden, nudge=nudge,
                description=f"first_nonfinite({loss}) with x = {values}")


@task(
    "ch09.first_nonfinite",
    points=3,
    reference=_first_nonfinite,
    time_limit=LIMIT,
    hint="Look at what each node *computed*, its `grad_inputs` (arrays, or None), not at what "
    "it received: `np.isfinite(g).all()` is False for an inf or nan. Remember only the first.",
)
def first_nonfinite():
    yield _nonfinite_case("(x.sqrt() * 3).sum()", [0.0, 1.0, 4.0])
    yield _nonfinite_case("(x * x).sum()", [1.0, 2.0])
    yield _nonfinite_case("x.log().exp().sum()", [0.0, 2.0])
    yield _nonfinite_case("(x - x.detach()).sqrt().sum()", [1.0, 2.0], hidden=True)
    yield _nonfinite_case("(x / x.sum()).max()", [1.0, -1.0], hidden=True)
    yield _nonfinite_case("(x.relu() * 2).pow(0.5).mean()", [-1.0, 3.0], hidden=True)
    yield _nonfinite_case("(x.sqrt() * 3).sum()", [1.0, 4.0], hidden=True)


# --- reading a graph ---------------------------------------------------------------------------
def _graph_answers() -> dict:
    x = tinygrad_edu.tensor([1.0, 0.0, 2.0], requires_grad=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        loss = tinygrad_edu.where(x > 0, x.log(), 0.0).sum()
        born = []

        def watch(node, grad_output, grad_inputs):
            for g in grad_inputs:
                if not born and g is not None and not np.isfinite(g).all():
                    born.append(node.name())

        tinygrad_edu.autograd.backward(loss, on_step=watch)
    return {"nan_born_in": born[0], "loss_is_finite": bool(np.isfinite(loss.item()))}


@task(
    "ch09.read_graph",
    points=1,
    reference=_graph_answers,
    time_limit=LIMIT,
    hint="Walk the picture from the loss towards x: where() sends a 0 to the log branch at "
    "x = 0, and 0 times an infinite derivative is NaN.",
)
def read_graph():
    yield Case(
        run=answer("nan_born_in"),
        nudge=(
            "Follow the backward pass from the loss towards x: 0 times an infinite local "
            "derivative is NaN."
        ),
        description=question(
            "nan_born_in",
            "the backward node whose output first holds a NaN",
        ),
    )
    yield Case(
        run=answer("loss_is_finite"),
        nudge=(
            "The loss's own value and its gradients are different things: read the forward "
            "value."
        ),
        description=question(
            "loss_is_finite",
            "is the loss itself finite? (True or False)",
        ),
    )
    yield Case(run=answered_keys, hidden=True, description=ALL_ASKED)
