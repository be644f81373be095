"""Chapter 03 (autograd on scalars): the scalar engine's sort and its ``backward``."""

from __future__ import annotations

from typing import Any

from .. import scalar
from .registry import define, tests_of
from .testing import current, raises


@define(
    "scalar.topological_order",
    3,
    [(scalar, "topological_order")],
    task="ch03.topological_order",
)
def topological_order(root: Any) -> list:
    """Every ``Value`` reachable from ``root`` (through ``v._prev``), in backward's order.

    ``root``: a ``tinygrad_edu.scalar.Value``. Returns a list holding each reachable node
    exactly once, ``root`` first, and every node before all of its inputs (``v._prev``).
    Sort **iteratively** with your own stack: a chain of 100,000 nodes must work (recursion
    dies near 1,000). Visit inputs in ``_prev`` order (the stepper and the pictures rely on a
    stable order: the reference emits a node after its inputs, then reverses the list).
    """


@define("scalar.Value.backward", 3, [(scalar.Value, "backward")], task="ch03.value_backward")
def value_backward(self: Any, retain_graph: bool = False) -> None:
    """``Value.backward(self, retain_graph=False)``: add d(self)/d(v) into ``v.grad`` for every v.

    Order the graph with ``scalar.topological_order(self)`` (looked up at call time). Keep this
    pass's gradients in a dict, starting with ``{self: 1.0}``; for each node ``v`` in order,
    pop its gradient ``g``, add it to ``v.grad`` if ``v.requires_grad``, and pass
    ``v._backward(g)`` (one number per input, in ``v._prev`` order) on to the inputs, adding
    up when an input is used twice. ``.grad`` accumulates across calls (never reset it here).

    The freeing rule: if any node's ``_backward`` is ``None`` (freed), raise
    ``RuntimeError(scalar._FREED)`` before changing any ``.grad``. Afterwards, unless
    ``retain_graph``, free the graph: set ``_backward = None`` on every node that saved values,
    that is every node with inputs (``v._prev``) except those whose ``v._op`` is in
    ``scalar._SAVES_NOTHING`` (``+``, ``-``, ``neg``: their derivatives are constants, so, like
    PyTorch's AddBackward0, they can run a second time).
    """


def _lesson_graph() -> tuple:
    a, b = scalar.Value(2.0, "a"), scalar.Value(3.0, "b")
    return a, b, a * b + a


@tests_of("scalar.topological_order")
def test_sort_visits_each_node_once_inputs_last() -> None:
    """Backward's order lists every reachable node once, even a value used twice, and each node
    ahead of all of its inputs, so its gradient is complete before it is passed on."""
    sort = current("scalar.topological_order")
    a, b, out = _lesson_graph()
    order = sort(out)
    assert order[0] is out, "root comes first"
    assert len(order) == len({id(v) for v in order}) == 4, "each node exactly once (a is reused)"
    position = {id(v): i for i, v in enumerate(order)}
    for v in order:
        for child in v._prev:
            assert position[id(v)] < position[id(child)], "a node comes before its inputs"


@tests_of("scalar.topological_order")
def test_sort_long_chain_is_iterative() -> None:
    """A graph can be thousands of nodes deep, and Python stops a recursion near 1,000 calls: the
    walk must remember where it is without the call stack."""
    sort = current("scalar.topological_order")
    x = scalar.Value(1.0)
    y = x
    for _ in range(5000):
        y = y * 1.0
    order = sort(y)
    assert len(order) == 10001 and order[0] is y, "each of the 10,001 nodes once, root first"


@tests_of("scalar.topological_order", hidden=True)
def test_sort_matches_reference_order() -> None:
    """Several orders would be valid, but the stepper and the pictures show one: the order that
    visiting inputs in their _prev order gives, as the contract describes."""
    sort = current("scalar.topological_order")
    x, w = scalar.Value(0.5, "x"), scalar.Value(-1.0, "w")
    n = (x * w + x).tanh() * x + w
    reference = __import__("tinygrad_edu.parts", fromlist=["reference"]).reference
    want = [id(v) for v in reference("scalar.topological_order")(n)]
    assert [id(v) for v in sort(n)] == want, "visit inputs in _prev order, emit after inputs"


@tests_of("scalar.Value.backward")
def test_value_backward_lesson_example() -> None:
    """The chain rule along every path: each step multiplies by a local derivative, and a value used
    in two places gets the sum of the gradients from both."""
    a, b, out = _lesson_graph()
    out.backward()
    assert (a.grad, b.grad) == (4.0, 2.0), f"a.grad, b.grad = {a.grad}, {b.grad}; expected 4, 2"


@tests_of("scalar.Value.backward")
def test_value_backward_accumulates_and_frees() -> None:
    """.grad adds up across backward calls, as in PyTorch; a graph may be walked a second time only
    if the first walk kept it (retain_graph), and a refused walk changes no .grad."""
    a, b, out = _lesson_graph()
    out.backward(retain_graph=True)
    out.backward()
    assert (a.grad, b.grad) == (8.0, 4.0), ".grad adds up across backward calls"
    with raises(RuntimeError, "second time"):
        out.backward()
    assert (a.grad, b.grad) == (8.0, 4.0), "a refused backward changes no .grad"


@tests_of("scalar.Value.backward")
def test_value_backward_sums_can_run_twice() -> None:
    """Only nodes that saved values for backward are freed: + and - have constant derivatives and
    save nothing, so their graph can run backward again, while * saved its inputs."""
    x, y = scalar.Value(2.0), scalar.Value(3.0)
    total = (x + y) - x
    total.backward()
    total.backward()  # + and - saved nothing: PyTorch runs (x + y).sum() backward twice too
    assert (x.grad, y.grad) == (0.0, 2.0), f"x.grad, y.grad = {x.grad}, {y.grad}; expected 0, 2"
    product = x * y
    product.backward()
    with raises(RuntimeError, "second time"):
        product.backward()  # * saved its inputs, and the first backward freed them


@tests_of("scalar.Value.backward")
def test_value_backward_neuron() -> None:
    """A small neuron, tanh(x * w + b): the gradient reaching each leaf is the product of the local
    derivatives along its path, so every node passes on what it received."""
    x, w, bias = scalar.Value(0.5), scalar.Value(-2.0), scalar.Value(0.25)
    y = (x * w + bias).tanh()
    y.backward()
    import math

    t = math.tanh(0.5 * -2.0 + 0.25)
    assert abs(w.grad - (1 - t * t) * 0.5) < 1e-12 and abs(x.grad - (1 - t * t) * -2.0) < 1e-12


@tests_of("scalar.Value.backward", hidden=True)
def test_value_backward_constants_and_depth() -> None:
    """A plain number in the arithmetic becomes a node that needs no gradient, and depth must not
    matter: backward works on a chain thousands of nodes long."""
    x = scalar.Value(3.0)
    y = x * 2 + 1
    y.backward()
    assert x.grad == 2.0
    z = x
    for _ in range(3000):
        z = z + 1.0
    z.backward()
    assert x.grad == 3.0, "a 3,000-node chain: an iterative sort, and grads add up"
