"""The ops added for PyTorch's beginner canon (issue #15), each against torch.

Same method as ``test_ops_vs_torch.py`` (whose ``check_vs_torch`` this reuses): hypothesis draws
shapes (0-d included), both frameworks compute the same expression in float64, and the values,
dtype, every input's gradient for a random upstream gradient, and then ``gradcheck`` must agree.
Further down: the grad_fn name of every new op, result dtypes for int/bool inputs, and the
exception type on misuse, all compared with what torch does.
"""
from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes
from test_ops_vs_torch import SETTINGS, away_from, check_vs_torch, pairs, rand, seeds, shapes

import tinygrad_edu as tg

nonempty = array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)
matrices = array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=4)


def distinct(seed: int, shape: tuple) -> np.ndarray:
    """Values without ties (a shuffled range, scaled), so sort/topk/median indices are unique."""
    n = int(np.prod(shape)) if shape else 1
    values = np.random.default_rng(seed).permutation(n).astype(np.float64) * 0.37 - n * 0.1
    return values.reshape(shape)


# ------------------------------------------------------------------------------ elementwise
UNARY = {
    # name: (fn, input low bound (None: all reals), points to keep away from)
    "sin": (lambda T, x: x.sin(), None, ()),
    "cos": (lambda T, x: x.cos(), None, ()),
    "tan": (lambda T, x: x.tan(), -1.2, ()),  # [-1.2, 0.8]: away from the poles at +-pi/2
    "log1p": (lambda T, x: x.log1p(), -0.9, ()),
    "expm1": (lambda T, x: x.expm1(), None, ()),
    "erf": (lambda T, x: x.erf(), None, ()),
    "rsqrt": (lambda T, x: x.rsqrt(), 0.2, ()),
    "reciprocal": (lambda T, x: x.reciprocal(), None, (0.0,)),
    "square": (lambda T, x: x.square(), None, ()),
    "floor": (lambda T, x: x.floor(), None, (-2.0, -1.0, 0.0, 1.0, 2.0)),
    "ceil": (lambda T, x: x.ceil(), None, (-2.0, -1.0, 0.0, 1.0, 2.0)),
    "trunc": (lambda T, x: x.trunc(), None, (-2.0, -1.0, 0.0, 1.0, 2.0)),
    "round": (lambda T, x: x.round(), None, (-1.5, -0.5, 0.5, 1.5)),
    "round decimals=1": (lambda T, x: x.round(decimals=1), None, ()),
    "sign": (lambda T, x: x.sign(), None, (0.0,)),
    "torch.sin function": (lambda T, x: T.sin(x), None, ()),
    "x % 0.7": (lambda T, x: x % 0.7, None, (-1.4, -0.7, 0.0, 0.7, 1.4)),
    "remainder method": (lambda T, x: x.remainder(-1.3), None, (-1.3, 0.0, 1.3)),
}


@pytest.mark.parametrize("op", list(UNARY))
@SETTINGS
@given(shape=shapes, seed=seeds)
def test_unary(op: str, shape: tuple, seed: int) -> None:
    fn, low, kinks = UNARY[op]
    (a,) = rand(seed, shape, low=low)
    gap = 2e-3
    a = away_from(a, kinks, gap)
    if op == "round decimals=1":  # keep away from the rounding jumps at k/10 + 0.05
        a = np.round(a, 1) + 0.02
    check_vs_torch(op, fn, a, seed=seed)


@SETTINGS
@given(pair=pairs, seed=seeds)
def test_remainder_tensor_tensor_broadcasting(pair: Any, seed: int) -> None:
    a, b = rand(seed, *pair.input_shapes)
    b = np.sign(b + 1e-9) * (np.abs(b) + 0.5)
    q = a / b  # keep a/b away from whole numbers, where the remainder jumps
    a = np.where(np.abs(q - np.round(q)) < 0.01, a + 0.05 * b, a)
    check_vs_torch("a % b", lambda T, x, y: x % y, a, b, seed=seed)


