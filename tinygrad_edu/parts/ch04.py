"""Chapter 04 (Function and the engine): recording nodes, seven backwards, the sort, the walk."""

from __future__ import annotations

from typing import Any

import numpy as np

import tinygrad_edu as tg

from ..autograd import anomaly, engine, record
from ..autograd import function as function_module
from ..autograd.function import Function
from ..ops import arithmetic, matmul, reduce, unary
from .registry import define, tests_of
from .testing import agrees_with_reference, close, current, raises


def _apply_through_record(reference: bool) -> None:
    """Installing a learner's record_node makes every op record through it. Anomaly mode wraps
    whichever plain apply is current (``function._PLAIN_APPLY``), so it is switched there too."""
    plain = _FUSED_APPLY if reference else classmethod(record.apply_recorded)
    function_module._PLAIN_APPLY = plain
    if not anomaly._Anomaly.enabled:
        Function.apply = plain


_FUSED_APPLY = Function.__dict__["apply"]


@define(
    "autograd.record_node",
    4,
    [(record, "record_node")],
    task="ch04.record_node",
    on_install=_apply_through_record,
)
def record_node(ctx: Any, args: tuple) -> bool:
    """Record ``ctx`` as the backward node of one operation; return True if it was recorded.

    ``Function.apply(*args)`` calls it before ``forward``. ``args``: the operation's arguments,
    Tensors and plain values (``x * 2`` gives ``(x, 2)``). ``ctx``: the new, empty node.

    An argument *needs a gradient* when it is a Tensor with ``requires_grad``. If none does, or
    grad mode is off (``tinygrad_edu.is_grad_enabled()`` is False), record nothing and return
    False. Otherwise set, with one entry per argument, and return True:

    * ``ctx.inputs``: a tuple: the Tensor, or None for a non-tensor argument;
    * ``ctx.next_nodes``: a tuple: where that input's gradient goes: its ``grad_fn`` if it has
      one, else (a leaf that requires grad) its AccumulateGrad node,
      ``tinygrad_edu.autograd.record.leaf_node(t)``; None when it needs no gradient.

    ``ctx.needs_input_grad`` is then ``tuple(n is not None for n in ctx.next_nodes)``.
    """


_OPS = {
    "ops.Mul.backward": (arithmetic.Mul, "ch04.mul_backward"),
    "ops.Div.backward": (arithmetic.Div, "ch04.div_backward"),
    "ops.Pow.backward": (arithmetic.Pow, "ch04.pow_backward"),
    "ops.Exp.backward": (unary.Exp, "ch04.exp_backward"),
    "ops.Tanh.backward": (unary.Tanh, "ch04.tanh_backward"),
    "ops.Sum.backward": (reduce.Sum, "ch04.sum_backward"),
    "ops.MatMul.backward": (matmul.MatMul, "ch04.matmul_backward"),
}


def _backward_part(name: str) -> Any:
    cls, task = _OPS[name]
    return define(name, 4, [(cls, "backward", "staticmethod")], task=task)


@_backward_part("ops.Mul.backward")
def mul_backward(ctx: Any, grad: Any) -> tuple:
    """``Mul.backward(ctx, grad)`` for ``z = a * b``: return ``(grad * b, grad * a)``.

    ``grad``: the array dL/dz (z's shape). ``ctx.saved_tensors`` is ``(a, b)`` as forward saw
    them: arrays, or a Python number for a number operand; ``a`` is None when ``b`` is a
    number (only b's gradient would need ``a``): return None for b's gradient then.
    Return a tuple of two arrays (or None); the shapes may be z's: the engine sums broadcast
    dimensions back (``unbroadcast``).
    """


@_backward_part("ops.Div.backward")
def div_backward(ctx: Any, grad: Any) -> tuple:
    """``Div.backward(ctx, grad)`` for ``z = a / b``: ``(grad / b, -grad * a / b**2)``.

    ``ctx.saved_tensors`` is ``(a, b)`` (``a`` is None when ``b`` is a number: return None for
    b's gradient then). Return a tuple of two arrays (or None), shapes as z's is fine.
    """


