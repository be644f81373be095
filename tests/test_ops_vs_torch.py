"""Every differentiable op against PyTorch: same values, same gradients, in float64.

Each test builds the same expression twice, once with ``tinygrad_edu`` and once with real
``torch`` (the oracle), on inputs drawn by hypothesis (shapes that broadcast, random dims,
``keepdim``), backpropagates the same *random* upstream gradient (not just ones, so a gradient
that is wrong by a transpose or a missing factor cannot hide), and compares:

* the forward values and dtypes,
* d(out)/d(input) for every input,

with rtol 1e-10. A failure says which op, which input, the shapes, and expected vs got.
Then ``tinygrad_edu.autograd.gradcheck`` checks each backward against finite differences,
so an op that is wrong in *both* frameworks' sense would still be caught.
"""
from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

import tinygrad_edu as tg
from tinygrad_edu.autograd import gradcheck

RTOL, ATOL = 1e-10, 1e-12
SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

shapes = array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
nonempty_shapes = array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)
pairs = mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)
seeds = st.integers(0, 2**32 - 1)


# ------------------------------------------------------------------------------------ helpers
def _describe(arrays: tuple) -> str:
    return ", ".join(f"input {i}: shape {tuple(a.shape)}" for i, a in enumerate(arrays))


def check_vs_torch(op: str, fn: Callable[..., Any], *arrays: np.ndarray, seed: int = 0,
                   grad: bool = True, check_gradcheck: bool = True,
                   no_grad_args: tuple = ()) -> None:
    """Run ``fn(lib, *inputs)`` with lib = tinygrad_edu and lib = torch; values and grads match.

    ``arrays`` become float64 leaves that require grad; ``no_grad_args`` are passed after them
    as plain tensors of each framework (integer indices, bool masks, conditions).
    """
    arrays = tuple(np.asarray(a) for a in arrays)  # a 0-d draw is a Python float: keep float64
    ours_in = [tg.tensor(a.copy(), requires_grad=grad) for a in arrays]
    theirs_in = [torch.tensor(a.copy(), requires_grad=grad) for a in arrays]
    ours_extra = [tg.tensor(a) for a in no_grad_args]
    theirs_extra = [torch.tensor(a) for a in no_grad_args]
    where = f"op {op!r} ({_describe(arrays)})"

    ours = fn(tg, *ours_in, *ours_extra)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. torch's deprecation warning for x.T on 3-D
        theirs = fn(torch, *theirs_in, *theirs_extra)
    expected = theirs.detach().numpy()
    got = ours.detach().numpy()
    assert tuple(ours.shape) == tuple(theirs.shape), (
        f"{where}: output shape: expected {tuple(theirs.shape)} (PyTorch), got {tuple(ours.shape)}")
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1], (
        f"{where}: output dtype: expected {theirs.dtype} (PyTorch), got {ours.dtype}")
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL,
                               err_msg=f"{where}: forward values differ from PyTorch's")
    if not grad:
        return

    upstream = np.random.default_rng(seed).standard_normal(expected.shape)
    ours.backward(tg.tensor(upstream, dtype=ours.dtype))
    theirs.backward(torch.tensor(upstream, dtype=theirs.dtype))
    for i, (a, b) in enumerate(zip(ours_in, theirs_in, strict=True)):
        exp_grad = np.zeros(a.shape) if b.grad is None else b.grad.numpy()
        assert a.grad is not None or b.grad is None, (
            f"{where}: d(out)/d(input {i}) is None, PyTorch has {exp_grad}")
        got_grad = np.zeros(a.shape) if a.grad is None else a.grad.numpy()
        assert got_grad.shape == exp_grad.shape, (
            f"{where}: d(out)/d(input {i}) has shape {got_grad.shape}, expected the input's shape "
            f"{exp_grad.shape} (did backward sum over broadcast dims?)")
        np.testing.assert_allclose(
            got_grad, exp_grad, rtol=RTOL, atol=ATOL,
            err_msg=f"{where}: gradient d(out)/d(input {i}) differs from PyTorch's "
                    f"(upstream gradient of shape {upstream.shape}); the expected derivative is "
                    "the 'DESIRED' array")

    if check_gradcheck:
        inputs = [tg.tensor(a.copy(), requires_grad=True) for a in arrays]
        ok = gradcheck(lambda *xs: fn(tg, *xs, *ours_extra), inputs, eps=1e-6, atol=1e-6, rtol=1e-4)
        assert ok, f"{where}: gradcheck failed"


