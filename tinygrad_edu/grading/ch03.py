"""Chapter 03, scalar autograd (solutions/03_scalar_autograd.ipynb): a micrograd-style engine.

The lesson is notebooks/03_scalar_autograd.ipynb. The notebook gives a small ``Value``
class whose operations follow the package's convention (`tinygrad_edu.scalar`): an op's
``_backward(g)`` receives ``g = dL/d(out)`` and *returns* one gradient per input. The
learner writes two local derivatives in it, then the engine: the topological sort and
``backward``. Those two are tried on graphs of the package's own ``scalar.Value`` (same
``_prev`` / ``_backward`` / ``grad`` protocol), so each task is graded on its own, and
the gradients are compared with what ``scalar.Value.backward`` computes.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable

from tinygrad_edu import scalar
from tinygrad_edu.grading.compare import mismatch64
from tinygrad_edu.grading.graph_reading import ALL_ASKED, answer, answered_keys, question
from tinygrad_edu.grading.tasks import Case, task

LIMIT = 3.0  # seconds per check; a sort of the 5,000-node chain takes a few milliseconds
V = scalar.Value


def _slope_close(expected: object, got: object) -> str | None:
    """To 1e-7: a central difference with h = 1e-6 is within 1e-9, a one-sided one is not."""
    if not isinstance(got, numbers.Real) or isinstance(got, bool):
        return f"a {type(got).__name__}, expected a number"
    ok = abs(got - expected) <= 1e-7 * (1 + abs(expected))  # type: ignore[operator]
    return None if ok else "the value differs"


@task(
    "ch03.numerical_derivative",
    points=1,
    time_limit=LIMIT,
    compare=_slope_close,
    hint="Central difference: (f(x + h) - f(x - h)) / (2 * h).",
)
def numerical_derivative():
    slope = ("The derivative is a slope: f's change over a small step, measured on both sides "
             "of x, is accurate to about h squared.")
    yield Case(
        nudge=slope,
        args=(lambda x: x**2, 3.0),
        expected=6.0,
        description="numerical_derivative(lambda x: x**2, 3.0)",
    )
    yield Case(
        args=(math.sin, 0.0), expected=1.0, description="numerical_derivative(math.sin, 0.0)",
        nudge=slope,
    )
    yield Case(
        args=(lambda x: 1 / x, 2.0),
        expected=-0.25,
        description="numerical_derivative(lambda x: 1 / x, 2.0)",
        nudge=slope,
    )
    yield Case(
        args=(math.exp, 1.0),
        expected=math.e,
        hidden=True,
        description="numerical_derivative(math.exp, 1.0)",
        nudge=slope,
    )
    yield Case(
        args=(math.tanh, 0.5),
        expected=1 - math.tanh(0.5) ** 2,
        hidden=True,
        description="numerical_derivative(math.tanh, 0.5)",
        nudge=slope,
    )
    yield Case(
        args=(lambda x: 7.0, -1.0),
        expected=0.0,
        hidden=True,
        description="numerical_derivative(lambda x: 7.0, -1.0)",
        nudge="A constant function has slope 0.",
    )


# --- the two local derivatives, in the learner's Value class ---------------------------------
def _mul_grads(a: float, b: float, g: float) -> Callable[[type], tuple]:
    def run(Value: type) -> tuple:
        out = Value(a) * Value(b)
        return tuple(out._backward(g))

    return run


def _mul_by_number(Value: type) -> tuple:
    out = Value(4.0) * 2.5  # the 2.5 becomes a Value inside __mul__
    return tuple(out._backward(2.0))


def _square_grads(Value: type) -> tuple:
    x = Value(3.0)
    out = x * x
    return tuple(out._backward(1.0))


@task(
    "ch03.mul_backward",
    compare=mismatch64,
    points=1,
    object_name="Value",
    reference=V,
    time_limit=LIMIT,
    hint="d(a*b)/da = b and d(a*b)/db = a: each input gets g times the *other* input's data.",
)
def mul_backward():
    product = ("The product rule: each input's gradient is g times the other input's data; "
               "_backward returns one gradient per input, in order.")
    yield Case(
        nudge=product,
        run=_mul_grads(2.0, -3.0, 1.0),
        description="out = Value(2.0) * Value(-3.0); out._backward(1.0)",
    )
    yield Case(
        run=_mul_grads(2.0, -3.0, 1.5),
        description="out = Value(2.0) * Value(-3.0); out._backward(1.5)",
        nudge=product + " The upstream g is not 1 here.",
    )
    yield Case(run=_square_grads, description="x = Value(3.0); out = x * x; out._backward(1.0)",
               nudge=product + " Here both inputs are the same Value x.")
    yield Case(
        run=_mul_by_number, hidden=True, description="out = Value(4.0) * 2.5; out._backward(2.0)",
        nudge=product + " A plain number is wrapped in a Value first.",
    )
    yield Case(
        run=_mul_grads(0.0, 5.0, -2.0),
        hidden=True,
        description="out = Value(0.0) * Value(5.0); out._backward(-2.0)",
        nudge=product,
    )


def _tanh_grads(x: float, g: float) -> Callable[[type], tuple]:
    def run(Value: type) -> tuple:
        return tuple(Value(x).tanh()._backward(g))

    return run


@task(
    "ch03.tanh_backward",
    compare=mismatch64,
    points=1,
    object_name="Value",
    reference=V,
    time_limit=LIMIT,
    hint="d tanh(x)/dx = 1 - tanh(x)**2, and tanh(x) is already computed: it is `t`. "
    "Return a tuple with one entry, `(something,)`.",
)
def tanh_backward():
    chain = ("The chain rule: g times tanh's derivative at x, which can be written with tanh's "
             "own result; _backward returns a tuple, one gradient per input.")
    yield Case(run=_tanh_grads(0.5, 1.0), description="Value(0.5).tanh()._backward(1.0)",
               nudge=chain)
    yield Case(run=_tanh_grads(-1.2, 2.0), description="Value(-1.2).tanh()._backward(2.0)",
               nudge=chain + " The upstream g is not 1 here.")
    yield Case(
        run=_tanh_grads(0.0, 3.0), hidden=True, description="Value(0.0).tanh()._backward(3.0)",
        nudge=chain,
    )
    yield Case(
        run=_tanh_grads(4.0, -1.0), hidden=True, description="Value(4.0).tanh()._backward(-1.0)",
        nudge=chain,
    )


# --- graphs to sort and differentiate (package Values) ----------------------------------------
def _lesson_graph() -> tuple[V, dict[str, V]]:
    """L = (a*b + c) * f, the lesson's example."""
    a, b, c, f = V(2.0, label="a"), V(-3.0, label="b"), V(10.0, label="c"), V(-2.0, label="f")
    e = a * b
    d = e + c
    L = d * f
    return L, {"a": a, "b": b, "c": c, "f": f, "e": e, "d": d}