@_backward_part("ops.Pow.backward")
def pow_backward(ctx: Any, grad: Any) -> tuple:
    """``Pow.backward(ctx, grad)`` for ``z = a ** b``: ``(grad*b*a**(b-1), grad*z*log(a))``.

    ``ctx.saved_tensors`` is ``(a, b, z)``: arrays, except that ``b`` (``x ** 2``) or ``a``
    (``2 ** x``) may be a Python number, which gets no gradient; ``z`` is None when ``b`` is a
    number (PyTorch's PowBackward0 keeps no result). Compute only what
    ``ctx.needs_input_grad`` (two bools) asks for, None for the other.

    PyTorch's edges: a's gradient is 0 wherever ``b == 0`` (even at ``a == 0``, where
    ``0 * 0**-1`` is nan); b's gradient is 0 wherever ``a == 0`` and ``b >= 0`` (the limit),
    ``-inf`` at ``a == 0, b < 0``, nan where ``a < 0``. Zero those places with
    ``tinygrad_edu.autograd.select.select(keep, g)``: ``g`` where ``keep``, exactly 0 elsewhere,
    even where ``g`` is nan (multiplying by a mask would keep ``nan * 0 = nan``). Take the
    array module from ``grad`` (``xp = tinygrad_edu.device.array_module(grad)``), and the log
    of a Python number with ``math.log``.
    """


@_backward_part("ops.Exp.backward")
def exp_backward(ctx: Any, grad: Any) -> Any:
    """``Exp.backward(ctx, grad)`` for ``y = exp(x)``: ``grad * y``. ``ctx.saved_tensors`` is
    ``(y,)``, the output array (forward saved it: exp's derivative is itself)."""


@_backward_part("ops.Tanh.backward")
def tanh_backward(ctx: Any, grad: Any) -> Any:
    """``Tanh.backward(ctx, grad)`` for ``y = tanh(x)``: ``grad * (1 - y**2)``.
    ``ctx.saved_tensors`` is ``(y,)``, the output array."""


@_backward_part("ops.Sum.backward")
def sum_backward(ctx: Any, grad: Any) -> tuple:
    """``Sum.backward(ctx, grad)``: every summed element gets the gradient of its sum.

    ``ctx.shape`` (x's shape), ``ctx.dims`` (None: all, or a tuple of dims) and
    ``ctx.keepdim`` are what ``Sum.forward`` stored. ``grad`` has the sum's shape. Put the
    summed dims back as size 1 (unless keepdim kept them), then broadcast to ``ctx.shape``
    (``xp.expand_dims``, ``xp.broadcast_to``). Return ``(grad_x, None, None)``: dims and
    keepdim get no gradient.
    """


@_backward_part("ops.MatMul.backward")
def matmul_backward(ctx: Any, grad: Any) -> tuple:
    """``MatMul.backward(ctx, grad)`` for ``C = A @ B``: ``(G @ B^T, A^T @ G)``.

    ``ctx.saved_tensors`` is ``(a, b)``. Transpose the last two dims (``x.swapaxes(-1, -2)``)
    so batched products work (the engine sums broadcast batch dims back). 1-D operands:
    ``a`` (n,) acts as a (1, n) row, ``b`` (n,) as an (n, 1) column; both 1-D is a dot product
    (``grad`` is 0-d). Skip a product whose ``ctx.needs_input_grad`` entry is False (None).
    """


@define(
    "autograd.topological_order",
    4,
    [(engine, "topological_order")],
    task="ch04.topological_order",
)
def topological_order(roots: Any) -> list:
    """The backward nodes reachable from ``roots``, each before every node it sends grads to.

    ``roots``: an iterable of nodes (``t.grad_fn``, ``AccumulateGrad``) or of tensors (a tensor
    stands for its ``grad_fn``, or for a leaf its AccumulateGrad: ``engine._accumulator(t)``).
    A node's successors are ``node.next_nodes`` (skip the None entries). Return a list with
    each reachable node once. Sort iteratively (a 100,000-op chain must work).
    """