def rand(seed: int, *shapes_: tuple, low: float | None = None) -> list[np.ndarray]:
    """Standard normal float64 arrays (or uniform in [low, low + 2) when ``low`` is given)."""
    rng = np.random.default_rng(seed)
    if low is None:
        return [np.asarray(rng.standard_normal(s)) for s in shapes_]
    return [np.asarray(rng.uniform(low, low + 2.0, s)) for s in shapes_]


def away_from(a: np.ndarray, points: tuple, gap: float = 1e-3) -> np.ndarray:
    """Nudge values off the kinks (0 for relu/abs, clamp bounds) where gradcheck is ill-defined."""
    a = np.asarray(a, dtype=np.float64).copy()
    for p in points:
        near = np.abs(a - p) < gap
        a[near] = p + 2 * gap
    return a


# ------------------------------------------------------------------------------ elementwise
BINARY = {
    "add": lambda T, a, b: a + b,
    "sub": lambda T, a, b: a - b,
    "mul": lambda T, a, b: a * b,
    "maximum": lambda T, a, b: T.maximum(a, b),
    "minimum": lambda T, a, b: T.minimum(a, b),
    "add method": lambda T, a, b: a.add(b),
    "sub alpha": lambda T, a, b: a.sub(b, alpha=2.0),
}


@pytest.mark.parametrize("op", list(BINARY))
@SETTINGS
@given(pair=pairs, seed=seeds)
def test_binary_broadcasting(op: str, pair: Any, seed: int) -> None:
    a, b = rand(seed, *pair.input_shapes)
    check_vs_torch(op, BINARY[op], a, b, seed=seed)


@SETTINGS
@given(pair=pairs, seed=seeds)
def test_div_broadcasting(pair: Any, seed: int) -> None:
    a, b = rand(seed, *pair.input_shapes)
    b = np.sign(b + 1e-9) * (np.abs(b) + 0.5)  # keep the divisor away from 0
    check_vs_torch("div", lambda T, x, y: x / y, a, b, seed=seed)


@SETTINGS
@given(pair=pairs, seed=seeds)
def test_pow_tensor_tensor_positive_base(pair: Any, seed: int) -> None:
    a, b = rand(seed, *pair.input_shapes)
    a = np.abs(a) + 0.5
    check_vs_torch("pow tensor**tensor", lambda T, x, y: x**y, a, b, seed=seed)


@pytest.mark.parametrize("exponent", [2, 3, 0.5, -1.5, 0, 1])
@SETTINGS
@given(shape=shapes, seed=seeds)
def test_pow_tensor_scalar(exponent: float, shape: tuple, seed: int) -> None:
    (a,) = rand(seed, shape)
    if not float(exponent).is_integer():
        a = np.abs(a) + 0.5  # a fractional power needs a positive base
    check_vs_torch(f"pow tensor**{exponent}", lambda T, x: x**exponent, a, seed=seed)


@pytest.mark.parametrize("base", [2.0, 0.5, np.e])
@SETTINGS
@given(shape=shapes, seed=seeds)
def test_pow_scalar_tensor(base: float, shape: tuple, seed: int) -> None:
    (a,) = rand(seed, shape)
    check_vs_torch(f"pow {base}**tensor", lambda T, x: base**x, a, seed=seed)