def _diamond() -> tuple[V, dict[str, V]]:
    """x feeds two branches that meet again: x -> (y, z) -> w."""
    x = V(1.5, label="x")
    y = x * 2.0
    z = x.tanh()
    w = y * z + x
    return w, {"x": x, "y": y, "z": z}


def _reuse() -> tuple[V, dict[str, V]]:
    """x used three times: x*x + x."""
    x = V(3.0, label="x")
    return x * x + x, {"x": x}


def _neuron() -> tuple[V, dict[str, V]]:
    """tanh(w1*x1 + w2*x2 + b): one neuron."""
    x1, x2 = V(2.0, label="x1"), V(0.0, label="x2")
    w1, w2, b = V(-3.0, label="w1"), V(1.0, label="w2"), V(6.8813735870195432, label="b")
    out = (x1 * w1 + x2 * w2 + b).tanh()
    return out, {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b}


def _chain(n: int = 5_000) -> tuple[V, dict[str, V]]:
    """x + x + ... + x, one addition at a time: a chain n nodes deep."""
    x = V(1.0, label="x")
    out = x
    for _ in range(n):
        out = out + x
    return out, {"x": x}


def _ladder(layers: int = 30) -> tuple[V, dict[str, V]]:
    """Two values that mix at every layer: 2**layers paths from the output to x and y.

    A sort or backward that walks every path instead of every node never finishes.
    """
    x, y = V(0.3, label="x"), V(-0.2, label="y")
    a, b = x, y
    for _ in range(layers):
        a, b = (a * b).tanh() + a, a - b * 0.5
    return a + b, {"x": x, "y": y}


