"""Chapter 03's scalar engine, ``tinygrad_edu.scalar.Value``, with PyTorch as the oracle."""

from __future__ import annotations

import math
import operator

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu.scalar import Value, topological_order

BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
          "**": operator.pow}
UNARY = {"neg": (operator.neg, operator.neg), "exp": (Value.exp, torch.exp),
         "log": (Value.log, torch.log), "tanh": (Value.tanh, torch.tanh),
         "relu": (Value.relu, torch.relu), "sigmoid": (Value.sigmoid, torch.sigmoid)}


def t(x: float) -> torch.Tensor:
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


def close(ours: float, theirs: float, what: str) -> None:
    """Compare with PyTorch; on failure say which number was expected."""
    assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-12), (
        f"{what}: expected {theirs} (PyTorch), got {ours}")


positive = st.floats(0.2, 3.0)
any_float = st.floats(-3.0, 3.0).filter(lambda v: abs(v) > 0.1)


@settings(max_examples=60, deadline=None)
@given(a=positive, b=any_float, op=st.sampled_from(sorted(BINARY)))
def test_binary_ops_match_torch(a: float, b: float, op: str) -> None:
    f = BINARY[op]
    x, y = Value(a), Value(b)
    out = f(x, y)
    out.backward()
    tx, ty = t(a), t(b)
    tout = f(tx, ty)
    tout.backward()
    close(out.data, tout.item(), f"{a} {op} {b}")
    close(x.grad, tx.grad.item(), f"d({a} {op} {b})/da")
    close(y.grad, ty.grad.item(), f"d({a} {op} {b})/db")


@pytest.mark.parametrize("op", sorted(BINARY))
def test_numbers_work_on_either_side(op: str) -> None:
    f = BINARY[op]
    left, right = Value(2.0), Value(3.0)
    a, b = f(left, 3.0), f(2.0, right)
    a.backward()
    b.backward()
    tl, tr = t(2.0), t(3.0)
    f(tl, 3.0).backward()
    f(2.0, tr).backward()
    close(a.data, f(2.0, 3.0), f"Value(2) {op} 3")
    close(b.data, f(2.0, 3.0), f"2 {op} Value(3)")
    close(left.grad, tl.grad.item(), f"d(x {op} 3)/dx at x=2")
    close(right.grad, tr.grad.item(), f"d(2 {op} x)/dx at x=3")


@settings(max_examples=30, deadline=None)
@given(a=positive, op=st.sampled_from(sorted(UNARY)))
def test_unary_ops_match_torch(a: float, op: str) -> None:
    ours, theirs = UNARY[op]
    for value in (a, -a) if op != "log" else (a,):
        x, tx = Value(value), t(value)
        out, tout = ours(x), theirs(tx)
        out.backward()
        tout.backward()
        close(out.data, tout.item(), f"{op}({value})")
        close(x.grad, tx.grad.item(), f"d {op}(x)/dx at x={value}")


def test_reused_value_accumulates_within_one_pass() -> None:
    a = Value(3.0, label="a")
    (a * a + a).backward()
    assert a.grad == 2 * 3.0 + 1, "d(a*a + a)/da = 2a + 1: both uses of a must add up"


def test_second_backward_raises_like_pytorch() -> None:
    a = Value(2.0)
    y = a * a
    y.backward()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()
    assert a.grad == 4.0, "a failed backward must not touch .grad"


@pytest.mark.parametrize(
    "build, twice_ok",
    [
        (lambda x, y: x + y, True),
        (lambda x, y: x - y, True),
        (lambda x, y: -x, True),
        (lambda x, y: 2 + x, True),
        (lambda x, y: x * y, False),
        (lambda x, y: x * 2, False),
        (lambda x, y: x / y, False),
        (lambda x, y: x**2, False),
        (lambda x, y: x.exp(), False),
        (lambda x, y: x.tanh(), False),
        (lambda x, y: x.relu(), False),
        (lambda x, y: x * y + x, False),
        (lambda x, y: (x + y) - x, True),
    ],
)
def test_second_backward_fails_only_where_pytorch_fails(build, twice_ok) -> None:
    """PyTorch's rule: the error comes only from a node whose saved tensors were freed."""

    def second_backward_works(lib, make) -> bool:
        x, y = make(2.0), make(3.0)
        out = build(x, y)
        out.backward()
        try:
            out.backward()
        except RuntimeError as err:
            assert "second time" in str(err)
            return False
        return True

    import torch

    assert second_backward_works(torch, lambda v: torch.tensor(v, requires_grad=True)) == twice_ok
    assert second_backward_works(None, Value) == twice_ok


def test_second_backward_through_a_sum_adds_the_same_gradients_again() -> None:
    x, y = Value(2.0), Value(3.0)
    out = x + y
    out.backward()
    out.backward()
    assert (x.grad, y.grad) == (2.0, 2.0)


def test_retain_graph_allows_second_backward_and_grads_accumulate() -> None:
    a, b = Value(2.0), Value(5.0)
    y = (a * b).tanh()
    y.backward(retain_graph=True)
    first = a.grad
    y.backward()
    assert a.grad == pytest.approx(2 * first), ".grad accumulates across backward() calls"
    a.grad = 0.0  # reset by hand (for tensors, optimizer.zero_grad() sets None)
    assert a.grad == 0.0


def test_intermediate_grads_are_per_pass_correct_after_accumulation() -> None:
    a = Value(2.0)
    h = a * 3
    y = h * h
    y.backward(retain_graph=True)
    y.backward()
    assert h.grad == 2 * (2 * h.data), "each pass adds dy/dh = 2h once"
    assert a.grad == 2 * (2 * h.data * 3)


def test_plain_numbers_are_constants_without_grad() -> None:
    x = Value(-2.0)
    y = x**2  # the exponent 2 becomes a constant Value: its log(x) would be nan
    y.backward()
    two = y._prev[1]
    assert not two.requires_grad and two.grad == 0.0
    assert x.grad == -4.0


def test_100k_node_chain_needs_no_recursion() -> None:
    x = Value(1.0, label="x")
    y = x
    for _ in range(50_000):
        y = y * 1.0 + 0.0  # 2 ops per turn (+ their constants)
    order = topological_order(y)
    assert order[0] is y and order[-1] is not y
    assert len(order) > 100_000
    y.backward()
    assert x.grad == 1.0


def test_topological_order_puts_users_before_inputs() -> None:
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    c = a * b
    d = c + a
    order = topological_order(d)
    pos = {id(v): i for i, v in enumerate(order)}
    assert order[0] is d
    for v in order:
        for child in v._prev:
            assert pos[id(v)] < pos[id(child)], f"{v} must come before its input {child}"
    assert len(order) == len({id(v) for v in order}) == 4


def test_repr_shows_data_and_grad() -> None:
    v = Value(4.0)
    assert repr(v) == "Value(data=4.0, grad=0.0)"
    assert repr(Value(1.5, label="w")) == "Value(data=1.5, grad=0.0, label='w')"


def test_graph_bookkeeping_for_the_picture() -> None:
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    c = a * b
    assert c._op == "*" and c._prev == (a, b)
    assert a._op == "" and a._prev == ()


def test_pow_of_two_values() -> None:
    a, b = Value(2.0), Value(3.0)
    (a**b).backward()
    assert a.grad == pytest.approx(3 * 2.0**2)
    assert b.grad == pytest.approx(2.0**3 * math.log(2.0))