SCALAR_BINARY = {
    "tensor + 2.5": lambda T, x: x + 2.5,
    "3 - tensor": lambda T, x: 3 - x,
    "tensor * -2": lambda T, x: x * -2,
    "1.5 / tensor": lambda T, x: 1.5 / x,
    "tensor / 4": lambda T, x: x / 4,
}


@pytest.mark.parametrize("op", list(SCALAR_BINARY))
@SETTINGS
@given(shape=shapes, seed=seeds)
def test_with_python_number(op: str, shape: tuple, seed: int) -> None:
    (a,) = rand(seed, shape, low=0.5)
    check_vs_torch(op, SCALAR_BINARY[op], a, seed=seed)


UNARY = {
    # name: (fn, input domain low bound or None for all reals, kinks to avoid)
    "neg": (lambda T, x: -x, None, ()),
    "neg method": (lambda T, x: x.neg(), None, ()),
    "exp": (lambda T, x: x.exp(), None, ()),
    "log": (lambda T, x: x.log(), 0.1, ()),
    "sqrt": (lambda T, x: x.sqrt(), 0.1, ()),
    "tanh": (lambda T, x: x.tanh(), None, ()),
    "sigmoid": (lambda T, x: x.sigmoid(), None, ()),
    "relu": (lambda T, x: x.relu(), None, (0.0,)),
    "abs": (lambda T, x: x.abs(), None, (0.0,)),
    "torch.exp function": (lambda T, x: T.exp(x), None, ()),
    "clamp min only": (lambda T, x: x.clamp(min=-0.3), None, (-0.3,)),
    "clamp max only": (lambda T, x: x.clamp(max=0.4), None, (0.4,)),
    "clamp both": (lambda T, x: x.clamp(-0.5, 0.5), None, (-0.5, 0.5)),
    "clamp function": (lambda T, x: T.clamp(x, min=-0.2, max=0.7), None, (-0.2, 0.7)),
    "clone": (lambda T, x: x.clone(), None, ()),
}


@pytest.mark.parametrize("op", list(UNARY))
@SETTINGS
@given(shape=shapes, seed=seeds)
def test_unary(op: str, shape: tuple, seed: int) -> None:
    fn, low, kinks = UNARY[op]
    (a,) = rand(seed, shape, low=low)
    check_vs_torch(op, fn, away_from(a, kinks), seed=seed)


def test_relu_abs_at_zero_match_torch() -> None:
    """At the kink both frameworks pick a subgradient: relu'(0) = 0 and |x|'(0) = 0."""
    a = np.array([-1.0, 0.0, 2.0])
    check_vs_torch("relu at 0", lambda T, x: x.relu(), a, check_gradcheck=False)
    check_vs_torch("abs at 0", lambda T, x: x.abs(), a, check_gradcheck=False)


def test_clamp_at_bounds_and_maximum_ties_match_torch() -> None:
    """Clamp passes the gradient at the bounds; maximum/minimum split a tie 50/50."""
    a = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
    check_vs_torch("clamp at bounds", lambda T, x: x.clamp(-0.5, 0.5), a, check_gradcheck=False)
    b = np.array([-1.0, 0.0, 0.0, 1.0, 0.0])
    check_vs_torch("maximum ties", lambda T, x, y: T.maximum(x, y), a, b, check_gradcheck=False)
    check_vs_torch("minimum ties", lambda T, x, y: T.minimum(x, y), a, b, check_gradcheck=False)


@SETTINGS
@given(data=mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=3),
       seed=seeds)
def test_where(data: Any, seed: int) -> None:
    c_shape, a_shape, b_shape = data.input_shapes
    a, b = rand(seed, a_shape, b_shape)
    cond = np.random.default_rng(seed + 1).random(c_shape) > 0.5
    check_vs_torch("where", lambda T, x, y, c: T.where(c, x, y), a, b, seed=seed,
                   no_grad_args=(cond,))