@define("autograd.run_backward", 4, [(engine, "run_backward")], task="ch04.run_backward")
def run_backward(
    roots: Any, grads: Any, retain_graph: bool = False, on_step: Any = None, capture: Any = None
) -> None:
    """Backpropagate ``grads`` (arrays, one per root tensor) through the graph.

    ``tensor.backward()``, ``autograd.grad`` and the viz stepper all call it. The steps:

    1. ``pending``: a dict from node to the gradient that reached it; each root's node is its
       ``grad_fn`` (or ``engine._accumulator(root)`` for a leaf); add up if a node repeats.
    2. Under ``tinygrad_edu.no_grad()``, for each ``node`` in
       ``engine.topological_order(pending)``: pop its gradient (skip nodes without one), then
       * ``if node._hooks: grad = engine._run_hooks(node._hooks, grad)``;
       * ``if node._retain is not None: engine._accumulate(node._retain(), grad)``;
       * with ``capture`` (a dict, not None): if ``node in capture``, add ``grad`` into
         ``capture[node]`` (None means nothing yet); an AccumulateGrad then stops here
         (``autograd.grad`` changes no ``.grad``);
       * an ``AccumulateGrad`` (``isinstance``) adds into the leaf,
         ``engine._accumulate(node.variable, grad)``, then ``on_step(node, grad, ())``;
       * else ``grad_inputs = node._backward_arrays(grad)`` (the chain rule: one array or
         None per input); in anomaly mode (``tinygrad_edu.autograd.is_anomaly_enabled()``)
         pass them to ``tinygrad_edu.autograd.anomaly.check_gradients(node, grad_inputs)``
         (it names the node that made a nan); then for each ``child, g, t`` in
         ``zip(node.next_nodes, grad_inputs, node.inputs)`` with child and g not None: if
         ``g.shape != t.array.shape``, ``g = engine._sum_to_input(node, g, t)``; add g to
         ``pending[child]``. Then ``on_step(node, grad, grad_inputs)`` and, unless
         ``retain_graph``, ``node._free()``.

    ``on_step`` is None or a callback; call it only when given.
    """


# ------------------------------------------------------------------------------------ tests
def _numerical(f: Any, arrays: list, weight: np.ndarray, i: int, eps: float = 1e-6) -> Any:
    x = arrays[i]
    grad = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        old = x[k]
        x[k] = old + eps
        plus = (f(*[tg.tensor(a) for a in arrays]).numpy() * weight).sum()
        x[k] = old - eps
        minus = (f(*[tg.tensor(a) for a in arrays]).numpy() * weight).sum()
        x[k] = old
        grad[k] = (plus - minus) / (2 * eps)
    return grad


