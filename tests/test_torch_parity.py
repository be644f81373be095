"""Issue #14: no silent differences from PyTorch. Each test is one reproduced bug, run on both.

Sections follow the issue: A (silent wrong gradients), B (silent wrong forward results),
C (valid PyTorch code that failed here), D (torch raises, we must too), E (the same exception
type), F (grad_fn names). Each program is written once against the torch API and run by
``parity.same`` on tinygrad_edu and on PyTorch.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from parity import grad_of, same

import tinygrad_edu as tg

INF = float("inf")


# ----------------------------------------------------------------------- A1: masks select
@pytest.mark.parametrize("after", ["pow-1", "sqrt", "log", "rsqrt"])
@pytest.mark.parametrize("mask_op", ["relu", "clamp", "clamp_max", "maximum", "minimum", "where",
                                     "max", "amax", "max_dim"])
def test_a1_masked_places_get_exactly_zero(mask_op: str, after: str) -> None:
    """A pole after a mask (relu(x) ** -1 at x <= 0): masked places get 0, never inf * 0 = nan."""

    def program(lib):
        x = lib.tensor([-1.0, 0.0, 2.0, 3.0], requires_grad=True)
        y = {
            "relu": lambda: x.relu(),
            "clamp": lambda: x.clamp(min=0.0),
            "clamp_max": lambda: x.clamp(max=0.0) + x.clamp(min=0.0),
            "maximum": lambda: x.maximum(lib.zeros(4)),
            "minimum": lambda: x.minimum(lib.zeros(4)) + x.relu(),
            "where": lambda: lib.where(x > 0, x, lib.zeros(4)),
            "max": lambda: x.max() * lib.tensor([0.0, 1.0, 1.0, 0.0]),
            "amax": lambda: x.reshape(2, 2).amax(0).repeat_interleave(2)
            if hasattr(lib.Tensor, "repeat_interleave") else x.reshape(2, 2).amax(0)[[0, 0, 1, 1]],
            "max_dim": lambda: x.reshape(2, 2).max(1).values[[0, 0, 1, 1]],
        }[mask_op]()
        z = {"pow-1": lambda: y**-1, "sqrt": lambda: y.sqrt(), "log": lambda: y.log(),
             "rsqrt": lambda: y.sqrt() ** -1}[after]()
        return grad_of(lib, (z * lib.tensor([0.0, 1.0, 1.0, 1.0])).sum(), x)

    same(program, check_names=False, what=f"{mask_op} then {after}")


def test_a1_relu_pow_example_from_the_issue() -> None:
    x = tg.tensor([-1.0, 2.0], requires_grad=True)
    (x.relu() ** -1).sum().backward()
    assert x.grad.tolist() == [0.0, -0.25]


# ----------------------------------------------------------------------- A2: clamp tensor bounds
@pytest.mark.parametrize("which", ["min", "max", "both", "both_crossed"])
def test_a2_clamp_tensor_bounds_get_gradients(which: str) -> None:
    def program(lib):
        x = lib.tensor([0.5, 2.0, -3.0, 1.0], requires_grad=True)
        lo = lib.tensor([1.0, 0.0, -1.0, 1.0], requires_grad=True)
        hi = lib.tensor([1.5, 1.0, 0.0, 1.0], requires_grad=True)
        if which == "both_crossed":
            lo, hi = hi, lo
        kwargs = {"min": {"min": lo}, "max": {"max": hi}}.get(which, {"min": lo, "max": hi})
        y = x.clamp(**kwargs)
        return y, grad_of(lib, (y * lib.tensor([1.0, 2.0, 3.0, 4.0])).sum(), x, lo, hi)

    same(program, what=f"clamp {which}")


def test_a2_clamp_only_bound_requires_grad() -> None:
    def program(lib):
        lo = lib.tensor([1.0, 0.0], requires_grad=True)
        y = lib.tensor([0.5, 2.0]).clamp(min=lo)
        return y, grad_of(lib, y.sum(), lo)

    same(program)


# ----------------------------------------------------------------------- A3: spread at zero
@pytest.mark.parametrize("reduce", ["std", "var", "norm2", "norm3", "norm1", "norm_inf",
                                    "norm_half", "std_dim", "norm_dim"])
def test_a3_zero_spread_gives_zero_gradient(reduce: str) -> None:
    def program(lib):
        x = lib.tensor([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]], requires_grad=True)
        y = {
            "std": lambda: x[0].std(), "var": lambda: x[0].var(), "norm2": lambda: x[1].norm(),
            "norm3": lambda: x[1].norm(p=3), "norm1": lambda: x[1].norm(p=1),
            "norm_inf": lambda: x[1].norm(p=INF), "norm_half": lambda: x[1].norm(p=0.5),
            "std_dim": lambda: x.std(dim=1).sum(), "norm_dim": lambda: x.norm(dim=1).sum(),
        }[reduce]()
        return y, grad_of(lib, y, x)

    same(program, check_names=False, what=reduce)


# ----------------------------------------------------------------------- A4: power at zero
def test_a4_power_at_zero() -> None:
    def x_pow_0(lib):
        x = lib.tensor([0.0, 1.0, -2.0], requires_grad=True)
        return grad_of(lib, (x**0).sum(), x)

    def zero_pow_negative(lib):
        e = lib.tensor([-1.0, 2.0, 0.5, 0.0, -0.5], requires_grad=True)
        return grad_of(lib, (lib.zeros(5) ** e).sum(), e)

    def pow_tensor_tensor_at_zero(lib):
        x = lib.tensor([0.0, 0.0, 2.0], requires_grad=True)
        e = lib.tensor([0.0, 2.0, 0.0], requires_grad=True)
        return grad_of(lib, (x**e).sum(), x, e)

    def number_pow_tensor(lib):
        e = lib.tensor([-1.0, 2.0, 0.0], requires_grad=True)
        return 0.0**e, grad_of(lib, (0.0**e).sum(), e)

    for program in (x_pow_0, zero_pow_negative, pow_tensor_tensor_at_zero, number_pow_tensor):
        same(program, check_names=False)


def test_a4_documented_difference_signed_zero() -> None:
    """Deliberate differences, from NumPy's IEEE rules for -0.0 (we compute with NumPy):

    * ``(-0.0) ** -0.5`` is +inf here (C's pow) and -inf in PyTorch;
    * ``minimum(-0.0, 0.0)`` is 0.0 here, while torch's ``clamp(-0.0, max=0.0)`` keeps -0.0.

    Only the sign of an infinite or zero result differs; finite values agree.
    """
    assert (tg.tensor([-0.0]) ** -0.5).tolist() == [math.inf]
    assert (torch.tensor([-0.0]) ** -0.5).tolist() == [-math.inf]
    assert not np.signbit(tg.tensor([-0.0]).minimum(tg.tensor([0.0])).numpy()[0])
    assert np.signbit(torch.tensor([-0.0]).clamp(max=0.0).numpy()[0])


# ----------------------------------------------------------------------- A5: amax ties
@pytest.mark.parametrize("dim", [None, 0, 1, (0, 1)])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("name", ["amax", "amin"])
def test_a5_amax_amin_split_ties(dim, keepdim: bool, name: str) -> None:
    def program(lib):
        x = lib.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], requires_grad=True)
        y = getattr(x, name)(dim=() if dim is None else dim, keepdim=keepdim)
        return y, grad_of(lib, (y * 2).sum(), x)

    same(program, what=f"{name}(dim={dim}, keepdim={keepdim})")


def test_a5_max_and_min_of_all_split_ties() -> None:
    def program(lib):
        x = lib.tensor([[1.0, 3.0, 3.0], [3.0, 0.0, 0.0]], requires_grad=True)
        return grad_of(lib, x.max() + x.min(), x)

    same(program)


# ----------------------------------------------------------------------- C2: saved values
def test_c2_pow_by_number_saves_only_its_input() -> None:
    def program(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x**2
        y.mul_(3)
        return grad_of(lib, y.sum(), x)

    same(program)


def test_c2_pow_tensor_tensor_saves_its_result() -> None:
    def program(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        e = lib.tensor([2.0, 3.0], requires_grad=True)
        y = x**e
        y.mul_(3)
        return grad_of(lib, y.sum(), x, e)

    same(program)  # PyTorch refuses (PowBackward1 saved the result): we must too


@pytest.mark.parametrize("op", ["exp", "tanh", "sigmoid", "sqrt", "relu", "log", "abs", "max",
                                "norm", "std", "var", "amax", "softmax", "log_softmax", "pow2",
                                "pow_t", "rpow", "mul", "div", "matmul", "maximum", "clamp"])
def test_c2_inplace_after_op_matches_torch_version_check(op: str) -> None:
    """The in-place change of an op's output (or of its input) is refused exactly where torch
    refuses: where the op saved that tensor for backward."""

    def make(lib):
        x = lib.tensor([[1.0, 2.0], [3.0, 0.5]], requires_grad=True)
        w = lib.tensor([[0.5, -1.0], [2.0, 1.5]], requires_grad=True)
        f = {
            "exp": lambda a: a.exp(), "tanh": lambda a: a.tanh(), "sigmoid": lambda a: a.sigmoid(),
            "sqrt": lambda a: a.sqrt(), "relu": lambda a: a.relu(), "log": lambda a: a.log(),
            "abs": lambda a: a.abs(), "max": lambda a: a.max(), "norm": lambda a: a.norm(),
            "std": lambda a: a.std(), "var": lambda a: a.var(), "amax": lambda a: a.amax(1),
            "softmax": lambda a: a.softmax(1), "log_softmax": lambda a: a.log_softmax(1),
            "pow2": lambda a: a**2, "pow_t": lambda a: a**w, "rpow": lambda a: 2.0**a,
            "mul": lambda a: a * w, "div": lambda a: a / w, "matmul": lambda a: a @ w,
            "maximum": lambda a: a.maximum(w), "clamp": lambda a: a.clamp(0.6, 2.5),
        }[op]
        return x, f

    def change_output(lib):
        x, f = make(lib)
        h = x * 1
        y = f(h)
        y.add_(1)
        return grad_of(lib, y.sum(), x)

    def change_input(lib):
        x, f = make(lib)
        h = x * 1
        y = f(h)
        h.add_(1)
        return grad_of(lib, y.sum(), x)

    same(change_output, check_names=False, what=f"{op}: output changed in place")
    same(change_input, check_names=False, what=f"{op}: input changed in place")


# ----------------------------------------------------------------------- double backward
UNARY = {
    "exp": lambda x: x.exp(), "log": lambda x: x.log(), "sqrt": lambda x: x.sqrt(),
    "tanh": lambda x: x.tanh(), "sigmoid": lambda x: x.sigmoid(), "relu": lambda x: x.relu(),
    "abs": lambda x: x.abs(), "neg": lambda x: -x, "pow3": lambda x: x**3,
    "pow_half": lambda x: x**0.5, "rpow": lambda x: 2.0**x, "rdiv": lambda x: 2.0 / x,
    "rsub": lambda x: 1 - x, "square": lambda x: x * x, "clamp": lambda x: x.clamp(0.5, 1.5),
    "softmax": lambda x: x.softmax(-1), "log_softmax": lambda x: x.log_softmax(-1),
    "sum": lambda x: x.sum(0), "mean": lambda x: x.mean(-1, keepdim=True),
    "max": lambda x: x.max(), "max_dim": lambda x: x.max(1).values, "amax": lambda x: x.amax(0),
    "var": lambda x: x.var(1), "std": lambda x: x.std(), "norm": lambda x: x.norm(),
    "norm3": lambda x: x.norm(p=3, dim=1), "index": lambda x: x[[0, 0, 1], 1:],
    "slice": lambda x: x[1:, 0], "T": lambda x: x.T, "reshape": lambda x: x.reshape(-1),
    "expand": lambda x: x[:, :1].expand(2, 3), "unsqueeze": lambda x: x.unsqueeze(1),
    "cat": lambda x: x.__class__.__module__ and _cat(x), "to64": lambda x: x.double(),
    "clone": lambda x: x.clone(),
}


def _cat(x):
    lib = tg if isinstance(x, tg.Tensor) else torch
    return lib.cat([x, x * x], dim=1)


BINARY = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "pow": lambda a, b: a**b, "matmul": lambda a, b: a @ b.T,
    "maximum": lambda a, b: a.maximum(b), "minimum": lambda a, b: a.minimum(b),
    "where": lambda a, b: (tg if isinstance(a, tg.Tensor) else torch).where(a > b, a * a, b),
    "clamp_t": lambda a, b: a.clamp(min=b), "stack": lambda a, b: (
        tg if isinstance(a, tg.Tensor) else torch).stack([a, b * a]),
}


def _second_order(lib, f, *values, square=False):
    """Hessian-vector products: d/dx <v, d L/dx> for L = sum(w * f(x)) (or w * f(x)^2, so the
    gradient flowing into f's backward itself requires grad)."""
    xs = [lib.tensor(v, requires_grad=True) for v in values]
    y = f(*xs)
    w = lib.tensor(np.linspace(0.5, 1.5, y.numel()).reshape(tuple(y.shape)))
    loss = (y * y * w).sum() if square else (y * w).sum()
    grads = lib.autograd.grad(loss, xs, create_graph=True)
    vs = [lib.tensor(np.cos(np.arange(np.size(v)) + 1.0).reshape(np.shape(v))) for v in values]
    inner = sum((g * v).sum() for g, v in zip(grads, vs))
    second = lib.autograd.grad(inner, xs, allow_unused=True)
    return grads, tuple(lib.zeros_like(x) if s is None else s for s, x in zip(second, xs))


X = np.array([[0.7, 1.3, 0.2], [1.1, 0.4, 1.9]])
Y = np.array([[0.9, 1.3, 1.5], [0.3, 0.6, 1.2]])


@pytest.mark.parametrize("square", [False, True])
@pytest.mark.parametrize("op", list(UNARY))
def test_double_backward_unary(op: str, square: bool) -> None:
    same(lambda lib: _second_order(lib, UNARY[op], X, square=square), rtol=1e-9, atol=1e-10,
         check_names=False, what=f"double backward of {op}")


@pytest.mark.parametrize("square", [False, True])
@pytest.mark.parametrize("op", list(BINARY))
def test_double_backward_binary(op: str, square: bool) -> None:
    same(lambda lib: _second_order(lib, BINARY[op], X, Y, square=square), rtol=1e-9,
         atol=1e-10, check_names=False, what=f"double backward of {op}")


def test_second_derivative_of_tanh() -> None:
    def program(lib):
        x = lib.linspace(-3, 3, 13, requires_grad=True) if lib is torch else lib.tensor(
            np.linspace(-3, 3, 13, dtype=np.float32), requires_grad=True)
        (d1,) = lib.autograd.grad(x.tanh().sum(), x, create_graph=True)
        (d2,) = lib.autograd.grad(d1.sum(), x, create_graph=True)
        (d3,) = lib.autograd.grad(d2.sum(), x)
        return d1, d2, d3

    same(program, check_names=False)
    x = tg.tensor(np.linspace(-3, 3, 13), requires_grad=True)
    (d1,) = tg.autograd.grad(x.tanh().sum(), x, create_graph=True)
    (d2,) = tg.autograd.grad(d1.sum(), x)
    t = np.tanh(np.linspace(-3, 3, 13))
    np.testing.assert_allclose(d2.numpy(), -2 * t * (1 - t**2), rtol=1e-12)


def test_hessian_vector_product_of_an_mlp_loss() -> None:
    def program(lib):
        rng = np.random.default_rng(0)
        w1 = lib.tensor(rng.standard_normal((4, 5)), requires_grad=True)
        w2 = lib.tensor(rng.standard_normal((5, 1)), requires_grad=True)
        x = lib.tensor(rng.standard_normal((8, 4)))
        loss = ((x @ w1).tanh() @ w2).sigmoid().log().mean()
        g1, g2 = lib.autograd.grad(loss, [w1, w2], create_graph=True)
        v1, v2 = lib.ones_like(w1), lib.ones_like(w2) * 0.5
        hv = lib.autograd.grad((g1 * v1).sum() + (g2 * v2).sum(), [w1, w2])
        return loss, g1, g2, hv

    same(program, rtol=1e-9, atol=1e-12, check_names=False)


def test_gradient_penalty_with_backward_create_graph() -> None:
    """WGAN-GP: penalise ||d critic / d input|| - 1; the weights' .grad comes through it."""

    def program(lib):
        rng = np.random.default_rng(1)
        w = lib.tensor(rng.standard_normal((3, 4)), requires_grad=True)
        b = lib.tensor(rng.standard_normal(4), requires_grad=True)
        x = lib.tensor(rng.standard_normal((5, 3)), requires_grad=True)
        critic = (x @ w + b).relu().sum(dim=1)
        (gx,) = lib.autograd.grad(critic, x, grad_outputs=lib.ones_like(critic),
                                  create_graph=True, retain_graph=True)
        penalty = ((gx.norm(dim=1) - 1) ** 2).mean()
        penalty.backward()
        return penalty, w.grad, b.grad, x.grad

    same(program, rtol=1e-9, atol=1e-12, check_names=False)


def test_backward_create_graph_fills_grad_with_a_graph() -> None:
    def program(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (x**3).sum().backward(create_graph=True)
        g = x.grad
        x.grad = None
        g.sum().backward()
        return g, x.grad

    same(program, check_names=False)
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    (x**3).sum().backward(create_graph=True)
    assert x.grad.requires_grad and x.grad.grad_fn is not None


def test_grad_arguments_allow_unused_and_retain_graph() -> None:
    def unused(lib):
        x = lib.tensor([1.0], requires_grad=True)
        z = lib.tensor([2.0], requires_grad=True)
        return lib.autograd.grad((x * 2).sum(), [x, z], allow_unused=True)

    def unused_refused(lib):
        x = lib.tensor([1.0], requires_grad=True)
        z = lib.tensor([2.0], requires_grad=True)
        return lib.autograd.grad((x * 2).sum(), [x, z])

    def materialized(lib):
        x = lib.tensor([1.0], requires_grad=True)
        z = lib.tensor([2.0], requires_grad=True)
        return lib.autograd.grad((x * 2).sum(), [x, z], materialize_grads=True)

    def freed(lib):
        x = lib.tensor([1.0], requires_grad=True)
        y = (x.exp() * 2).sum()
        lib.autograd.grad(y, x)
        return lib.autograd.grad(y, x)

    def retained(lib):
        x = lib.tensor([1.0], requires_grad=True)
        y = (x.exp() * 2).sum()
        lib.autograd.grad(y, x, retain_graph=True)
        return lib.autograd.grad(y, x)

    def vector_output(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        return lib.autograd.grad(x * x, x, grad_outputs=lib.tensor([1.0, -1.0]))

    def create_graph_keeps_graph(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x.tanh() * x).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        return g, lib.autograd.grad(y, x)  # the first call retained the graph

    def second_order_of_learners_function(lib):
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x**3

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return grad * 3 * x**2

        x = lib.tensor([1.0, 2.0], requires_grad=True)
        (g,) = lib.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
        return g, lib.autograd.grad(g.sum(), x)

    for program in (unused, unused_refused, materialized, freed, retained, vector_output,
                    create_graph_keeps_graph, second_order_of_learners_function):
        same(program, check_names=False, what=program.__name__)


# ----------------------------------------------------------------------- B, D, E: forward parity
def T(lib, *args, **kwargs):  # noqa: N802
    return lib.tensor(*args, **kwargs)


FORWARD = {
    # B1: integers are applied first (a select), then the array indices: torch's dim order
    "B1 x[0, :, [0, 1]]": lambda lib: lib.arange(24.0).reshape(2, 3, 4)[0, :, [0, 1]],
    "B1 x[[0, 1], :, 0]": lambda lib: lib.arange(24.0).reshape(2, 3, 4)[[0, 1], :, 0],
    "B1 x[0, [0, 2], 1:]": lambda lib: lib.arange(24.0).reshape(2, 3, 4)[0, [0, 2], 1:],
    "B1 x[None, 0, ..., [1]]": lambda lib: lib.arange(24.0).reshape(2, 3, 4)[None, 0, ..., [1]],
    "B1 x[1, mask]": lambda lib: lib.arange(24.0).reshape(2, 3, 4)[1, T(lib, [True, False, True])],
    "B2 where(c, int, 0.5)": lambda lib: lib.where(T(lib, [True, False]), T(lib, [1, 0]), 0.5),
    "B2 where(c, float, 0)": lambda lib: lib.where(T(lib, [True, False]), T(lib, [1.0, 2.0]), 0),
    "B4 amax keepdim": lambda lib: lib.ones(2, 3).amax(dim=None, keepdim=True)
    if lib is tg else lib.ones(2, 3).amax(dim=(0, 1), keepdim=True),
    "B4 any 0-d": lambda lib: T(lib, True).any() | T(lib, False),
    "B4 all 0-d": lambda lib: T(lib, 1.0).all(),
    "B4 ~ 0-d": lambda lib: ~T(lib, True) & T(lib, True),
    "B4 logical_not 0-d": lambda lib: T(lib, 2.0).logical_not(),
    "B4 argmax 1-D dim": lambda lib: T(lib, [1.0, 3.0, 2.0]).argmax(0) + 1,
    "B5 exp uint8": lambda lib: T(lib, [1, 2], dtype=lib.uint8).exp(),
    "B5 log bool": lambda lib: T(lib, [True, False]).log(),
    "B5 sqrt int8": lambda lib: T(lib, [1, 4], dtype=lib.int8).sqrt(),
    "B5 tanh int64": lambda lib: T(lib, [1, -2]).tanh(),
    "B5 sigmoid int": lambda lib: T(lib, [1, 2]).sigmoid(),
    "B6 flatten(2, 1)": lambda lib: lib.zeros(2, 3, 4).flatten(2, 1),
    "B7 long()": lambda lib: T(lib, [1.5, 2.0], requires_grad=True).long(),
    "B7 int()": lambda lib: T(lib, [1.5, 2.0], requires_grad=True).int(),
    "B7 bool()": lambda lib: T(lib, [1.5, 0.0], requires_grad=True).bool(),
    "B7 to(int64)": lambda lib: T(lib, [1.5, 2.0], requires_grad=True).to(lib.int64),
    "C6 0-d max(dim=0)": lambda lib: T(lib, 1.0, requires_grad=True).max(dim=0),
    "C6 0-d min(dim=-1)": lambda lib: T(lib, 1.0, requires_grad=True).min(dim=-1),
    "C6 0-d transpose": lambda lib: T(lib, 1.0).transpose(0, -1),
    "C6 0-d mT": lambda lib: T(lib, 1.0).mT,
    "C6 softmax empty": lambda lib: lib.ones(2, 0).softmax(-1),
    "C6 log_softmax empty": lambda lib: lib.ones(0, 2).log_softmax(0),
    "C6 max(dim) empty": lambda lib: lib.ones(2, 0).max(dim=0),
    "C6 x[[]]": lambda lib: T(lib, [1.0, 2.0])[[]],
    "C6 cat with tensor([])": lambda lib: lib.cat([T(lib, []), lib.ones(2, 3)]),
    "D1 bool - bool": lambda lib: T(lib, [True]) - T(lib, [False]),
    "D1 -bool": lambda lib: -T(lib, [True]),
    "D1 bool.neg()": lambda lib: T(lib, [True]).neg(),
    "D1 relu bool": lambda lib: T(lib, [True]).relu(),
    "D1 abs bool": lambda lib: T(lib, [True]).abs(),
    "D1 argmax bool": lambda lib: T(lib, [True, False]).argmax(),
    "D1 softmax int": lambda lib: T(lib, [1, 2]).softmax(0),
    "D1 matmul bool": lambda lib: T(lib, [[True]]) @ T(lib, [[True]]),
    "D1 bool ** bool": lambda lib: T(lib, [True]) ** T(lib, [True]),
    "D1 norm int": lambda lib: T(lib, [1, 2]).norm(),
    "D2 float32 @ float64": lambda lib: T(lib, [[1.0]]) @ T(lib, [[1.0]], dtype=lib.float64),
    "D2 mm 1-D": lambda lib: T(lib, [1.0, 2.0]).mm(T(lib, [[1.0], [2.0]])),
    "D2 dot 2-D": lambda lib: T(lib, [[1.0, 2.0]]).dot(T(lib, [[1.0, 2.0]])),
    "D3 maximum(x, 1.5)": lambda lib: T(lib, [1.0]).maximum(1.5),
    "D3 x[::-1]": lambda lib: T(lib, [1.0, 2.0])[::-1],
    "D3 0-d sum(dim=3)": lambda lib: T(lib, 1.0).sum(dim=3),
    "D3 int add alpha=0.5": lambda lib: T(lib, [1, 2]).add(T(lib, [1, 2]), alpha=0.5),
    "E compare broadcast": lambda lib: T(lib, [1.0, 2.0]) < T(lib, [1.0, 2.0, 3.0]),
    "E clamp bound broadcast": lambda lib: T(lib, [1.0, 2.0]).clamp(min=T(lib, [1.0, 2.0, 3.0])),
    "E setitem no broadcast": lambda lib: T(lib, [1.0, 2.0]).__setitem__(
        slice(None), T(lib, [1.0, 2.0, 3.0])),
    "E int ** -1": lambda lib: T(lib, [1, 2]) ** -1,
    "E cat 0-d": lambda lib: lib.cat([T(lib, 1.0), T(lib, 2.0)]),
    "E softmax bool": lambda lib: T(lib, [True]).softmax(0),
    "E log_softmax bool": lambda lib: T(lib, [True]).log_softmax(0),
    "E argmax empty dim": lambda lib: lib.ones(0).argmax(0),
    "E amax empty dim": lambda lib: lib.ones(2, 0).amax(1),
    "E mT 1-D": lambda lib: T(lib, [1.0, 2.0]).mT,
    "int results": lambda lib: (T(lib, [1, 2]) ** 2, 2 ** T(lib, [1, 2]), T(lib, [True]) ** 2,
                                T(lib, [1, -2]).relu(), T(lib, [1, -2]).abs(),
                                T(lib, [True, False]).clamp(0, 1), T(lib, [True, True]).sum(),
                                T(lib, [[1, 2]]) @ T(lib, [[1], [2]]), T(lib, [1, 2]) / 2),
    "bool results": lambda lib: (T(lib, [True]) + T(lib, [True]), T(lib, [True]) * T(lib, [True]),
                                 T(lib, [True, False]).max(), T(lib, [True, False]).amax()),
}


@pytest.mark.parametrize("case", list(FORWARD))
def test_forward_results_and_errors_match_torch(case: str) -> None:
    same(FORWARD[case], what=case)


def test_b1_setitem_with_integers_and_array_indices_uses_torch_dim_order() -> None:
    def program(lib):
        x = lib.tensor(np.arange(24.0).reshape(2, 3, 4), requires_grad=True)
        v = lib.tensor(np.arange(6.0).reshape(3, 2) * 10, requires_grad=True)
        y = x * 1
        y[0, :, [0, 1]] = v
        (y * y).sum().backward()
        return y, x.grad, v.grad

    same(program, check_names=False)


def test_b3_basic_indexing_to_0d_is_a_view() -> None:
    def program(lib):
        x = lib.tensor([1.0, 2.0])
        x[0].add_(10)
        y = lib.tensor([[1.0, 2.0], [3.0, 4.0]])
        y[1, 0].mul_(2)
        return x, y

    same(program)


# ----------------------------------------------------------------------- C: valid torch code
def _c1_setitem_0d(lib):
    x = lib.tensor(1.0, requires_grad=True)
    y = x * 2
    y[()] = 5.0
    z = y * x
    z.backward()
    return x.grad, y


def _c1_setitem_0d_ellipsis(lib):
    x = lib.tensor(1.0, requires_grad=True)
    y = x * 2
    y[...] = x * 3
    y.backward()
    return x.grad


def _c3_value_with_leading_ones(lib):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = lib.tensor([[5.0, 6.0]], requires_grad=True)
    y = x * 1
    y[0:2] = v
    (y * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
    return y, x.grad, v.grad


def _c3_value_with_leading_ones_at_a_point(lib):
    x = lib.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    v = lib.tensor([[[5.0]]], requires_grad=True)
    y = x * 1
    y[0, 1] = v
    (y * 2).sum().backward()
    return y, x.grad, v.grad


VIEWS = {
    "x.T.view(3, 2)": lambda x: x.T.view(3, 2),
    "x[:, :2].view(2, 2)": lambda x: x[:, :2].view(2, 2),
    "x.T.view(6)": lambda x: x.T.view(6),
    "x.T.view(3, 1, 2)": lambda x: x.T.view(3, 1, 2),
    "x[:, 1:].view(4)": lambda x: x[:, 1:].view(4),
    "x[:, ::2].view(2, 2)": lambda x: x[:, ::2].view(2, 2),
    "x[::2].view(3)": lambda x: x[::2].view(3),
}


@pytest.mark.parametrize("case", list(VIEWS))
def test_c4_view_follows_the_stride_rule(case: str) -> None:
    def program(lib):
        x = lib.arange(6.0).reshape(2, 3)
        v = VIEWS[case](x)
        v.mul_(10)  # a view shares memory: the change shows in x
        return v, x

    same(program, what=case)


INPLACE_ON_EXPANDED = {
    "overlapping": lambda lib: lib.tensor([[1.0], [2.0]]).expand(2, 3),
    "new leading 1": lambda lib: lib.tensor([1.0, 2.0]).expand(1, 2),
    "same shape": lambda lib: lib.tensor([1.0, 2.0]).expand(2),
    "expand_as": lambda lib: lib.tensor([1.0, 2.0]).expand_as(lib.zeros(3, 2)),
}


@pytest.mark.parametrize("case", list(INPLACE_ON_EXPANDED))
def test_c5_inplace_on_expanded(case: str) -> None:
    def program(lib):
        e = INPLACE_ON_EXPANDED[case](lib)
        e.add_(1)
        return e

    same(program, what=case)


def _c7_issue_example(lib):
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 2
    y[:, 0].mul_(3)
    y.sum().backward()
    return x.grad, y


def _c7_view_reads_the_new_values(lib):
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 2
    v = y[0]
    v.add_(x[1] ** 2)
    (y * y).sum().backward()
    return x.grad, y, v


def _c7_saved_output_changed_through_a_view(lib):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.exp()
    y[1:].mul_(2)
    y.sum().backward()
    return x.grad


def _c7_view_then_used(lib):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    v = y[1:]
    v.mul_(x[:2])
    (v * 3).sum().backward()
    return x.grad, v


def _c7_transposed_view(lib):
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x.clone()
    y.T[0].zero_()
    (y * lib.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    return x.grad, y


def _c7_base_without_grad(lib):
    a = lib.tensor([1.0, 2.0])
    w = lib.tensor([3.0, 4.0], requires_grad=True)
    a[0:1].mul_(w[0:1])
    (a * a).sum().backward()
    return w.grad, a


def _c7_setitem_on_a_view(lib):
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 1
    y[1][0] = x[0, 0] * 5
    (y * y).sum().backward()
    return x.grad, y


def _c7_view_of_a_leaf_refused(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    x[0:1].mul_(2)
    return x


def _c7_double_backward_through_copy_slices(lib):
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * x
    y[:, 0].mul_(x[:, 1])
    (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
    return g, lib.autograd.grad((g * g).sum(), x)


@pytest.mark.parametrize("program", [
    _c1_setitem_0d, _c1_setitem_0d_ellipsis, _c3_value_with_leading_ones,
    _c3_value_with_leading_ones_at_a_point, _c7_issue_example, _c7_view_reads_the_new_values,
    _c7_saved_output_changed_through_a_view, _c7_view_then_used, _c7_transposed_view,
    _c7_base_without_grad, _c7_setitem_on_a_view, _c7_view_of_a_leaf_refused,
    _c7_double_backward_through_copy_slices,
], ids=lambda f: f.__name__)
def test_c_valid_torch_programs(program) -> None:
    same(program, what=program.__name__)


# ----------------------------------------------------------------------- F: grad_fn names
def _leaf(lib, *shape):
    n = int(np.prod(shape)) if shape else 1
    return lib.tensor(np.linspace(-1.0, 1.3, n).reshape(shape), requires_grad=True)


FORMS = {
    "x + y": lambda lib, x, y: x + y, "x + 1": lambda lib, x, y: x + 1,
    "1 + x": lambda lib, x, y: 1 + x, "x - y": lambda lib, x, y: x - y,
    "x - 1": lambda lib, x, y: x - 1, "1 - x": lambda lib, x, y: 1 - x,
    "x * y": lambda lib, x, y: x * y, "2 * x": lambda lib, x, y: 2 * x,
    "x / y": lambda lib, x, y: x / y, "x / 2": lambda lib, x, y: x / 2,
    "x ** 2": lambda lib, x, y: x**2, "x ** y": lambda lib, x, y: x.abs() ** y,
    "2.0 ** x": lambda lib, x, y: 2.0**x, "-x": lambda lib, x, y: -x,
    "exp": lambda lib, x, y: x.exp(), "log": lambda lib, x, y: x.abs().log(),
    "sqrt": lambda lib, x, y: x.abs().sqrt(), "tanh": lambda lib, x, y: x.tanh(),
    "sigmoid": lambda lib, x, y: x.sigmoid(), "relu": lambda lib, x, y: x.relu(),
    "abs": lambda lib, x, y: x.abs(), "maximum": lambda lib, x, y: x.maximum(y),
    "minimum": lambda lib, x, y: x.minimum(y), "clamp(numbers)": lambda lib, x, y: x.clamp(0, 1),
    "clamp(min=number)": lambda lib, x, y: x.clamp(min=0),
    "clamp(tensor)": lambda lib, x, y: x.clamp(min=y),
    "where": lambda lib, x, y: lib.where(x > 0, x, y),
    "sum()": lambda lib, x, y: x.sum(), "sum(0)": lambda lib, x, y: x.sum(0),
    "sum(None, keepdim)": lambda lib, x, y: x.sum(dim=None, keepdim=True),
    "mean()": lambda lib, x, y: x.mean(), "mean(1)": lambda lib, x, y: x.mean(1),
    "mean(None, keepdim)": lambda lib, x, y: x.mean(dim=None, keepdim=True),
    "max()": lambda lib, x, y: x.max(), "max(0)": lambda lib, x, y: x.max(0).values,
    "min()": lambda lib, x, y: x.min(), "min(1)": lambda lib, x, y: x.min(1).values,
    "amax": lambda lib, x, y: x.amax(0), "amin": lambda lib, x, y: x.amin(1),
    "norm": lambda lib, x, y: x.norm(), "norm(p=1, dim=0)": lambda lib, x, y: x.norm(p=1, dim=0),
    "var": lambda lib, x, y: x.var(), "std(1)": lambda lib, x, y: x.std(1),
    "softmax": lambda lib, x, y: x.softmax(1), "log_softmax": lambda lib, x, y: x.log_softmax(0),
    "x @ y.T": lambda lib, x, y: x @ y.T, "x[0] @ y[0]": lambda lib, x, y: x[0] @ y[0],
    "x @ y[0]": lambda lib, x, y: x @ y[0],
    "batch @ matrix": lambda lib, x, y: x.reshape(1, 2, 3) @ y.T,
    "batch @ vector": lambda lib, x, y: x.reshape(1, 2, 3) @ y[0],
    "batch @ batch": lambda lib, x, y: x.reshape(1, 2, 3) @ y.T.reshape(1, 3, 2),
    "broadcast batches": lambda lib, x, y: x.reshape(2, 1, 1, 3) @ (y.T * 1).expand(3, 3, 2),
    "batch @ broadcast batch": lambda lib, x, y: x.expand(2, 2, 3) @ y.T.reshape(1, 3, 2),
    "reshape": lambda lib, x, y: x.reshape(3, 2), "view": lambda lib, x, y: x.view(-1),
    "flatten()": lambda lib, x, y: x.flatten(), "flatten(1)": lambda lib, x, y: x.flatten(1),
    "permute": lambda lib, x, y: x.permute(1, 0), "transpose": lambda lib, x, y: x.transpose(0, 1),
    "t()": lambda lib, x, y: x.t(), "T": lambda lib, x, y: x.T, "mT": lambda lib, x, y: x.mT,
    "t() of 1-D": lambda lib, x, y: x[0].t(), "T of 1-D": lambda lib, x, y: x[0].T,
    "squeeze()": lambda lib, x, y: x[None].squeeze(),
    "squeeze(0)": lambda lib, x, y: x[None].squeeze(0),
    "unsqueeze": lambda lib, x, y: x.unsqueeze(1), "expand": lambda lib, x, y: x[:1].expand(4, 3),
    "x[0]": lambda lib, x, y: x[0], "x[:, 1]": lambda lib, x, y: x[:, 1],
    "x[0, 0:3]": lambda lib, x, y: x[0, 0:3], "x[0, 1:]": lambda lib, x, y: x[0, 1:],
    "x[:, ...]": lambda lib, x, y: x[:, ...], "x[...]": lambda lib, x, y: x[...],
    "x[:]": lambda lib, x, y: x[:], "x[1:]": lambda lib, x, y: x[1:],
    "x[None]": lambda lib, x, y: x[None], "x[:, None]": lambda lib, x, y: x[:, None],
    "x[..., 0]": lambda lib, x, y: x[..., 0], "x[::2]": lambda lib, x, y: x[:, ::2],
    "x[[0, 1]]": lambda lib, x, y: x[[0, 1]], "x[x > 0]": lambda lib, x, y: x[x > 0],
    "split": lambda lib, x, y: x.split(2, dim=1)[1],
    "split sizes": lambda lib, x, y: x.split([1, 2], 1)[0],
    "chunk": lambda lib, x, y: x.chunk(2)[0], "unbind": lambda lib, x, y: x.unbind(1)[2],
    "cat": lambda lib, x, y: lib.cat([x, y]), "stack": lambda lib, x, y: lib.stack([x, y]),
    "clone": lambda lib, x, y: x.clone(), "double()": lambda lib, x, y: x.double(),
    "setitem": lambda lib, x, y: _setitem(x * 1, y), "detach": lambda lib, x, y: x.detach(),
}


def _setitem(z, y):
    z[0, 1:] = y[1, :2]
    return z


@pytest.mark.parametrize("form", list(FORMS))
def test_f_grad_fn_name_of_every_op_form(form: str) -> None:
    same(lambda lib: FORMS[form](lib, _leaf(lib, 2, 3), _leaf(lib, 2, 3) * 1 + 0.5),
         what=form)


def test_f_flatten_with_nothing_to_flatten_is_the_tensor_itself() -> None:
    for lib in (tg, torch):
        x = lib.ones(3, requires_grad=True)
        assert x.flatten() is x
        y = lib.ones(2, 3)
        assert y.flatten(1) is y


@pytest.mark.parametrize("loss", ["cross_entropy", "bce_with_logits", "mse", "linear_tanh"])
def test_double_backward_through_nn_losses_and_layers(loss: str) -> None:
    """Gradient penalties through the fused nn nodes (NllLoss, BCE-with-logits, Addmm)."""

    def program(lib):
        rng = np.random.default_rng(3)
        x = lib.tensor(rng.standard_normal((4, 3)), requires_grad=True)
        if loss == "cross_entropy":
            out = lib.nn.functional.cross_entropy(x, lib.tensor([0, 2, 1, 2]))
        elif loss == "bce_with_logits":
            target = lib.tensor(rng.integers(0, 2, (4, 3)).astype(np.float64))
            out = lib.nn.functional.binary_cross_entropy_with_logits(x, target)
        elif loss == "mse":
            out = lib.nn.functional.mse_loss(x, lib.tensor(rng.standard_normal((4, 3))))
        else:
            lin = lib.nn.Linear(3, 2).double()
            with lib.no_grad():
                lin.weight.copy_(lib.tensor(rng.standard_normal((2, 3))))
                lin.bias.copy_(lib.tensor(rng.standard_normal(2)))
            out = lin(x).tanh().sum()
        (g,) = lib.autograd.grad(out, x, create_graph=True)
        (g * g).sum().backward()
        return out, g, x.grad

    same(program, rtol=1e-9, atol=1e-12, check_names=False, what=loss)


@pytest.mark.parametrize("op", ["tanh", "exp", "sigmoid", "sqrt", "relu", "max", "norm", "std",
                                "var", "amax"])
def test_d4_version_check_on_0d_and_saved_outputs(op: str) -> None:
    """``y = x.tanh(); y.sub_(1); y.backward()`` on a 0-d x must raise, as in torch (and the
    same for every op that saves its output)."""

    def program(lib):
        x = lib.tensor(0.5, requires_grad=True) if op in ("tanh", "exp", "sigmoid", "sqrt",
                                                           "relu") else lib.tensor(
            [0.5, 2.0, 1.0], requires_grad=True)
        y = getattr(x, op)()
        y.sub_(1)
        y.backward()
        return x.grad

    same(program, what=op)