# ------------------------------------------------------------------------------- matmul
@st.composite
def matmul_shapes(draw: Any) -> tuple:
    """(shape of a, shape of b) covering 1-D, 2-D, batched and broadcast-batch products."""
    n, k, m = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    kind = draw(st.sampled_from(["1d@1d", "2d@2d", "1d@2d", "2d@1d", "batched", "broadcast",
                                 "1d@batched", "batched@1d"]))
    batch = draw(mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=2, max_side=3))
    ba, bb = batch.input_shapes
    return {
        "1d@1d": ((k,), (k,)),
        "2d@2d": ((n, k), (k, m)),
        "1d@2d": ((k,), (k, m)),
        "2d@1d": ((n, k), (k,)),
        "batched": ((*batch.result_shape, n, k), (*batch.result_shape, k, m)),
        "broadcast": ((*ba, n, k), (*bb, k, m)),
        "1d@batched": ((k,), (*bb, k, m)),
        "batched@1d": ((*ba, n, k), (k,)),
    }[kind]


@SETTINGS
@given(ab=matmul_shapes(), seed=seeds)
def test_matmul(ab: tuple, seed: int) -> None:
    a, b = rand(seed, *ab)
    check_vs_torch("matmul @", lambda T, x, y: x @ y, a, b, seed=seed)


def test_matmul_spellings() -> None:
    a, b = rand(0, (2, 3), (3, 4))
    check_vs_torch("torch.matmul", lambda T, x, y: T.matmul(x, y), a, b)
    check_vs_torch("mm", lambda T, x, y: x.mm(y), a, b)
    v, w = rand(1, (3,), (3,))
    check_vs_torch("dot", lambda T, x, y: x.dot(y), v, w)


# ---------------------------------------------------------------------------- reductions
@st.composite
def reduce_case(draw: Any, allow_tuple: bool) -> tuple:
    shape = draw(shapes)
    nd = len(shape)
    choice = draw(st.sampled_from(["all", "dim", "tuple"] if allow_tuple else ["all", "dim"]))
    if choice == "all" or nd == 0:
        return shape, None, False
    keepdim = draw(st.booleans())
    if choice == "dim":
        return shape, draw(st.integers(-nd, nd - 1)), keepdim
    dims = draw(st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True))
    signs = draw(st.lists(st.booleans(), min_size=len(dims), max_size=len(dims)))
    return shape, tuple(d - nd if neg else d for d, neg in zip(dims, signs, strict=True)), keepdim


@pytest.mark.parametrize("name", ["sum", "mean"])
@SETTINGS
@given(case=reduce_case(allow_tuple=True), seed=seeds)
def test_sum_mean(name: str, case: tuple, seed: int) -> None:
    shape, dim, keepdim = case
    (a,) = rand(seed, shape)
    if dim is None:
        fn = lambda T, x: getattr(x, name)()  # noqa: E731
    else:
        fn = lambda T, x: getattr(x, name)(dim=dim, keepdim=keepdim)  # noqa: E731
    check_vs_torch(f"{name}(dim={dim}, keepdim={keepdim})", fn, a, seed=seed)


@pytest.mark.parametrize("p", [2, 1, 3, float("inf")])
@SETTINGS
@given(case=reduce_case(allow_tuple=True), seed=seeds)
def test_norm(p: float, case: tuple, seed: int) -> None:
    shape, dim, keepdim = case
    (a,) = rand(seed, shape)
    a = a + np.sign(a) * 0.1  # away from 0, where |x| has no derivative
    fn = lambda T, x: x.norm(p=p, dim=dim, keepdim=keepdim)  # noqa: E731
    check_vs_torch(f"norm(p={p}, dim={dim}, keepdim={keepdim})", fn, a, seed=seed)