def _check_grads(f: Any, *arrays: Any, seed: int = 0) -> None:
    """Backward through the package agrees with central differences, for every input."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    xs = [tg.tensor(a, requires_grad=True) for a in arrays]
    out = f(*xs)
    weight = np.random.default_rng(seed).uniform(0.5, 1.5, size=out.shape)
    out.backward(tg.tensor(weight))
    for i, x in enumerate(xs):
        close(x.grad, _numerical(f, arrays, weight, i), atol=1e-5, rtol=1e-4,
              what=f"gradient of input {i}")


@tests_of("ops.Mul.backward")
def test_mul_backward() -> None:
    """The product rule: how much a * b moves with a depends on b, and with b on a. Broadcasting in
    forward is summed back by the engine, not by you."""
    _check_grads(lambda a, b: a * b, [2.0, 3.0], [4.0, -1.0])
    _check_grads(lambda a, b: a * b, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [10.0, 20.0, 30.0])


@tests_of("ops.Mul.backward")
def test_mul_backward_by_number() -> None:
    """A plain-number operand gets no gradient, yet it still scales the tensor's; and a tensor
    multiplied by itself gets the contribution of both factors."""
    x = tg.tensor([1.0, -2.0], requires_grad=True)
    (x * 3).backward(tg.tensor([1.0, 2.0]))
    close(x.grad, [3.0, 6.0])
    _check_grads(lambda a: 2.5 * a * a, [[0.5, -1.0]])


@tests_of("ops.Mul.backward", hidden=True)
def test_mul_backward_zero_d() -> None:
    """A 0-d tensor is one number broadcast like any other operand: both gradients must be right,
    whichever operand was broadcast."""
    _check_grads(lambda a, b: a * b, 3.0, [[1.0], [2.0]], seed=2)


@tests_of("ops.Div.backward")
def test_div_backward() -> None:
    """The quotient rule: each operand's gradient is the slope of a / b along it, 1 / b for a
    and -a / b**2 for b, steep near b = 0; a plain-number operand gets no gradient."""
    _check_grads(lambda a, b: a / b, [2.0, 3.0], [4.0, -1.5])
    _check_grads(lambda a, b: a / b, [[1.0], [2.0]], [0.5, 3.0, -2.0])
    _check_grads(lambda a: 1.0 / a - a / 4, [1.0, -2.0])


@tests_of("ops.Div.backward", hidden=True)
def test_div_backward_zero_d() -> None:
    """A 0-d tensor is one number broadcast like any other operand: both gradients of a division
    must be right, whichever operand was broadcast."""
    _check_grads(lambda a, b: a / b, 2.0, [[1.5, -3.0]], seed=3)


@tests_of("ops.Pow.backward")
def test_pow_backward() -> None:
    """a ** b has two gradients: the power rule for the base, and for a tensor exponent the rule of
    an exponential (it involves log a); fractional and negative powers follow the same rules."""
    _check_grads(lambda a: a**2, [2.0, 3.0])
    _check_grads(lambda a: a**-0.5, [[1.0, 4.0]])
    _check_grads(lambda a, b: a**b, [1.5, 2.0, 0.5], [2.0, -1.0, 0.5])


@tests_of("ops.Pow.backward")
def test_pow_seed_example() -> None:
    """The lesson's example: the slope of a squared number is twice that number, times the gradient
    that arrived (here ones)."""
    a = tg.tensor([2.0, 3.0], requires_grad=True)
    (a**2).backward(tg.tensor([1.0, 1.0]))
    close(a.grad, [4.0, 6.0])


@tests_of("ops.Pow.backward")
def test_pow_backward_edges_follow_pytorch() -> None:
    """Where a formula's factor is 0, PyTorch's gradient is exactly 0, even where the other
    factor is inf or nan: choose (select) the zero instead of multiplying by it."""
    x = tg.tensor([0.0, 2.0], requires_grad=True)
    (x**0).sum().backward()
    close(x.grad, [0.0, 0.0], what="x ** 0's gradient (0 even at x = 0, not 0 * 0**-1 = nan)")
    a = tg.tensor([0.0, 0.0, -1.0], requires_grad=True)
    b = tg.tensor([0.0, -1.0, 2.0], requires_grad=True)
    (a**b).sum().backward()
    close(b.grad, [0.0, -np.inf, np.nan], what="exponent's gradient at a = 0 and a < 0")


@tests_of("ops.Pow.backward", hidden=True)
def test_pow_backward_zero_base_and_number_base() -> None:
    """At a zero base PyTorch's exponent gradient is 0 (the limit), not a product with log 0; and a
    base that is a plain number still gives a tensor exponent its gradient."""
    a = tg.tensor([0.0, 2.0], requires_grad=True)
    b = tg.tensor([2.0, 3.0], requires_grad=True)
    (a**b).sum().backward()
    close(b.grad, [0.0, 8.0 * np.log(2.0)], what="exponent's gradient (0 where a == 0)")
    close(a.grad, [0.0, 12.0])
    _check_grads(lambda e: 2.0**e, [0.5, -1.0])


@tests_of("ops.Exp.backward")
def test_exp_backward() -> None:
    """exp is its own derivative: forward saved its output, so backward reuses that output rather
    than computing exp again."""
    _check_grads(lambda a: a.exp(), [0.0, 1.0, -2.0])
    _check_grads(lambda a: (a * 2).exp() * a, [[0.5], [-0.25]])


@tests_of("ops.Tanh.backward")
def test_tanh_backward() -> None:
    """tanh's slope is 1 - tanh squared, known from the saved output alone: largest at 0, fading as
    the input moves away from 0."""
    _check_grads(lambda a: a.tanh(), [0.0, 0.5, -2.0])
    _check_grads(lambda a, b: (a * b).tanh(), [[0.5, 1.0]], [[2.0], [-0.5]])


@tests_of("ops.Exp.backward", hidden=True)
def test_exp_backward_float32() -> None:
    """A gradient has its tensor's dtype: a float32 input gets a float32 gradient."""
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    x.exp().sum().backward()
    assert x.grad.dtype is tg.float32
    close(x.grad, np.exp([1.0, 2.0]))