def _mixed_ops() -> tuple[V, dict[str, V]]:
    """Division, powers, exp and log, with plain numbers mixed in."""
    p, q = V(1.5, label="p"), V(-0.5, label="q")
    r = (p**2 / (1 + q.exp())).log() - 3 * q + p / 4
    return r, {"p": p, "q": q}


def _single() -> tuple[V, dict[str, V]]:
    x = V(4.0, label="x")
    return x, {"x": x}


GRAPHS: dict[str, tuple[Callable[[], tuple[V, dict[str, V]]], str]] = {
    "lesson": (_lesson_graph, "L = (a*b + c) * f"),
    "diamond": (_diamond, "w = (x*2) * tanh(x) + x"),
    "reuse": (_reuse, "L = x*x + x"),
    "neuron": (_neuron, "out = tanh(x1*w1 + x2*w2 + b)"),
    "chain": (_chain, "a chain of 5,000 additions: x + x + ... + x"),
    "ladder": (_ladder, "a 30-layer ladder with 2**30 paths from the output to x"),
    "mixed": (_mixed_ops, "r = log(p**2 / (1 + exp(q))) - 3*q + p/4"),
    "single": (_single, "a single Value (no operations)"),
}


# What each graph probes: shown when a case on it fails (no recipe, the concept).
NUDGES = {
    "diamond": "x reaches w by two paths: its gradient is the sum over both.",
    "reuse": "x is used three times: each use adds its share to x.grad.",
    "chain": "5,000 nodes deep: Python's recursion stops near 1,000 levels.",
    "ladder": "About 90 nodes but 2**30 paths: the work must grow with the nodes, "
    "not with the paths.",
    "lesson": "Every node comes after all the nodes that use it; each node exactly once.",
    "single": "A graph of one node: the order holds just that node.",
    "mixed": "Numbers and nodes mixed: each node once, after every node that uses it.",
    "neuron": "A neuron's graph: each input reaches the output through the sum; every "
    "node's gradient is complete before it passes it on.",
}


def _name(v: V) -> str:
    """How a learner recognises ``v`` in the description of the graph."""
    if v.label:
        return v.label
    return f"the {v._op!r} node" if v._op else f"the number {v.data:g}"


def _order_problem(order: list, nodes: list[V]) -> str:
    """What is wrong with ``order`` (positions in ``nodes``, the graph's reference order,
    -1 for a node not in the graph) as a topological order ("" if nothing)."""
    if len(set(order)) != len(order):
        return "a node appears more than once"
    if not order or order[0] != 0:
        return "the first node must be root itself"
    if any(i < 0 or i >= len(nodes) for i in order):
        return "node(s) that root does not depend on are listed"
    listed = set(order)
    missing = [i for i in range(len(nodes)) if i not in listed]
    if missing:
        return (
            f"{len(missing)} of the {len(nodes)} nodes are missing, e.g. {_name(nodes[missing[0]])}"
        )
    position = {i: k for k, i in enumerate(order)}
    index = {id(v): i for i, v in enumerate(nodes)}
    for i in order:
        for child in nodes[i]._prev:
            if position[index[id(child)]] < position[i]:
                return f"{_name(child)} comes before {_name(nodes[i])}, which uses it"
    return ""


def _sort_case(graph: str, hidden: bool = False) -> Case:
    """The learner's side returns the order as positions in the reference order (plain
    data); the trusted side rebuilds the graph and judges it (any valid order passes)."""
    build, text = GRAPHS[graph]

    def run(topological_order: Callable) -> list[int] | str:
        root, _ = build()
        index = {id(v): i for i, v in enumerate(scalar.topological_order(root))}
        order = topological_order(root)
        if not isinstance(order, (list, tuple)):
            return f"it returned {type(order).__name__}, not a list"
        return [index.get(id(v), -1) for v in order]

    def judge(got: object) -> str | None:
        if isinstance(got, str):
            return got
        if not isinstance(got, list) or not all(type(i) is int for i in got):
            return "it did not return a list of the graph's nodes"
        root, _ = build()
        return _order_problem(got, scalar.topological_order(root)) or None

    return Case(
        run=run,
        judge=judge,
        hidden=hidden,
        description=f"topological_order(root) for {text}",
        nudge=NUDGES.get(graph, ""),
    )