@pytest.mark.parametrize("name", ["max", "min"])
@SETTINGS
@given(case=reduce_case(allow_tuple=False), seed=seeds)
def test_max_min(name: str, case: tuple, seed: int) -> None:
    shape, dim, keepdim = case
    (a,) = rand(seed, shape)
    if dim is None:
        check_vs_torch(f"{name}()", lambda T, x: getattr(x, name)(), a, seed=seed)
        return
    check_vs_torch(f"{name}(dim={dim}, keepdim={keepdim}).values",
                   lambda T, x: getattr(x, name)(dim, keepdim=keepdim).values, a, seed=seed)
    ours = getattr(tg.tensor(a), name)(dim, keepdim=keepdim)
    theirs = getattr(torch.tensor(a), name)(dim, keepdim=keepdim)
    np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy(),
                                  err_msg=f"{name}(dim={dim}).indices differ on shape {shape}")
    assert ours.indices.dtype == tg.int64


def test_max_min_with_ties_match_torch() -> None:
    """Full max/min share the gradient among tied winners; max(dim) gives it to the argmax."""
    a = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    check_vs_torch("max() with ties", lambda T, x: x.max(), a, check_gradcheck=False)
    check_vs_torch("min() with ties", lambda T, x: x.min(), -a, check_gradcheck=False)
    check_vs_torch("max(dim=1) with ties", lambda T, x: x.max(1).values, a,
                   check_gradcheck=False)


# ------------------------------------------------------------------------------ shape ops
@st.composite
def shape_op(draw: Any) -> tuple:
    """(shape, description, fn) for one random shape operation with valid arguments."""
    shape = draw(nonempty_shapes)
    nd, numel = len(shape), int(np.prod(shape))
    kind = draw(st.sampled_from(["reshape", "view", "flatten", "squeeze", "squeeze dim",
                                 "unsqueeze", "permute", "transpose", "T", "expand", "reshape -1"]))
    if kind in ("reshape", "view"):
        target = tuple(draw(st.permutations(shape)))
        return shape, f"{kind}{target}", lambda T, x: getattr(x, kind)(*target)
    if kind == "reshape -1":
        target = (-1, shape[-1]) if draw(st.booleans()) else (numel,)
        return shape, f"reshape{target}", lambda T, x: x.reshape(target)
    if kind == "flatten":
        s = draw(st.integers(-nd, nd - 1))
        e = draw(st.integers(s % nd, nd - 1))
        return shape, f"flatten({s}, {e})", lambda T, x: x.flatten(s, e)
    if kind == "squeeze":
        shape = tuple(draw(st.permutations(shape + (1,))))
        return shape, "squeeze()", lambda T, x: x.squeeze()
    if kind == "squeeze dim":
        shape = shape + (1,)
        d = draw(st.integers(-nd - 1, nd))
        return shape, f"squeeze({d})", lambda T, x: x.squeeze(d)
    if kind == "unsqueeze":
        d = draw(st.integers(-nd - 1, nd))
        return shape, f"unsqueeze({d})", lambda T, x: x.unsqueeze(d)
    if kind == "permute":
        p = tuple(draw(st.permutations(range(nd))))
        return shape, f"permute{p}", lambda T, x: x.permute(*p)
    if kind == "transpose":
        a, b = draw(st.integers(-nd, nd - 1)), draw(st.integers(-nd, nd - 1))
        return shape, f"transpose({a}, {b})", lambda T, x: x.transpose(a, b)
    if kind == "T":
        return shape, ".T", lambda T, x: x.T
    # expand: some dims become 1 in the input, then are expanded, plus maybe a new leading dim
    ones = draw(st.lists(st.booleans(), min_size=nd, max_size=nd))
    small = tuple(1 if o else n for o, n in zip(ones, shape, strict=True))
    lead = (2,) if draw(st.booleans()) else ()
    target = lead + tuple(-1 if (not o and draw(st.booleans())) else n
                          for o, n in zip(ones, shape, strict=True))
    return small, f"expand{target}", lambda T, x: x.expand(*target)


@settings(max_examples=60, deadline=None)
@given(case=shape_op(), seed=seeds)
def test_shape_ops(case: tuple, seed: int) -> None:
    shape, name, fn = case
    (a,) = rand(seed, shape)
    # a shape op followed by a non-trivial op so gradients are not all-equal
    check_vs_torch(name, lambda T, x: fn(T, x) * 1.0, a, seed=seed)