@tests_of("ops.Tanh.backward", hidden=True)
def test_tanh_backward_saturates() -> None:
    """Far from 0 tanh is flat, so its gradient there is 0 (never nan or inf), and the saved output
    gives it safely."""
    x = tg.tensor([30.0, -30.0, 0.0], requires_grad=True)
    x.tanh().sum().backward()
    close(x.grad, [0.0, 0.0, 1.0])


@tests_of("ops.Sum.backward")
def test_sum_backward() -> None:
    """Every element that went into a sum moves it one for one, so each gets the sum's gradient: the
    incoming gradient is spread back over the summed dimensions."""
    _check_grads(lambda a: a.sum(), [[1.0, 2.0], [3.0, 4.0]])
    _check_grads(lambda a: a.sum(dim=0), [[1.0, 2.0], [3.0, 4.0]])
    _check_grads(lambda a: a.sum(dim=1, keepdim=True), [[1.0, 2.0, 3.0], [3.0, 4.0, 5.0]])


@tests_of("ops.Sum.backward", hidden=True)
def test_sum_backward_many_dims() -> None:
    """Summing over several dimensions at once, with or without keepdim: each summed dimension must
    come back in its own place for the gradient to have the input's shape."""
    x = np.arange(24.0).reshape(2, 3, 4)
    _check_grads(lambda a: a.sum(dim=(0, 2)), x)
    _check_grads(lambda a: a.sum(dim=(-1, 0), keepdim=True), x, seed=1)


@tests_of("ops.MatMul.backward")
def test_matmul_backward_matrices() -> None:
    """For C = A @ B, A's gradient must have A's shape and B's must have B's: the incoming gradient
    meets the other matrix, transposed, in the only product whose shapes fit."""
    rng = np.random.default_rng(0)
    _check_grads(lambda a, b: a @ b, rng.normal(size=(2, 3)), rng.normal(size=(3, 4)))


@tests_of("ops.MatMul.backward")
def test_matmul_backward_vectors() -> None:
    """A 1-D operand acts as a row (on the left) or a column (on the right) that matmul then drops,
    and two vectors give a 0-d dot product; their gradients come back 1-D."""
    rng = np.random.default_rng(1)
    _check_grads(lambda a, b: a @ b, rng.normal(size=3), rng.normal(size=3))
    _check_grads(lambda a, b: a @ b, rng.normal(size=3), rng.normal(size=(3, 2)))
    _check_grads(lambda a, b: a @ b, rng.normal(size=(2, 3)), rng.normal(size=3))


@tests_of("ops.MatMul.backward", hidden=True)
def test_matmul_backward_batched() -> None:
    """Batched products transpose only the last two dimensions, the engine sums broadcast batch
    dimensions back, and an input that needs no gradient gets none."""
    rng = np.random.default_rng(2)
    _check_grads(lambda a, b: a @ b, rng.normal(size=(2, 2, 3)), rng.normal(size=(3, 2)))
    _check_grads(lambda a, b: a @ b, rng.normal(size=(3,)), rng.normal(size=(2, 3, 2)))
    w = tg.tensor(rng.normal(size=(3, 2)), requires_grad=True)
    (tg.tensor(rng.normal(size=(4, 3))) @ w).sum().backward()  # x needs no gradient
    assert w.grad is not None