@SETTINGS
@given(pair=pairs, seed=seeds)
def test_floor_divide_values_and_no_derivative(pair: Any, seed: int) -> None:
    a, b = rand(seed, *pair.input_shapes)
    b = np.sign(b + 1e-9) * (np.abs(b) + 0.5)
    check_vs_torch("a // b", lambda T, x, y: x // y, a, b, grad=False)
    x = tg.tensor(a, requires_grad=True)
    y = x // tg.tensor(b)
    assert type(y.grad_fn).__name__ == "NotImplemented"
    with pytest.raises(RuntimeError, match="floor_divide"):
        y.sum().backward()


INT_DIVISION = [(7, 2), (-7, 2), (7, -2), (-7, -2), (0, 3)]


def test_integer_floor_divide_and_remainder_match_python() -> None:
    a = [p for p, _ in INT_DIVISION]
    b = [q for _, q in INT_DIVISION]
    for T in (tg, torch):
        x, y = T.tensor(a), T.tensor(b)
        assert (x // y).tolist() == [p // q for p, q in INT_DIVISION]
        assert (x % y).tolist() == [p % q for p, q in INT_DIVISION]
        assert str((x // y).dtype).split(".")[-1] == "int64"
    for T in (tg, torch):
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            T.tensor([1, 2]) // 0
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            T.tensor([1, 2]) % T.tensor([1, 0])


@pytest.mark.parametrize("dtype", ["int32", "int64", "bool", "float32", "float64", "int8"])
@pytest.mark.parametrize("name", ["sin", "cos", "tan", "log1p", "expm1", "erf", "rsqrt",
                                  "reciprocal", "floor", "ceil", "trunc", "round", "sign",
                                  "square", "isnan", "isinf", "isfinite", "logical_not"])
def test_result_dtypes_follow_torch(name: str, dtype: str) -> None:
    values = [0, 1, 2] if dtype != "bool" else [True, False, True]
    outcome = []
    for T in (torch, tg):
        x = T.tensor(values, dtype=getattr(T, dtype))
        try:
            out = getattr(x, name)()
            outcome.append((str(out.dtype).split(".")[-1], np.asarray(out.tolist(), float)))
        except Exception as exc:  # noqa: BLE001  the exception type is what we compare
            outcome.append((type(exc).__name__, None))
    (t_kind, t_val), (o_kind, o_val) = outcome
    assert o_kind == t_kind, f"{name}({dtype}): torch gives {t_kind}, tinygrad_edu {o_kind}"
    if t_val is not None:
        np.testing.assert_allclose(o_val, t_val, rtol=1e-6, err_msg=f"{name}({dtype})")


def test_poles_and_special_values_match_torch() -> None:
    a = np.array([0.0, -0.0, 1e-300, -1.0, np.inf, -np.inf, np.nan, 1e-10])
    for name in ("log1p", "expm1", "erf", "rsqrt", "reciprocal", "sign", "floor", "sin"):
        with np.errstate(all="ignore"):
            ours = getattr(tg.tensor(a), name)().numpy()
        theirs = getattr(torch.tensor(a), name)().numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, equal_nan=True, err_msg=name)


# ------------------------------------------------------------------------------ logic, tests
def test_logical_ops_isclose_allclose_xor_match_torch() -> None:
    a = np.array([0.0, 1.0, np.nan, 2.0, np.inf])
    b = np.array([0.0, 1.0 + 1e-9, np.nan, 2.1, np.inf])
    for name in ("logical_and", "logical_or", "logical_xor"):
        assert getattr(tg.tensor(a), name)(tg.tensor(b)).tolist() == getattr(
            torch.tensor(a), name)(torch.tensor(b)).tolist(), name
    for kw in ({}, {"equal_nan": True}, {"rtol": 0.1}, {"atol": 0.2}):
        assert tg.tensor(a).isclose(tg.tensor(b), **kw).tolist() == torch.tensor(a).isclose(
            torch.tensor(b), **kw).tolist(), kw
        assert tg.allclose(tg.tensor(a), tg.tensor(b), **kw) == torch.allclose(
            torch.tensor(a), torch.tensor(b), **kw), kw
    for T in (tg, torch):
        assert (T.tensor([True, False]) ^ T.tensor([True, True])).tolist() == [False, True]
        assert (T.tensor([6, 3]) ^ 3).tolist() == [5, 0]
    for T in (tg, torch):
        with pytest.raises(NotImplementedError):
            T.tensor([1.0]) ^ T.tensor([1.0])


# ------------------------------------------------------------------------------ reductions
REDUCE = {
    "prod all": lambda T, x: x.prod(),
    "prod dim": lambda T, x: x.prod(-1),
    "prod dim keepdim": lambda T, x: x.prod(0, keepdim=True),
    "cumsum": lambda T, x: x.cumsum(0),
    "cumsum last": lambda T, x: T.cumsum(x, dim=-1),
    "cumprod": lambda T, x: x.cumprod(-1),
    "logsumexp": lambda T, x: x.logsumexp(-1),
    "logsumexp keepdim": lambda T, x: T.logsumexp(x, 0, keepdim=True),
    "amin": lambda T, x: x.amin(-1),
    "amax all": lambda T, x: x.amax(),
    "var correction 0": lambda T, x: x.var(-1, correction=0),
    "var unbiased": lambda T, x: x.var(),
    "std correction 0 keepdim": lambda T, x: x.std(0, keepdim=True, correction=0),
    "std dims": lambda T, x: x.std(dim=(0, -1), correction=0) if x.ndim > 1 else x.std(),
    "sum axis keepdims": lambda T, x: x.sum(axis=-1, keepdims=True),
    "mean axis": lambda T, x: x.mean(axis=0),
    "max axis": lambda T, x: x.max(axis=-1).values,
}


@pytest.mark.parametrize("op", list(REDUCE))
@SETTINGS
@given(shape=nonempty, seed=seeds)
def test_reductions(op: str, shape: tuple, seed: int) -> None:
    (a,) = rand(seed, shape, low=0.5) if "prod" in op or "cumprod" in op else rand(seed, shape)
    if ("var" in op or "std" in op) and "correction 0" not in op and a.size < 2:
        a = np.concatenate([a.reshape(-1), [0.3]]).reshape(-1)  # unbiased needs 2 values
    check_vs_torch(op, REDUCE[op], a, seed=seed)


@pytest.mark.parametrize("zeros_at", [[0], [2], [1, 3], [0, 1, 2, 3]])
def test_prod_and_cumprod_with_zeros_match_torch(zeros_at: list) -> None:
    a = np.array([[1.5, -2.0, 0.5, 3.0], [0.7, 1.1, -0.9, 2.0]])
    a[:, zeros_at] = 0.0
    check_vs_torch("prod with zeros", lambda T, x: x.prod(1), a, check_gradcheck=False)
    check_vs_torch("prod all with zeros", lambda T, x: x.prod(), a, check_gradcheck=False)
    check_vs_torch("cumprod with zeros", lambda T, x: x.cumprod(1), a, check_gradcheck=False)


def test_amax_amin_ties_share_the_gradient_like_torch() -> None:
    a = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    check_vs_torch("amax ties", lambda T, x: x.amax(1), a, check_gradcheck=False)
    check_vs_torch("amin ties", lambda T, x: x.amin(), a, check_gradcheck=False)


def test_logsumexp_extremes_stay_finite_like_torch() -> None:
    a = np.array([[1e4, 1e4], [-np.inf, -np.inf], [-1e4, 0.0]])
    check_vs_torch("logsumexp extremes", lambda T, x: x.logsumexp(1), a, check_gradcheck=False)


@pytest.mark.parametrize("dtype", ["int32", "int64", "bool", "uint8"])
def test_integer_cumsum_prod_promote_to_int64(dtype: str) -> None:
    values = [1, 0, 1] if dtype == "bool" else [1, 2, 3]
    for name in ("cumsum", "cumprod", "prod"):
        results = []
        for T in (torch, tg):
            x = T.tensor(values, dtype=getattr(T, dtype))
            out = getattr(x, name)(0) if name != "prod" else x.prod()
            results.append((str(out.dtype).split(".")[-1], out.tolist()))
        assert results[1] == results[0], f"{name}({dtype}): torch {results[0]}, ours {results[1]}"


# ------------------------------------------------------------------------------ ordering
ORDER = {
    "sort": lambda T, x: x.sort(-1).values,
    "sort descending": lambda T, x: x.sort(0, descending=True).values,
    "topk": lambda T, x: x.topk(min(2, x.shape[-1])).values,
    "topk smallest": lambda T, x: T.topk(x, 1, dim=0, largest=False).values,
    "median dim": lambda T, x: x.median(-1).values,
    "median dim keepdim": lambda T, x: x.median(0, keepdim=True).values,
    "median all": lambda T, x: x.median(),
    "msort": lambda T, x: x.msort(),
}


@pytest.mark.parametrize("op", list(ORDER))
@SETTINGS
@given(shape=nonempty, seed=seeds)
def test_ordering_values_and_gradients(op: str, shape: tuple, seed: int) -> None:
    check_vs_torch(op, ORDER[op], distinct(seed, shape), seed=seed)


@SETTINGS
@given(shape=nonempty, seed=seeds, descending=st.booleans())
def test_sort_argsort_topk_median_indices(shape: tuple, seed: int, descending: bool) -> None:
    a = distinct(seed, shape)
    x, t = tg.tensor(a), torch.tensor(a)
    assert x.sort(-1, descending).indices.tolist() == t.sort(-1, descending).indices.tolist()
    assert x.argsort(0, descending).tolist() == t.argsort(0, descending).tolist()
    assert x.topk(1).indices.tolist() == t.topk(1).indices.tolist()
    assert x.median(-1).indices.tolist() == t.median(-1).indices.tolist()
    assert x.sort().indices.dtype == tg.int64


def test_stable_sort_with_ties_matches_torch_stable() -> None:
    a = np.array([3.0, 1.0, 3.0, 2.0, 1.0, 3.0])
    for desc in (False, True):
        assert tg.tensor(a).sort(descending=desc).indices.tolist() == torch.tensor(a).sort(
            descending=desc, stable=True).indices.tolist()


def test_return_types_print_like_torch() -> None:
    a = np.array([[3.0, 1.0], [0.0, 2.0]], dtype=np.float32)
    for name in ("sort", "topk", "median", "max", "min"):
        args = (1,) if name == "topk" else (1,) if name != "sort" else ()
        ours = repr(getattr(tg.tensor(a), name)(*args))
        theirs = repr(getattr(torch.tensor(a), name)(*args))
        assert ours == theirs, f"{name}:\n{ours}\n{theirs}"


# ------------------------------------------------------------------------------ gather family
@SETTINGS
@given(shape=nonempty, seed=seeds, data=st.data())
def test_gather_scatter_index_select(shape: tuple, seed: int, data: Any) -> None:
    (a,) = rand(seed, shape)
    dim = data.draw(st.integers(0, len(shape) - 1))
    rng = np.random.default_rng(seed)
    index_shape = tuple(rng.integers(1, n + 1) for n in shape)
    index = rng.integers(0, shape[dim], index_shape)
    check_vs_torch("gather", lambda T, x, i: x.gather(dim, i), a, no_grad_args=(index,),
                   seed=seed)
    check_vs_torch("torch.gather negative dim", lambda T, x, i: T.gather(x, dim - len(shape), i),
                   a, no_grad_args=(index,), seed=seed)
    # scatter: unique positions per (index) so that the written value is well defined
    perm = np.argsort(rng.random(shape), axis=dim)
    uniq = np.take(perm, np.arange(index_shape[dim]), axis=dim)
    uniq = uniq[tuple(slice(0, n) for n in index_shape)]
    (src,) = rand(seed + 1, index_shape)  # torch's own backward fails for a larger src
    check_vs_torch("scatter", lambda T, x, s, i: x.scatter(dim, i, s), a, src,
                   no_grad_args=(uniq,), seed=seed)
    check_vs_torch("scatter value", lambda T, x, i: x.scatter(dim, i, value=2.5), a,
                   no_grad_args=(uniq,), seed=seed)
    check_vs_torch("scatter_add with repeats", lambda T, x, s, i: x.scatter_add(dim, i, s), a,
                   src, no_grad_args=(index,), seed=seed)
    rows = rng.integers(0, shape[dim], 5)
    check_vs_torch("index_select with repeats", lambda T, x, i: x.index_select(dim, i), a,
                   no_grad_args=(rows,), seed=seed)


@SETTINGS
@given(pair=pairs, seed=seeds)
def test_masked_fill_and_select_broadcasting(pair: Any, seed: int) -> None:
    a, m = rand(seed, *pair.input_shapes)
    mask = m > 0
    check_vs_torch("masked_fill", lambda T, x, k: x.masked_fill(k, -1.5), a,
                   no_grad_args=(mask,), seed=seed)
    check_vs_torch("masked_select", lambda T, x, k: x.masked_select(k), a,
                   no_grad_args=(mask,), seed=seed)
    if np.broadcast_shapes(a.shape, mask.shape) == a.shape:
        check_vs_torch("masked_fill tensor value", lambda T, x, v, k: x.masked_fill(k, v), a,
                       np.array(0.7), no_grad_args=(mask,), seed=seed)


def test_nonzero_unique_match_torch() -> None:
    a = np.array([[0, 3, 3], [1, 0, 2]])
    x, t = tg.tensor(a), torch.tensor(a)
    assert x.nonzero().tolist() == t.nonzero().tolist()
    assert [v.tolist() for v in x.nonzero(as_tuple=True)] == [
        v.tolist() for v in t.nonzero(as_tuple=True)]
    assert x.unique().tolist() == t.unique().tolist()
    ours = x.unique(return_inverse=True, return_counts=True)
    theirs = t.unique(return_inverse=True, return_counts=True)
    assert [o.tolist() for o in ours] == [o.tolist() for o in theirs]
    assert tg.unique(tg.tensor([2.0, 1.0, 2.0])).tolist() == [1.0, 2.0]


# ------------------------------------------------------------------------------ rearranging
REARRANGE = {
    "flip": lambda T, x: x.flip(0),
    "flip all": lambda T, x: x.flip(tuple(range(x.ndim))),
    "roll flat": lambda T, x: x.roll(2),
    "roll dim": lambda T, x: x.roll(-1, 0),
    "roll dims": lambda T, x: x.roll((1, 2), (0, -1)),
    "repeat": lambda T, x: x.repeat(*([2] + [1] * (x.ndim - 1))),
    "repeat new dims": lambda T, x: x.repeat(*([2, 3] + [1] * x.ndim)),
    "tile": lambda T, x: x.tile(2),
    "repeat_interleave": lambda T, x: x.repeat_interleave(2),
    "repeat_interleave dim": lambda T, x: x.repeat_interleave(3, dim=0),
    "narrow": lambda T, x: x.narrow(0, 0, 1),
    "broadcast_to": lambda T, x: x.broadcast_to((2, *x.shape)),
    "split sizes": lambda T, x: T.cat([p * (i + 1) for i, p in enumerate(
        x.split([1, x.shape[0] - 1]) if x.shape[0] > 1 else x.split(1))]),
    "chunk": lambda T, x: T.cat([p * (i + 1) for i, p in enumerate(x.chunk(2))]),
    "movedim": lambda T, x: x.movedim(0, -1),
}


@pytest.mark.parametrize("op", list(REARRANGE))
@SETTINGS
@given(shape=nonempty, seed=seeds)
def test_rearranging(op: str, shape: tuple, seed: int) -> None:
    (a,) = rand(seed, shape)
    check_vs_torch(op, REARRANGE[op], a, seed=seed)


@SETTINGS
@given(shape=matrices, seed=seeds, k=st.integers(-3, 3))
def test_triangles_and_diagonals(shape: tuple, seed: int, k: int) -> None:
    (a,) = rand(seed, shape)
    check_vs_torch("tril", lambda T, x: x.tril(k), a, seed=seed)
    check_vs_torch("triu", lambda T, x: T.triu(x, diagonal=k), a, seed=seed)
    if min(shape[0], shape[1] - k, shape[0] + k, shape[1]) > 0:
        check_vs_torch("diag of a matrix", lambda T, x: x.diag(k), a, seed=seed)
    check_vs_torch("diag of a vector", lambda T, x: x.diag(k), a[0], seed=seed)
    check_vs_torch("trace", lambda T, x: x.trace(), a, seed=seed)


@SETTINGS
@given(n=st.integers(1, 4), m=st.integers(1, 4), p=st.integers(1, 4), b=st.integers(1, 3),
       seed=seeds)
def test_products_outer_mv_bmm_einsum(n: int, m: int, p: int, b: int, seed: int) -> None:
    A, B, v, w, X, Y = rand(seed, (n, m), (m, p), (m,), (n,), (b, n, m), (b, m, p))
    check_vs_torch("outer", lambda T, x, y: T.outer(x, y), v, w, seed=seed)
    check_vs_torch("mv", lambda T, x, y: x.mv(y), A, v, seed=seed)
    check_vs_torch("bmm", lambda T, x, y: T.bmm(x, y), X, Y, seed=seed)
    forms = [("ij,jk->ik", A, B), ("ij,j->i", A, v), ("i,i->", v, v), ("i,j->ij", v, w),
             ("bij,bjk->bik", X, Y), ("ij->ji", A), ("ij->", A), ("ij->j", A),
             ("ij,ij->ij", A, A), ("ij,ij->", A, A), ("bij,jk->bik", X, B), ("ij,kj->ik", A, A),
             ("ij,jk", A, B), ("bij,bkj->bik", X, X), ("ij,jk,kl->il", A, B, B.T)]
    for eq, *ops in forms:
        check_vs_torch(f"einsum {eq}", lambda T, *xs, eq=eq: T.einsum(eq, *xs), *ops, seed=seed)


def test_products_grad_fn_names() -> None:
    x = tg.randn(3, 4, requires_grad=True)
    assert x.t().grad_fn.name() == "TBackward0"
    assert tg.bmm(x[None], x.t()[None]).grad_fn.name() == "BmmBackward0"
    assert x.mv(tg.randn(4)).grad_fn.name() == "MvBackward0"
    assert tg.outer(x[0], x[1]).grad_fn.name() == "MulBackward0"


# ------------------------------------------------------------------------------ grad_fn names
NAMES: list[tuple[str, Callable]] = [
    ("sin", lambda x: x.sin()), ("cos", lambda x: x.cos()), ("tan", lambda x: x.tan()),
    ("log1p", lambda x: x.log1p()), ("expm1", lambda x: x.expm1()), ("erf", lambda x: x.erf()),
    ("rsqrt", lambda x: x.rsqrt()), ("reciprocal", lambda x: x.reciprocal()),
    ("square", lambda x: x.square()), ("floor", lambda x: x.floor()),
    ("ceil", lambda x: x.ceil()), ("round", lambda x: x.round()),
    ("round decimals", lambda x: x.round(decimals=2)), ("trunc", lambda x: x.trunc()),
    ("sign", lambda x: x.sign()), ("% number", lambda x: x % 2), ("% tensor", lambda x: x % x),
    ("sort", lambda x: x.sort(1).values), ("topk", lambda x: x.topk(2).values),
    ("cumsum", lambda x: x.cumsum(0)), ("cumprod", lambda x: x.cumprod(1)),
    ("prod", lambda x: x.prod()), ("prod dim", lambda x: x.prod(1)),
    ("logsumexp", lambda x: x.logsumexp(1)), ("amin", lambda x: x.amin(1)),
    ("amax", lambda x: x.amax(1)), ("median", lambda x: x.median()),
    ("median dim", lambda x: x.median(1).values), ("var", lambda x: x.var(1, correction=0)),
    ("std", lambda x: x.std()), ("gather", lambda x: x.gather(1, x.detach().argsort()[:, :2])),
    ("index_select", lambda x: x.index_select(0, x.detach()[:, 0].argsort())),
    ("masked_fill", lambda x: x.masked_fill(x > 0, 0.0)),
    ("masked_select", lambda x: x.masked_select(x > 0)), ("flip", lambda x: x.flip(0)),
    ("roll", lambda x: x.roll(1, 0)), ("repeat", lambda x: x.repeat(2, 1)),
    ("tile", lambda x: x.tile(2)), ("repeat_interleave", lambda x: x.repeat_interleave(2)),
    ("tril", lambda x: x.tril()), ("triu", lambda x: x.triu(1)),
    ("diag matrix", lambda x: x.diag()),
    ("diag vector", lambda x: x[0].diag()), ("narrow", lambda x: x.narrow(0, 1, 2)),
    ("broadcast_to", lambda x: x.broadcast_to(2, 3, 4)), ("t", lambda x: x.t()),
    ("type", lambda x: x.type(x.float().dtype)), ("clamp min", lambda x: x.clamp(min=0)),
    ("sum axis", lambda x: x.sum(axis=1)), ("permute dims", lambda x: x.permute(dims=(1, 0))),
    ("split", lambda x: x.split(2)[1]), ("split sizes", lambda x: x.split([1, 2])[0]),
    ("chunk", lambda x: x.chunk(2, 1)[0]), ("unbind", lambda x: x.unbind(1)[2]),
]


@pytest.mark.parametrize("name, fn", NAMES, ids=[n for n, _ in NAMES])
def test_grad_fn_names_match_torch(name: str, fn: Callable) -> None:
    a = distinct(0, (3, 4))
    ours = fn(tg.tensor(a, requires_grad=True))
    theirs = fn(torch.tensor(a, requires_grad=True))
    assert type(ours.grad_fn).__name__ == type(theirs.grad_fn).__name__, name
    assert ours.grad_fn.name() == type(theirs.grad_fn).__name__


# ------------------------------------------------------------------------------ misuse
MISUSE: list[tuple[str, Callable]] = [
    ("gather float index", lambda T, x: x.gather(1, T.tensor([[0.0]]))),
    ("gather wrong ndim", lambda T, x: x.gather(1, T.tensor([0, 1]))),
    ("gather out of range", lambda T, x: x.gather(1, T.tensor([[7]]))),
    ("index_select 2-D index", lambda T, x: x.index_select(0, T.tensor([[0]]))),
    ("index_select out of range", lambda T, x: x.index_select(0, T.tensor([9]))),
    ("masked_fill int mask", lambda T, x: x.masked_fill(T.tensor([1, 0, 1, 1]), 0.0)),
    ("masked_fill 1-d value", lambda T, x: x.masked_fill(x > 0, T.tensor([1.0, 2.0]))),
    ("topk too many", lambda T, x: x.topk(5)),
    ("repeat too few dims", lambda T, x: x.repeat(2)),
    ("narrow too long", lambda T, x: x.narrow(0, 1, 5)),
    ("split sizes don't add up", lambda T, x: x.split([1, 1], 1)),
    ("bmm on 2-D", lambda T, x: T.bmm(x, x)),
    ("mv with matrix", lambda T, x: x.mv(x)),
    ("outer of matrices", lambda T, x: T.outer(x, x)),
    ("flip a dim twice", lambda T, x: x.flip(0, 0)),
    ("roll shifts vs dims", lambda T, x: x.roll((1, 2), 0)),
    ("tril of a vector", lambda T, x: x[0].tril()),
    ("multinomial too many", lambda T, x: T.multinomial(T.tensor([1.0, 1.0]), 3)),
    ("multinomial negative", lambda T, x: T.multinomial(T.tensor([-1.0, 1.0]), 1)),
    ("multinomial zero sum", lambda T, x: T.multinomial(T.tensor([0.0, 0.0]), 1)),
    ("multinomial ints", lambda T, x: T.multinomial(T.tensor([1, 2]), 1)),
    ("one_hot of floats", lambda T, x: T.nn.functional.one_hot(T.tensor([1.0]))),
    ("one_hot too small", lambda T, x: T.nn.functional.one_hot(T.tensor([5]), 3)),
    ("einsum too many operands", lambda T, x: T.einsum("ij->ji", x, x)),
    ("einsum wrong subscripts", lambda T, x: T.einsum("ijk->i", x)),
    ("floor of bool", lambda T, x: T.tensor([True]).floor()),
    ("round decimals of int", lambda T, x: T.tensor([12]).round(decimals=1)),
    ("xor of floats", lambda T, x: x ^ x),
    ("var of ints", lambda T, x: T.tensor([1, 2]).var()),
    ("type of a bad name", lambda T, x: x.type("torch.NoSuchTensor")),
    ("out= with grad", lambda T, x: T.add(x.requires_grad_(), 1, out=T.zeros(3, 4))),
    ("squeeze_ on a leaf", lambda T, x: x.requires_grad_().squeeze_()),
    ("exp_ on a leaf", lambda T, x: x.requires_grad_().exp_()),
    ("accelerator index without GPU", lambda T, x: T.accelerator.current_device_index()),
]


@pytest.mark.parametrize("name, fn", MISUSE, ids=[n for n, _ in MISUSE])
def test_misuse_raises_the_same_exception_type(name: str, fn: Callable) -> None:
    outcome = []
    for T in (torch, tg):
        x = T.tensor(distinct(1, (3, 4)), dtype=T.float32)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fn(T, x)
            outcome.append(None)
        except Exception as exc:  # noqa: BLE001
            outcome.append(type(exc))
    assert outcome[0] is not None, f"{name}: torch accepts it (bad test)"
    assert outcome[1] is outcome[0], f"{name}: torch raises {outcome[0]}, ours {outcome[1]}"


# ------------------------------------------------------------------------------ in-place forms
INPLACE = ["exp_", "relu_", "sigmoid_", "tanh_", "neg_", "abs_", "sqrt_", "sin_", "cos_",
           "floor_", "round_", "log_"]


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_unary_forms(name: str) -> None:
    a = np.abs(distinct(2, (2, 3))) + 0.5
    x, t = tg.tensor(a), torch.tensor(a)
    assert getattr(x, name)() is x
    getattr(t, name)()
    np.testing.assert_allclose(x.numpy(), t.numpy(), rtol=1e-12)
    # inside a graph: gradients flow through the in-place change, as in torch
    w, tw = tg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, ty = w * 2, tw * 2
    getattr(y, name)().sum().backward()
    getattr(ty, name)().sum().backward()
    assert y.grad_fn.name() == ty.grad_fn.name()
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-10)


def test_other_inplace_forms() -> None:
    for T in (tg, torch):
        x = T.tensor([[1.0, -2.0], [3.0, 4.0]])
        x.clamp_(min=0).pow_(2)
        assert x.tolist() == [[1.0, 0.0], [9.0, 16.0]]
        x.masked_fill_(x > 5, -1.0)
        assert x.tolist() == [[1.0, 0.0], [-1.0, -1.0]]
        x.scatter_(1, T.tensor([[1], [0]]), 7.0)
        assert x.tolist() == [[1.0, 7.0], [7.0, -1.0]]
        x.unsqueeze_(0)
        assert tuple(x.shape) == (1, 2, 2)
        x.squeeze_()
        assert tuple(x.shape) == (2, 2)
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    y = w * 1
    y.masked_fill_(tg.tensor([True, False]), 0.0)
    y.sum().backward()
    assert w.grad.tolist() == [0.0, 1.0] and y.grad_fn.name() == "MaskedFillBackward0"


# ------------------------------------------------------------------------------ memory layout
def test_stride_contiguous_element_size_numel_match_torch() -> None:
    for T in (tg, torch):
        x = T.zeros(3, 4)
        views = [x, x.t(), x[:, ::2], x[1], x.T.contiguous()]
        got = [(v.stride(), v.is_contiguous(), v.element_size(), v.numel()) for v in views]
        if T is tg:
            ours = got
        else:
            assert ours == got
    assert tg.zeros(2, dtype=tg.float64).element_size() == 8
    assert tg.zeros(2, dtype=tg.bool).element_size() == 1
    assert tg.zeros(3, 4).stride(1) == 1


# ------------------------------------------------------------------------------ awkward inputs
AWKWARD = [
    "x.sin()", "x.floor()", "x.round(decimals=1)", "x.sign()", "x.cumsum(0)", "x.cumprod(-1)",
    "x.prod()", "x.logsumexp(-1)", "x.sort(-1).values", "x.argsort(0)", "x.flip(0)",
    "x.roll(1, 0)", "x.repeat(2, 1, 1)[..., :0] if x.ndim == 2 else x.repeat(2)",
    "x.masked_select(x > 0)", "x.nonzero()", "x.unique()", "x.amax(-1)", "x.var(-1)",
    "x.tril()", "x.isnan()", "x % 2.0", "x // 2.0", "x.erf()", "x.std(0, correction=0)",
]
INPUTS = {
    "empty rows": lambda T: T.zeros(0, 3),
    "empty cols": lambda T: T.zeros(2, 0),
    "0-d": lambda T: T.tensor(1.5),
    "transposed": lambda T: T.arange(12.0).reshape(3, 4).T - 4,
    "strided": lambda T: (T.arange(24.0).reshape(4, 6) - 10)[:, ::2],
    "with nan and inf": lambda T: T.tensor([[float("nan"), 1.0, -float("inf")], [2.0, -0.5, 3.0]]),
}


@pytest.mark.parametrize("expr", AWKWARD)
@pytest.mark.parametrize("kind", list(INPUTS))
def test_awkward_inputs_match_torch(expr: str, kind: str) -> None:
    """Empty, 0-d, non-contiguous and nan/inf inputs: the same values, or the same exception."""
    outcome = []
    for T in (torch, tg):
        x = INPUTS[kind](T)
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                out = eval(expr, {"x": x, "T": T})
            outcome.append((tuple(out.shape), str(out.dtype).split(".")[-1],
                            np.asarray(out.tolist(), dtype=float)))
        except Exception as exc:  # noqa: BLE001  the exception type is what we compare
            outcome.append(type(exc).__name__)
    theirs, ours = outcome
    if isinstance(theirs, str) or isinstance(ours, str):
        assert ours == theirs, f"{expr} on {kind}: torch {theirs}, ours {ours}"
        return
    assert ours[:2] == theirs[:2], f"{expr} on {kind}: torch {theirs[:2]}, ours {ours[:2]}"
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-6, equal_nan=True,
                               err_msg=f"{expr} on {kind}")