# ------------------------------------------------------------------------------ indexing
BASIC_KEYS = {
    "int": (1,),
    "negative int": (-1,),
    "slice": (slice(1, 3),),
    "step": (slice(None, None, 2),),
    "negative slice": (slice(-2, None),),
    "None": (None, 0),
    "Ellipsis": (Ellipsis, 1),
    "int, slice": (0, slice(None, None, 2)),
    "slice, -int": (slice(0, 2), -1),
    "Ellipsis, None": (Ellipsis, None),
    "3-part": (slice(None), 1, slice(1, None)),
}


@pytest.mark.parametrize("name", list(BASIC_KEYS))
def test_basic_indexing(name: str) -> None:
    key = BASIC_KEYS[name]
    (a,) = rand(7, (3, 4, 3))
    k = key if len(key) > 1 else key[0]
    check_vs_torch(f"x[{name}]", lambda T, x: x[k], a, seed=3)


@SETTINGS
@given(shape=nonempty_shapes, seed=seeds, data=st.data())
def test_integer_array_indexing_repeats_accumulate(shape: tuple, seed: int, data: Any) -> None:
    n = shape[0]
    idx = data.draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=6))
    (a,) = rand(seed, shape)
    check_vs_torch(f"x[{idx}] (integer array)", lambda T, x, i: x[i], a, seed=seed,
                   no_grad_args=(np.array(idx, dtype=np.int64),))


def test_integer_array_indexing_forms() -> None:
    (a,) = rand(1, (4, 3))
    rows, cols = np.array([0, 2, 2, 3]), np.array([1, 1, 1, 0])
    check_vs_torch("x[rows, cols] (pairs, repeated)", lambda T, x, r, c: x[r, c], a,
                   no_grad_args=(rows, cols))
    check_vs_torch("x[:, cols]", lambda T, x, c: x[:, c], a, no_grad_args=(cols,))
    check_vs_torch("x[[0, 0, 3]] (a list)", lambda T, x: x[[0, 0, 3]], a)


@SETTINGS
@given(shape=nonempty_shapes, seed=seeds)
def test_boolean_mask_indexing(shape: tuple, seed: int) -> None:
    (a,) = rand(seed, shape)
    mask = np.random.default_rng(seed + 1).random(shape) > 0.4
    check_vs_torch("x[mask]", lambda T, x, m: x[m], a, seed=seed, no_grad_args=(mask,))
    row_mask = mask.reshape(shape[0], -1)[:, 0]
    check_vs_torch("x[row_mask]", lambda T, x, m: x[m], a, seed=seed, no_grad_args=(row_mask,))


SETITEM = {
    "y[1] = v": ((1,), (4,)),
    "y[:, 1:3] = v": ((slice(None), slice(1, 3)), (3, 2)),
    "y[0] = v (broadcast)": ((0,), (1,)),
    "y[::2] = v (step)": ((slice(None, None, 2),), (2, 4)),
    "y[idx] = v (integer array)": ((np.array([0, 2]),), (2, 4)),
    "y[mask] = v": (("mask",), (5,)),
}


@pytest.mark.parametrize("name", list(SETITEM))
def test_setitem_gradients(name: str) -> None:
    """``y = x.clone(); y[key] = v``: x's grad is zero at key, v gets the gradient from key."""
    key, v_shape = SETITEM[name]
    x, v = rand(5, (3, 4), v_shape)
    mask = np.array([[True, False, True, False],
                     [False, False, True, True],
                     [True, False, False, False]])

    def fn(T: Any, a: Any, b: Any, m: Any) -> Any:
        y = a.clone() * 1.0
        if name == "y[mask] = v":
            k = (m,)
        else:
            k = tuple(T.tensor(p) if isinstance(p, np.ndarray) else p for p in key)
        y[k if len(k) > 1 else k[0]] = b
        return y * 2.0

    check_vs_torch(name, fn, x, v, seed=2, no_grad_args=(mask,))