@tests_of("autograd.record_node")
def test_record_node_sets_inputs_and_edges() -> None:
    """Recording links each argument to where its gradient goes: a computed tensor's grad_fn, a
    grad-requiring leaf's AccumulateGrad, and nowhere (None) for a constant or a plain number."""
    rec = current("autograd.record_node")
    a = tg.tensor([1.0], requires_grad=True)
    b = tg.tensor([2.0])
    c = a * 2
    ctx = object.__new__(arithmetic.Mul)
    assert rec(ctx, (c, b, 3)) is True
    assert tuple(ctx.inputs) == (c, b, None)
    assert tuple(ctx.next_nodes) == (c.grad_fn, None, None)
    assert ctx.needs_input_grad == (True, False, False)
    ctx = object.__new__(arithmetic.Mul)
    assert rec(ctx, (a, b)) is True
    assert ctx.next_nodes[0] is record.leaf_node(a), "a leaf's gradient goes to AccumulateGrad"


@tests_of("autograd.record_node")
def test_record_node_skips_when_not_needed() -> None:
    """When no argument requires grad, or inside no_grad(), PyTorch records no node at all: the
    result has no grad_fn."""
    rec = current("autograd.record_node")
    a = tg.tensor([1.0], requires_grad=True)
    ctx = object.__new__(arithmetic.Mul)
    assert not rec(ctx, (tg.tensor([1.0]), 2.0)), "no input requires grad: nothing recorded"
    with tg.no_grad():
        assert not rec(ctx, (a, 2.0)), "grad mode off: nothing recorded"
    assert tuple(ctx.next_nodes) == ()


@tests_of("autograd.record_node")
def test_ops_record_through_it() -> None:
    """Every op records through record_node, so the grad_fn names (AddBackward0, MulBackward0),
    requires_grad and no_grad's effect all depend on it."""
    a = tg.tensor([2.0, 3.0], requires_grad=True)
    b = a * a + 1
    assert b.grad_fn.name() == "AddBackward0" and b.requires_grad
    assert b.grad_fn.next_functions[0][0].name() == "MulBackward0"
    with tg.no_grad():
        assert (a * 2).grad_fn is None
    b.sum().backward()
    close(a.grad, [4.0, 6.0])


@tests_of("autograd.record_node", hidden=True)
def test_record_node_same_leaf_twice() -> None:
    """A leaf has a single AccumulateGrad node, however often it is used; a detached tensor is a new
    leaf that needs no gradient."""
    rec = current("autograd.record_node")
    a = tg.tensor([1.0], requires_grad=True)
    ctx = object.__new__(arithmetic.Mul)
    rec(ctx, (a, a))
    assert ctx.next_nodes[0] is ctx.next_nodes[1], "one AccumulateGrad per leaf"
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x.detach()
    assert (y * 2).grad_fn is None


def _order_is_valid(order: list, roots: list) -> None:
    position = {id(n): i for i, n in enumerate(order)}
    assert len(position) == len(order), "each node once"
    for node in order:
        for child in node.next_nodes:
            if child is not None:
                assert id(child) in position, f"{child.name()} is reachable but missing"
                assert position[id(node)] < position[id(child)], (
                    f"{node.name()} must come before {child.name()}"
                )
    for r in roots:
        assert id(getattr(r, "grad_fn", None) or r) in position or r.grad_fn is None


@tests_of("autograd.topological_order")
def test_topological_order_diamond() -> None:
    """A node reached along two paths still appears once, and only after every node that sends it a
    gradient, so its gradient is complete when its turn comes."""
    sort = current("autograd.topological_order")
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = (y + y.exp()).sum()
    order = sort([z.grad_fn])
    _order_is_valid(order, [])
    assert order[0] is z.grad_fn and len(order) == 5


@tests_of("autograd.topological_order")
def test_topological_order_from_tensors_and_leaves() -> None:
    """Roots may be tensors: a tensor stands for its grad_fn, and a leaf for its AccumulateGrad
    node, so even a lone leaf has one node to visit."""
    sort = current("autograd.topological_order")
    x = tg.tensor([1.0], requires_grad=True)
    order = sort([x])
    assert len(order) == 1 and order[0].name() == "AccumulateGrad"
    y = (x * 3).sum()
    assert [n.name() for n in sort([y])] == ["SumBackward0", "MulBackward0", "AccumulateGrad"]


