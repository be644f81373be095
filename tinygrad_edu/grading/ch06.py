"""Chapter 06, dynamic graphs (solutions/06_dynamic_graphs.ipynb): the graph is whatever ran.

Python's ``if``, ``for`` and ``while`` decide which operations run, and autograd records
exactly those. Every case builds its own tensors (float64, so values compare tightly) and
returns numbers and gradients, so the learner's answer and the reference are tried the
same way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import tinygrad_edu
from tinygrad_edu.autograd import grad, topological_order
from tinygrad_edu.grading.compare import mismatch64
from tinygrad_edu.grading.graph_reading import ALL_ASKED, answer, answered_keys, question
from tinygrad_edu.grading.tasks import Case, task
from tinygrad_edu.tensor import Tensor

LIMIT = 3.0  # seconds per check; every answer here takes milliseconds


def _leaf(values: Any) -> Tensor:
    """A float64 leaf tensor that requires grad."""
    return tinygrad_edu.tensor(values, dtype=tinygrad_edu.float64, requires_grad=True)


def _need_tensor(y: Any, name: str) -> Tensor:
    """``y`` if it is a Tensor in the graph, else an error that says what to fix."""
    if not isinstance(y, Tensor):
        raise TypeError(
            f"{name} must return a Tensor computed from its inputs, got {type(y).__name__}"
        )
    if not y.requires_grad:
        raise TypeError(
            f"{name} returned a tensor that is not in the graph (requires_grad=False): "
            "compute it with tensor operations, without .item() or .detach() in the math"
        )
    return y


def _grad_of(x: Tensor, name: str = "x") -> Tensor:
    """``x.grad``, or an error explaining why it is missing."""
    if x.grad is None:
        raise ValueError(
            f"{name}.grad is None after backward(): the result does not depend on {name} "
            "through the graph (was a value taken out with .item() and put back as a number?)"
        )
    return x.grad


# ----------------------------------------------------------------------------- ch06.huber
def _huber(x: Tensor, delta: float = 1.0) -> Tensor:
    if abs(x.item()) <= delta:
        return 0.5 * x * x
    return delta * (x.abs() - 0.5 * delta)


def _huber_case(v: float, hidden: bool = False, note: str = "", **kwargs: Any) -> Case:
    def run(fn: Callable) -> tuple[float, float]:
        x = _leaf(v)
        y = _need_tensor(fn(x, **kwargs), "huber")
        y.backward()
        return y.item(), _grad_of(x).item()

    extra = "".join(f", {k}={val}" for k, val in kwargs.items())
    described = f"huber(tensor({v}){extra}) -> (value, x.grad){note}"
    nudge = ("Python's if runs before the graph exists: only the branch taken is recorded, and "
             "backward differentiates that branch.")
    if abs(v) == kwargs.get("delta", 1.0):
        nudge += " On the border |x| == delta the quadratic branch is the one taken."
    return Case(run=run, hidden=hidden, description=described, nudge=nudge)


@task(
    "ch06.huber",
    compare=mismatch64,
    points=2,
    reference=_huber,
    time_limit=LIMIT,
    hint="`if abs(x.item()) <= delta:` picks the branch; each branch returns tensor math on "
    "x, so backward follows whichever branch ran.",
)
def huber():
    yield _huber_case(0.5)
    yield _huber_case(-0.3)
    yield _huber_case(2.0)
    yield _huber_case(-3.0)
    yield _huber_case(1.5, delta=2.0)
    yield _huber_case(1.0, hidden=True, note=" on the border")
    yield _huber_case(-4.0, hidden=True, delta=0.5)
    yield _huber_case(0.0, hidden=True)


# ------------------------------------------------------------------------- ch06.op_counts
def _op_counts(y: Tensor) -> dict[str, int]:
    return dict(Counter(node.name() for node in topological_order([y])))


def _power_loop(n: int) -> Tensor:
    x = _leaf(1.5)
    y = x
    for _ in range(n):
        y = y * x
    return y


def _rnn_loop(n: int) -> Tensor:
    w, b = _leaf(0.8), _leaf(0.1)
    h = tinygrad_edu.tensor([0.5, -1.0], dtype=tinygrad_edu.float64)  # data: no grad
    for _ in range(n):
        h = (w * h + b).tanh()
    return h.sum()


def _doubling_loop(start: float) -> Tensor:
    x = _leaf(start)
    y = x
    while y.item() < 100:  # how many steps: decided by the data
        y = y * 2
    return y


def _shared_leaf() -> Tensor:
    a, b = _leaf([1.0, 2.0]), _leaf([3.0, 4.0])
    return (a * b + a * a).sum()


def _counts_case(build: Callable[[], Tensor], description: str, hidden: bool = False) -> Case:
    nudge = ("Each operation run records one node, loops included; a node reached by two "
             "paths is still one node.")
    return Case(run=lambda fn: fn(build()), description=description, hidden=hidden,
                nudge=nudge)


@task(
    "ch06.op_counts",
    points=2,
    reference=_op_counts,
    time_limit=LIMIT,
    hint="`topological_order([y])` lists every node once (shared ones too, and the leaves' "
    "AccumulateGrad); `node.name()` is its name; `collections.Counter` does the counting.",
)
def op_counts():
    yield _counts_case(lambda: _power_loop(3), "y = x; 3 times: y = y * x; op_counts(y)")
    yield _counts_case(
        lambda: _rnn_loop(4),
        "h = data; 4 times: h = (w * h + b).tanh(); op_counts(h.sum())  (leaves w and b)",
    )
    yield _counts_case(
        lambda: _doubling_loop(3.0), "y = x = 3.0; while y.item() < 100: y = y * 2; op_counts(y)"
    )
    yield _counts_case(_shared_leaf, "op_counts((a * b + a * a).sum()): a is used three times")
    yield _counts_case(lambda: _power_loop(1), "y = x * x; op_counts(y)", hidden=True)
    yield _counts_case(lambda: _rnn_loop(25), "the 4-step loop, 25 steps", hidden=True)
    yield _counts_case(lambda: _doubling_loop(0.01), "the doubling loop from x = 0.01", hidden=True)


# ---------------------------------------------------------------------------- ch06.horner
def _horner(coeffs: Tensor, x: Tensor) -> Tensor:
    result = coeffs[-1]
    for i in range(len(coeffs) - 2, -1, -1):
        result = result * x + coeffs[i]
    return result


def _horner_case(c: list[float], xs: Any, hidden: bool = False) -> Case:
    def run(fn: Callable) -> tuple[Tensor, Tensor, Tensor]:
        coeffs, x = _leaf(c), _leaf(xs)
        p = _need_tensor(fn(coeffs, x), "horner")
        p.sum().backward()
        return p.detach(), _grad_of(x, "x"), _grad_of(coeffs, "coeffs")

    description = f"horner(tensor({c}), tensor({xs})) -> (value, x.grad, coeffs.grad)"
    nudge = ("x is used once per loop pass: its gradient accumulates from every use; each "
             "coefficient's gradient is the power of x it multiplies.")
    return Case(run=run, hidden=hidden, description=description, nudge=nudge)


def _horner_graph(fn: Callable) -> dict[str, int]:
    p = _need_tensor(fn(_leaf([1.0, -2.0, 0.5, 3.0]), _leaf([0.5, 2.0])), "horner")
    counts = _op_counts(p)
    return {name: counts.get(name, 0) for name in ("MulBackward0", "PowBackward0")}


@task(
    "ch06.horner",
    points=2,
    reference=_horner,
    time_limit=LIMIT,
    hint="Start from the last coefficient, then loop down: `result = result * x + coeffs[i]` "
    "for i = n-2, ..., 0. No `**` needed.",
)
def horner():
    yield _horner_case([1.0, 2.0, 3.0], [0.5, -1.0, 2.0])
    yield _horner_case([0.0, 1.0], [3.0])
    yield Case(
        run=_horner_graph,
        description="the graph of horner with 4 coefficients: how many MulBackward0 and "
        "PowBackward0 nodes",
        nudge="Horner's rule uses one multiplication per coefficient after the first, and "
        "no powers: count the operations your loop runs.",
    )
    yield _horner_case([1.0, -2.0, 0.5, 3.0, -0.25], [[0.1, -0.7], [1.3, 2.0]], hidden=True)
    yield _horner_case([2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0], [1.1, -0.9], hidden=True)


# ----------------------------------------------------------------------- ch06.newton_sqrt
def _newton_sqrt(a: Tensor) -> Tensor:
    y = a
    while abs((y * y - a).item()) > 1e-10 * a.item():
        y = 0.5 * (y + a / y)
    return y


def _sqrt_case(v: float, hidden: bool = False) -> Case:
    def run(fn: Callable) -> tuple[float, float]:
        a = _leaf(v)
        y = _need_tensor(fn(a), "newton_sqrt")
        y.backward()
        return y.item(), _grad_of(a, "a").item()

    nudge = ("The loop's iterations are recorded like any other operations: backward runs "
             "through all of them, and the gradient is that of sqrt(a).")
    return Case(run=run, hidden=hidden, nudge=nudge,
                description=f"newton_sqrt(tensor({v})) -> (value, a.grad)")


@task(
    "ch06.newton_sqrt",
    points=2,
    reference=_newton_sqrt,
    time_limit=LIMIT,
    hint="`y = a`, then `while abs((y * y - a).item()) > 1e-10 * a.item(): "
    "y = 0.5 * (y + a / y)`. The test uses .item() (a number), the update uses tensors.",
)
def newton_sqrt():
    yield _sqrt_case(9.0)
    yield _sqrt_case(2.0)
    yield _sqrt_case(0.25)
    yield _sqrt_case(1.0)
    yield _sqrt_case(10_000.0, hidden=True)
    yield _sqrt_case(0.01, hidden=True)
    yield _sqrt_case(123.456, hidden=True)


# ------------------------------------------------------------------------ ch06.two_grads
def _two_grads(h: Tensor, w: Tensor) -> tuple[Tensor, Tensor]:
    (grad_a,) = grad(h.sum(), w, retain_graph=True)
    (grad_b,) = grad((h**2).mean(), w)
    return grad_a, grad_b


def _two_grads_case(
    w_values: Any,
    x_values: Any,
    make_h: Callable,
    description: str,
    hidden: bool = False,
    old_grad: bool = False,
) -> Case:
    def run(fn: Callable) -> tuple[Tensor, Tensor]:
        w = _leaf(w_values)
        if old_grad:
            w.grad = tinygrad_edu.ones_like(w)  # left over from an earlier step
        x = tinygrad_edu.tensor(x_values, dtype=tinygrad_edu.float64)
        answer = fn(make_h(x, w), w)
        if not (isinstance(answer, (tuple, list)) and len(answer) == 2):
            raise TypeError(f"two_grads must return a pair (grad_a, grad_b), got {answer!r:.80}")
        for g in answer:
            if not isinstance(g, Tensor):
                raise TypeError(f"each gradient must be a Tensor, got {type(g).__name__}")
        return answer[0].detach(), answer[1].detach()

    nudge = ("Each gradient belongs to its own loss alone: .grad accumulates across backward "
             "calls, and the first backward frees the graph the second needs.")
    if old_grad:
        nudge += " Here w.grad already holds an old gradient."
    return Case(run=run, hidden=hidden, description=description, nudge=nudge)


X43 = [[0.1, -0.2, 0.3], [0.5, 0.4, -0.6], [-1.0, 0.2, 0.1], [0.3, 0.3, 0.3]]


@task(
    "ch06.two_grads",
    points=3,
    reference=_two_grads,
    time_limit=LIMIT,
    hint="The first backward must keep the graph: `loss_a.backward(retain_graph=True)`. "
    "`.grad` adds up, so save a `.clone()` of the first gradient and reset `w.grad = None` "
    "(also before the first backward). Or use `tinygrad_edu.autograd.grad`.",
)
def two_grads():
    yield _two_grads_case(
        [0.5, -1.0, 2.0],
        X43,
        lambda x, w: (x @ w).tanh(),
        "h = (x @ w).tanh() with w of shape (3,); two_grads(h, w)",
    )
    yield _two_grads_case(
        [0.5, -1.0, 2.0],
        X43,
        lambda x, w: (x @ w).tanh(),
        "the same, but w.grad already holds ones from an earlier step",
        old_grad=True,
    )
    yield _two_grads_case(
        [[0.2, -0.3], [0.1, 0.4], [-0.5, 0.6]],
        X43,
        lambda x, w: (x @ w).sigmoid() * w.sum(),
        "h = (x @ w).sigmoid() * w.sum() with w of shape (3, 2)",
        hidden=True,
    )
    yield _two_grads_case(
        [1.5, -0.5, 0.25],
        X43,
        lambda x, w: (x * w).exp().sum(1),
        "h = (x * w).exp().sum(1), w already has a grad",
        hidden=True,
        old_grad=True,
    )


# --- reading a graph ---------------------------------------------------------------------------
def _branch(x: tinygrad_edu.Tensor) -> tinygrad_edu.Tensor:
    return x * 2 if x.sum() > 0 else x / 2


def _graph_answers() -> dict:
    negative = _branch(tinygrad_edu.tensor([-1.0, -2.0, 3.0], requires_grad=True))
    h = w = tinygrad_edu.tensor(1.5, requires_grad=True)
    for _ in range(4):
        h = h * w
    muls = sum(n.name() == "MulBackward0" for n in topological_order([h]))
    return {"else_node": negative.grad_fn.name(), "loop_muls": muls}


@task(
    "ch06.read_graph",
    points=1,
    reference=_graph_answers,
    time_limit=LIMIT,
    hint="The sum of [-1, -2, 3] is 0, and 0 > 0 is False. A loop records one node per pass.",
)
def read_graph():
    yield Case(
        run=answer("else_node"),
        nudge=(
            "Control flow runs in Python: only the branch taken is recorded. Work out "
            "which one this x takes."
        ),
        description=question(
            "else_node",
            "the operation recorded for x = [-1., -2., 3.]",
        ),
    )
    yield Case(
        run=answer("loop_muls"),
        nudge="A Python loop records a new node for each operation on each pass.",
        description=question(
            "loop_muls",
            "how many MulBackward0 nodes the loop of 4 passes recorded",
        ),
    )
    yield Case(run=answered_keys, hidden=True, description=ALL_ASKED)