# ------------------------------------------------------------------------- cat and stack
@SETTINGS
@given(shape=nonempty_shapes, seed=seeds, data=st.data())
def test_cat(shape: tuple, seed: int, data: Any) -> None:
    nd = len(shape)
    dim = data.draw(st.integers(-nd, nd - 1))
    sizes = data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    shapes_ = [tuple(s if i == dim % nd else n for i, n in enumerate(shape)) for s in sizes]
    arrays = rand(seed, *shapes_)
    check_vs_torch(f"cat(dim={dim}) of {shapes_}", lambda T, *xs: T.cat(list(xs), dim=dim),
                   *arrays, seed=seed)


@SETTINGS
@given(shape=shapes, seed=seeds, data=st.data())
def test_stack(shape: tuple, seed: int, data: Any) -> None:
    nd = len(shape)
    dim = data.draw(st.integers(-nd - 1, nd))
    count = data.draw(st.integers(1, 3))
    arrays = rand(seed, *[shape] * count)
    check_vs_torch(f"stack(dim={dim}) of {count}", lambda T, *xs: T.stack(list(xs), dim=dim),
                   *arrays, seed=seed)


# ------------------------------------------------------------------------------- softmax
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@SETTINGS
@given(shape=nonempty_shapes, seed=seeds, data=st.data())
def test_softmax(name: str, shape: tuple, seed: int, data: Any) -> None:
    nd = len(shape)
    dim = data.draw(st.integers(-nd, nd - 1))
    (a,) = rand(seed, shape)
    a = a * 3
    check_vs_torch(f"{name}(dim={dim})", lambda T, x: getattr(x, name)(dim), a, seed=seed)
    check_vs_torch(f"torch.{name}(dim={dim})", lambda T, x: getattr(T, name)(x, dim=dim), a,
                   seed=seed, check_gradcheck=False)


def test_softmax_huge_logits_stay_finite() -> None:
    a = np.array([[1000.0, 0.0, -1000.0], [1e4, 1e4, 1e4]])
    check_vs_torch("softmax of huge logits", lambda T, x: x.softmax(-1), a, check_gradcheck=False)
    check_vs_torch("log_softmax of huge logits", lambda T, x: x.log_softmax(-1), a,
                   check_gradcheck=False)


# ---------------------------------------------------------------------------- conversion
def test_to_float64_from_float32() -> None:
    """``.to(float64)`` stays in the graph; the gradient comes back as float32."""
    a = np.array([[0.5, -1.25], [2.0, 3.5]], dtype=np.float32)
    x, tx = tg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, ty = x.to(tg.float64), tx.to(torch.float64)
    assert y.dtype == tg.float64 and y.grad_fn is not None
    g = np.random.default_rng(0).standard_normal((2, 2))
    (y * y).backward(tg.tensor(g))
    (ty * ty).backward(torch.tensor(g))
    assert x.grad.dtype == tg.float32, f"grad of a float32 leaf must be float32, got {x.grad.dtype}"
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-6)
    check_vs_torch("to(float64) (already float64)", lambda T, t: t.to(T.float64) * 2.0,
                   a.astype(np.float64))
    check_vs_torch("double()", lambda T, t: t.double() * 2.0, a.astype(np.float64))


# ------------------------------------------------------------------------ a composite graph
@SETTINGS
@given(seed=seeds)
def test_composite_mlp_like_expression(seed: int) -> None:
    """Several ops chained, a reused input (fan-out): gradients add up correctly."""
    x, w1, b1, w2 = rand(seed, (4, 3), (3, 5), (5,), (5, 2))

    def fn(T: Any, x: Any, w1: Any, b1: Any, w2: Any) -> Any:
        h = (x @ w1 + b1).tanh()
        out = (h @ w2).log_softmax(dim=1)
        return out * x.sum(dim=1, keepdim=True) + h.mean()

    check_vs_torch("mlp-like composite", fn, x, w1, b1, w2, seed=seed)