@tests_of("autograd.topological_order")
def test_topological_order_long_chain() -> None:
    """A chain of thousands of ops is too deep for recursion (Python stops near 1,000 calls): the
    walk must remember where it is without the call stack."""
    sort = current("autograd.topological_order")
    x = tg.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0
    order = sort([y.grad_fn])
    assert len(order) == 3001


@tests_of("autograd.topological_order", hidden=True)
def test_topological_order_shared_subgraphs() -> None:
    """Several roots can share part of their graph: each shared node appears once, after every node
    that sends it a gradient."""
    sort = current("autograd.topological_order")
    a = tg.tensor([1.0], requires_grad=True)
    b = tg.tensor([2.0], requires_grad=True)
    h = a * b
    u, v = h.exp(), h.tanh()
    order = sort([u.grad_fn, v.grad_fn])
    _order_is_valid(order, [])
    assert len(order) == 5


@tests_of("autograd.run_backward")
def test_run_backward_seed_example() -> None:
    """backward(gradient) starts the walk with that gradient at the root, and the chain rule carries
    it node by node down to the leaves."""
    a = tg.tensor([2.0, 3.0], requires_grad=True)
    b = a**2
    b.backward(tg.tensor([1.0, 1.0]))
    close(a.grad, [4.0, 6.0])


@tests_of("autograd.run_backward")
def test_run_backward_sums_paths_and_frees() -> None:
    """Gradients from every path into a node add up before it runs, .grad accumulates across
    backward calls, and a walk without retain_graph frees the graph behind it."""
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    z = (y + y * 3).sum()
    z.backward(retain_graph=True)
    close(x.grad, [8.0, 16.0])
    z.backward()
    close(x.grad, [16.0, 32.0], what="a second backward adds into .grad")
    with raises(RuntimeError, "second time"):
        z.backward()


@tests_of("autograd.run_backward")
def test_run_backward_hooks_retain_grad_and_grad() -> None:
    """A hook may replace a gradient before it flows on, retain_grad keeps a non-leaf's gradient
    (after its hooks), and autograd.grad returns gradients without touching any .grad."""
    x = tg.tensor([1.0, -1.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g * 10)
    y.sum().backward()
    close(y.grad, [10.0, 10.0], what="retain_grad keeps the gradient after the hooks")
    close(x.grad, [20.0, 20.0], what="the hook's gradient flows on")
    (g,) = tg.autograd.grad((x * x).sum(), x)
    close(g, [2.0, -2.0])
    close(x.grad, [20.0, 20.0], what="autograd.grad leaves .grad alone")


@tests_of("autograd.run_backward", hidden=True)
def test_run_backward_on_step_and_inputs() -> None:
    """The walk reports every node it runs, leaves' AccumulateGrad included, to on_step, and
    backward(inputs=...) fills only the leaves it lists."""
    steps = []
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    b = tg.tensor([3.0, 4.0], requires_grad=True)
    out = (a * b).sum()
    engine.backward(out, on_step=lambda node, g, gi: steps.append(node.name()))
    assert steps[0] == "SumBackward0" and steps.count("AccumulateGrad") == 2
    a.grad = None
    b.grad = None
    (a * b).sum().backward(inputs=[a])
    close(a.grad, [3.0, 4.0])
    assert b.grad is None
    c = tg.tensor([1.0, 2.0], requires_grad=True)
    (c.reshape(2, 1) + c).sum().backward()
    close(c.grad, [4.0, 4.0])


def _random_programs(first: int) -> None:
    for seed in range(first, first + 10):
        agrees_with_reference(seed)


def _random_test(first: int, name: str) -> Any:
    def test() -> None:
        _random_programs(first)

    test.__name__ = name
    test.__doc__ = """Random small programs (broadcasting, reuse, reductions, matmul) must get the
    same gradients with your part as with the package's own: where they differ, some situation
    takes another path through your code."""
    return test


for _name in ("autograd.record_node", "autograd.topological_order", "autograd.run_backward",
              *_OPS):
    tests_of(_name)(_random_test(0, "test_random_programs_agree"))
    tests_of(_name, hidden=True)(_random_test(100, "test_more_random_programs_agree"))