@task(
    "ch03.topological_order",
    points=3,
    reference=scalar.topological_order,
    time_limit=LIMIT,
    hint="Keep a `visited` set (a node reached twice is sorted once) and your own stack "
    "(a list) instead of recursion: push (node, False); when popped unmarked, push (node, "
    "True) and then its inputs; when popped marked, all its inputs are done, so append it. "
    "Reverse the list at the end.",
)
def topological_order():
    yield _sort_case("lesson")
    yield _sort_case("diamond")
    yield _sort_case("reuse")
    yield _sort_case("chain")
    yield _sort_case("single", hidden=True)
    yield _sort_case("mixed", hidden=True)
    yield _sort_case("neuron", hidden=True)
    yield _sort_case("ladder", hidden=True)


def _grads_after(graph: str) -> Callable[[Callable], dict[str, float]]:
    build = GRAPHS[graph][0]

    def run(backward: Callable) -> dict[str, float]:
        root, named = build()
        backward(root)
        return {name: v.grad for name, v in named.items()}

    return run


def _reference_backward(root: V) -> None:
    root.backward()


def _backward_case(graph: str, hidden: bool = False) -> Case:
    return Case(
        run=_grads_after(graph),
        hidden=hidden,
        description=f"backward(root) for {GRAPHS[graph][1]}; the .grad of its Values",
        nudge=NUDGES.get(graph, ""),
    )


@task(
    "ch03.backward",
    compare=mismatch64,
    points=3,
    reference=_reference_backward,
    time_limit=LIMIT,
    depends_on={"ch03.topological_order": "tinygrad_edu.scalar:topological_order"},
    hint="Sort with your topological_order, set root.grad = 1.0, then for each node v in that "
    "order: zip(v._prev, v._backward(v.grad)) pairs each input with its gradient; add (+=) "
    "it to the input's .grad. Make topological_order pass first: backward uses it.",
)
def backward():
    yield _backward_case("lesson")
    yield _backward_case("reuse")
    yield _backward_case("neuron")
    yield _backward_case("diamond", hidden=True)
    yield _backward_case("single", hidden=True)
    yield _backward_case("mixed", hidden=True)
    yield _backward_case("chain", hidden=True)
    yield _backward_case("ladder", hidden=True)


# --- reading a graph ---------------------------------------------------------------------------
def _graph_answers() -> dict:
    a, b = scalar.Value(2.0, label="a"), scalar.Value(-3.0, label="b")
    c, f = scalar.Value(10.0, label="c"), scalar.Value(-2.0, label="f")
    d = a * b + c
    L = d * f
    L.backward()
    largest = max((a, b, c, f), key=lambda v: abs(v.grad))
    return {"largest_grad": largest.label, "grad_of_d": d.grad}


@task(
    "ch03.read_graph",
    points=1,
    reference=_graph_answers,
    time_limit=LIMIT,
    hint="Each box shows data and grad after backward. Compare the sizes (absolute values) of "
    "the four inputs' grads; answer with the label as a string, e.g. 'c'.",
)
def read_graph():
    yield Case(
        run=answer("largest_grad"),
        nudge="Compare the sizes of the gradients, |grad|, not their signs and not the data.",
        description=question(
            "largest_grad",
            "the label of the input (a, b, c or f) whose gradient is largest in size",
        ),
    )
    yield Case(
        run=answer("grad_of_d"),
        nudge=(
            "A node's grad is d(output)/d(node): the chain rule from the output down to "
            "that node."
        ),
        description=question(
            "grad_of_d",
            "the gradient shown on the box of d = a * b + c",
        ),
    )
    yield Case(run=answered_keys, hidden=True, description=ALL_ASKED)
