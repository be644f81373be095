"""Ops from everyday training code, against torch: div(rounding_mode=), lerp, nan_to_num,
count_nonzero, clip_, addmm (beta, alpha), meshgrid, huber_loss, cross_entropy's
label_smoothing. Values, gradients, dtypes, node names and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg

SETTINGS = settings(max_examples=40, deadline=None)


def _both(program):
    """``program(lib)`` -> (outputs, leaves) for torch and for us: compare everything."""
    results = []
    for lib in (torch, tg):
        try:
            results.append(program(lib))
        except Exception as exc:  # noqa: BLE001  the same exception type and message start
            results.append(exc)
    theirs, ours = results
    if isinstance(theirs, Exception):
        assert type(ours) is type(theirs), (theirs, ours)
        # PyTorch's words first; ours may add a sentence that explains (shapes, dtypes)
        assert str(ours).startswith(str(theirs).split(":")[0]), (theirs, ours)
        return
    assert not isinstance(ours, Exception), (theirs, ours)
    for t, o in zip(theirs, ours, strict=True):
        if o is None or t is None:
            assert o is None and t is None
            continue
        if isinstance(t, str):
            assert o == t
            continue
        assert tuple(o.shape) == tuple(t.shape) and str(o.dtype) == str(t.dtype)
        tol = 1e-5 if str(t.dtype) == "torch.float32" else 1e-9  # float32: last-bit rounding
        np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=tol, atol=tol,
                                   equal_nan=True)


def _leaf(lib, values, dtype="float64"):
    return lib.tensor(values, dtype=getattr(lib, dtype), requires_grad=dtype.startswith("float"))


def _grads(out, *leaves):
    out.backward(out.detach() * 0 + 1) if out.ndim else out.backward()
    return [t.grad for t in leaves]


small = st.lists(st.integers(-9, 9), min_size=1, max_size=6)


@SETTINGS
@given(a=small, b=st.integers(-4, 4).filter(bool), mode=st.sampled_from(["floor", "trunc"]),
       dtype=st.sampled_from(["float64", "int64", "int32"]))
def test_div_with_rounding_mode(a, b, mode, dtype):
    def program(lib):
        x = _leaf(lib, a, dtype)
        y = x.div(b, rounding_mode=mode)
        name = y.grad_fn.name() if y.grad_fn is not None else "-"
        return [y, name] + (_grads(y.sum(), x) if x.requires_grad else [None])

    _both(program)


def test_div_rounding_errors():
    _both(lambda lib: [lib.tensor([7]).div(0, rounding_mode="trunc")])
    _both(lambda lib: [lib.tensor([7.0]).div(2, rounding_mode="round")])


@SETTINGS
@given(a=st.lists(st.floats(-5, 5), min_size=3, max_size=3),
       b=st.lists(st.floats(-5, 5), min_size=3, max_size=3),
       weight=st.one_of(st.floats(0, 1), st.just("tensor")))
def test_lerp(a, b, weight):
    def program(lib):
        x, y = _leaf(lib, a), _leaf(lib, b)
        w = _leaf(lib, [0.2, 0.5, 0.9]) if weight == "tensor" else weight
        out = lib.lerp(x, y, w)
        return [out, out.grad_fn.name(), *_grads((out * out).sum(), x, y)]

    _both(program)
    _both(lambda lib: [lib.lerp(lib.tensor([1]), lib.tensor([3]), 0.5)])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kwargs", [{}, {"nan": 1.5, "posinf": 9.0}, {"neginf": -3.0}])
def test_nan_to_num(dtype, kwargs):
    def program(lib):
        x = _leaf(lib, [float("nan"), float("inf"), -float("inf"), 2.0], dtype)
        y = x.nan_to_num(**kwargs)
        return [y, y.grad_fn.name(), *_grads(y.sum(), x)]

    _both(program)
    _both(lambda lib: [lib.tensor([1, 2]).nan_to_num()])


def test_count_nonzero_and_clip_():
    _both(lambda lib: [lib.count_nonzero(lib.tensor([[0, 1], [2, 0]]), dim=0),
                       lib.tensor([[0.0, 1.0]]).count_nonzero(),
                       lib.tensor([[0, 1], [2, 3]]).count_nonzero((0, 1))])
    _both(lambda lib: [lib.tensor([-1.0, 0.5, 5.0]).clip_(0, 1)])


@SETTINGS
@given(c_shape=st.sampled_from([(), (3,), (1, 3), (2, 1), (2, 3)]),
       beta=st.sampled_from([0, 0.5, 1]), alpha=st.sampled_from([1, 2.0, -0.5]))
def test_addmm(c_shape, beta, alpha):
    rng = np.random.default_rng(len(c_shape))
    values = [rng.standard_normal(s) for s in (c_shape, (2, 4), (4, 3))]

    def program(lib):
        c, a, b = (_leaf(lib, v) for v in values)
        y = lib.addmm(c, a, b, beta=beta, alpha=alpha)
        return [y, y.grad_fn.name(), *_grads((y * y).sum(), c, a, b)]

    _both(program)


def test_addmm_errors():
    _both(lambda lib: [lib.addmm(lib.ones(4), lib.ones(2, 3), lib.ones(3, 2))])
    _both(lambda lib: [lib.addmm(lib.ones(2), lib.ones(3), lib.ones(3, 2))])
    _both(lambda lib: [lib.addmm(lib.ones(2), lib.ones(2, 3), lib.ones(2, 3))])


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid(indexing):
    def program(lib):
        a, b, c = _leaf(lib, [1.0, 2.0]), _leaf(lib, [3.0, 4.0, 5.0]), _leaf(lib, 7.0)
        grids = lib.meshgrid(a, b, c, indexing=indexing)
        first = grids[0].grad_fn.name()
        return [*grids, first, *_grads((grids[0] * grids[1] * grids[2]).sum(), a, b, c)]

    _both(program)
    _both(lambda lib: list(lib.meshgrid([lib.tensor([1, 2]), lib.tensor([3])], indexing="xy")))
    _both(lambda lib: list(lib.meshgrid(lib.ones(2, 2), indexing="ij")))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tg.meshgrid(tg.tensor([1, 2]), tg.tensor([3]))
    assert any("indexing" in str(w.message) for w in caught)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("delta", [0.5, 1.0, 2.0])
def test_huber_loss(reduction, delta):
    rng = np.random.default_rng(3)
    x_values, y_values = rng.standard_normal(7) * 3, rng.standard_normal(7)

    def program(lib):
        x, y = _leaf(lib, x_values), _leaf(lib, y_values)
        loss = lib.nn.functional.huber_loss(x, y, reduction=reduction, delta=delta)
        return [loss, loss.grad_fn.name(), *_grads(loss.sum(), x, y)]

    _both(program)
    assert repr(tg.nn.HuberLoss(delta=2.0)) == repr(torch.nn.HuberLoss(delta=2.0))
    _both(lambda lib: [lib.nn.functional.huber_loss(lib.ones(2), lib.ones(2), delta=-1.0)])


@pytest.mark.parametrize("smoothing", [0.1, 0.5, 1.0])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("targets", ["classes", "classes with ignored", "probabilities"])
def test_cross_entropy_label_smoothing(smoothing, reduction, weighted, targets):
    rng = np.random.default_rng(0)
    logits, probs = rng.standard_normal((4, 3)), rng.random((4, 3))
    probs /= probs.sum(1, keepdims=True)
    classes = np.array([0, -100, 1, 2]) if targets == "classes with ignored" else [0, 2, 1, 2]

    def program(lib):
        x = _leaf(lib, logits)
        target = lib.tensor(probs if targets == "probabilities" else classes)
        weight = lib.tensor([1.0, 2.0, 0.5], dtype=lib.float64) if weighted else None
        loss = lib.nn.functional.cross_entropy(x, target, weight=weight, reduction=reduction,
                                               label_smoothing=smoothing)
        return [loss, *_grads(loss.sum(), x)]

    _both(program)


def test_label_smoothing_out_of_range():
    _both(lambda lib: [lib.nn.functional.cross_entropy(lib.ones(2, 3), lib.tensor([0, 1]),
                                                       label_smoothing=1.5)])


ACTIVATIONS = {
    "hardtanh": lambda F, x: F.hardtanh(x),
    "hardtanh(-0.5, 2)": lambda F, x: F.hardtanh(x, -0.5, 2.0),
    "relu6": lambda F, x: F.relu6(x),
    "mish": lambda F, x: F.mish(x),
    "softsign": lambda F, x: F.softsign(x),
}


@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_bounded_and_smooth_activations(name, dtype):
    """Edges included: x exactly at hardtanh's and relu6's limits gets gradient 0."""
    values = [-30.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, 6.0, 7.0, 30.0]

    def program(lib):
        x = _leaf(lib, values, dtype)
        y = ACTIVATIONS[name](lib.nn.functional, x)
        return [y, y.grad_fn.name(), *_grads((y * y).sum(), x)]

    _both(program)


@pytest.mark.parametrize("make", [
    lambda nn: nn.Hardtanh(), lambda nn: nn.Hardtanh(-2, 2), lambda nn: nn.ReLU6(),
    lambda nn: nn.ReLU6(inplace=True), lambda nn: nn.Mish(), lambda nn: nn.Softsign(),
    lambda nn: nn.KLDivLoss(reduction="batchmean", log_target=True),
])
def test_new_modules_print_as_pytorchs(make):
    assert repr(make(tg.nn)) == repr(make(torch.nn))


@SETTINGS
@given(x=st.lists(st.sampled_from([0.0, 0.5, 2.0, float("nan")]), min_size=3, max_size=3),
       y=st.lists(st.sampled_from([0.0, 0.25, 3.0, -1.0, float("nan")]), min_size=3, max_size=3))
def test_xlogy(x, y):
    def program(lib):
        a, b = _leaf(lib, x), _leaf(lib, y)
        out = lib.xlogy(a, b)
        return [out, out.grad_fn.name(), *_grads(out.sum(), a, b)]

    _both(program)
    _both(lambda lib: [lib.xlogy(2.0, lib.tensor([3.0], requires_grad=True)).grad_fn.name(),
                       lib.xlogy(lib.tensor([0, 2]), lib.tensor([3, 3]))])


@pytest.mark.parametrize("reduction", ["mean", "batchmean", "sum", "none"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    probs = np.array([[0.3, 0.7, 0.0], [0.6, 0.2, 0.2]])  # a zero: 0 log 0 counts 0
    logq = np.log(np.array([[0.2, 0.5, 0.3], [0.1, 0.6, 0.3]]))

    def program(lib):
        q = _leaf(lib, logq)
        p = lib.tensor(np.log(probs) if log_target else probs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loss = lib.nn.functional.kl_div(q, p, reduction=reduction, log_target=log_target)
        return [loss, loss.grad_fn.name(), *_grads(loss.sum(), q)]

    _both(program)


def test_they_run_on_the_simulated_gpu(fake_cuda):
    """Each new op forward and backward on "cuda" (the simulated GPU: CuPy's rules), with the
    same numbers as on the CPU."""
    F = tg.nn.functional

    def run(device):
        def leaf(values):
            return tg.tensor(values, device=device, dtype=tg.float64, requires_grad=True)

        programs = [
            lambda: tg.lerp(leaf([1.0, 2.0]), leaf([3.0, 5.0]), 0.3),
            lambda: leaf([float("nan"), float("inf"), 1.0]).nan_to_num(),
            lambda: tg.xlogy(leaf([0.0, 2.0]), leaf([0.5, 3.0])),
            lambda: leaf([-7.0, 7.0]).div(2, rounding_mode="floor") + leaf([1.0, 1.0]),
            lambda: leaf([-7.0, 7.0]).fmod(2.0),
            lambda: tg.addmm(leaf([1.0]), leaf([[1.0, 2.0], [3.0, 4.0]]), leaf([[1.0], [2.0]]),
                             beta=0.5),
            lambda: F.hardtanh(leaf([-2.0, 0.5, 3.0])) + F.mish(leaf([-2.0, 0.5, 3.0])),
            lambda: F.huber_loss(leaf([0.0, 3.0]), leaf([0.5, 0.0])),
            lambda: F.cross_entropy(leaf([[1.0, 2.0, 3.0]]), tg.tensor([0], device=device),
                                    label_smoothing=0.1),
            lambda: tg.meshgrid(leaf([1.0, 2.0]), leaf([3.0, 4.0, 5.0]), indexing="xy")[0] * 1,
            lambda: leaf([1.0, 2.0]) @ leaf([[1.0, 0.0], [0.0, 1.0]]),
            lambda: leaf([[1.0, 2.0], [3.0, 4.0]]).t().reshape(4) * 1,
        ]
        results = []
        for program in programs:
            out = program()
            out.sum().backward()
            assert out.device.type == tg.device(device).type
            results.append(out.detach().cpu().numpy())
        return results

    for gpu, cpu in zip(run("cuda"), run("cpu"), strict=True):
        np.testing.assert_allclose(gpu, cpu)


@pytest.mark.parametrize("offset", [-2, -1, 0, 1, 3, 5])
@pytest.mark.parametrize("dims", [(0, 1), (1, 2), (2, 0), (-1, -2)])
def test_diagonal_is_a_view_like_pytorchs(offset, dims):
    values = np.random.default_rng(0).standard_normal((2, 3, 4))

    def program(lib):
        x = _leaf(lib, values)
        d = x.diagonal(offset, *dims)
        facts = f"{d.grad_fn.name()} {tuple(d.stride())} {d.is_contiguous()}"
        return [d, facts, *(_grads((d * d).sum(), x) if d.numel() else [None])]

    _both(program)


def test_writing_through_a_diagonal():
    def program(lib):
        x = _leaf(lib, np.arange(9.0).reshape(3, 3))
        y = x * 1
        y.diagonal().mul_(10)
        plain = lib.arange(9.0).reshape(3, 3)
        plain.diagonal().fill_(-1)
        return [y, plain, *_grads((y * y).sum(), x)]

    _both(program)
    _both(lambda lib: [lib.ones(3).diagonal()])
    _both(lambda lib: [lib.ones(2, 2).diagonal(0, 1, 1)])


@pytest.mark.parametrize("equation, shapes", [
    ("ii->", [(3, 3)]), ("ii->i", [(3, 3)]), ("iij->j", [(2, 2, 3)]),
    ("ij,jj->i", [(2, 3), (3, 3)]), ("iji->j", [(2, 3, 2)]), ("ii", [(4, 4)]),
    ("bii->b", [(2, 3, 3)]), ("iijj->ij", [(2, 2, 3, 3)]), ("ii->", [(2, 3)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (2, 4, 5)]), ("...ij,...jk", [(2, 3, 4), (4, 5)]),
    ("...ij,...jk->...ik", [(1, 3, 4), (5, 4, 2)]), ("...ii->...i", [(2, 3, 3)]),
    ("i...->...", [(3, 2, 4)]), ("...", [(2, 3)]), ("b...,b...->b", [(2, 3, 4), (2, 3, 4)]),
    ("ij...,jk...->ik...", [(2, 3, 5), (3, 4, 5)]), ("...qd,...kd->...qk", [(2, 2, 3, 4),
                                                                          (2, 2, 5, 4)]),
    ("...ij", [(2,)]), ("..ij", [(2, 3)]),
])
def test_einsum_repeated_letters_and_ellipsis(equation, shapes):
    rng = np.random.default_rng(1)
    values = [rng.standard_normal(s) for s in shapes]

    def program(lib):
        xs = [_leaf(lib, v) for v in values]
        y = lib.einsum(equation, *xs)
        return [y, *_grads(y.sum(), *xs)]

    _both(program)


NORMS = {
    "vector_norm": lambda L, x: L.linalg.vector_norm(x),
    "vector_norm 1 dim=-1": lambda L, x: L.linalg.vector_norm(x, 1, dim=-1),
    "vector_norm inf dims": lambda L, x: L.linalg.vector_norm(x, float("inf"), dim=(0, 2),
                                                            keepdim=True),
    "matrix_norm": lambda L, x: L.linalg.matrix_norm(x),
    "matrix_norm keepdim": lambda L, x: L.linalg.matrix_norm(x, keepdim=True),
    "norm": lambda L, x: L.linalg.norm(x),
    "norm 2-D": lambda L, x: L.linalg.norm(x[0]),
    "norm 1-D ord 1": lambda L, x: L.linalg.norm(x[0, 0], 1),
    "norm dim": lambda L, x: L.linalg.norm(x, dim=1),
    "norm fro dims": lambda L, x: L.linalg.norm(x, "fro", dim=(1, 2)),
    "norm 3-D with ord": lambda L, x: L.linalg.norm(x, 2),
    "matrix_norm of a vector": lambda L, x: L.linalg.matrix_norm(x[0, 0]),
}


@pytest.mark.parametrize("name", NORMS)
def test_linalg_norms(name):
    values = np.array([[[3.0, -4.0, 0.0], [1.0, 2.0, -2.0]], [[1.0, 1.0, 1.0], [0.0, -1.0, 2.0]]])

    def program(lib):
        x = _leaf(lib, values)
        y = NORMS[name](lib, x)
        return [y, y.grad_fn.name(), *_grads(y.sum(), x)]

    _both(program)


@SETTINGS
@given(y=st.lists(st.sampled_from([0.0, 1.0, -1.0, 2.5, -3.0]), min_size=4, max_size=4),
       x=st.lists(st.sampled_from([0.0, 1.0, -1.0, 0.5, -2.0]), min_size=4, max_size=4),
       dtype=st.sampled_from(["float32", "float64"]))
def test_atan2_and_hypot(y, x, dtype):
    """The angle and the length of a point, the origin included (atan2's slope is 0 there,
    hypot's is nan, as in PyTorch)."""
    def program(lib):
        a, b = _leaf(lib, y, dtype), _leaf(lib, x, dtype)
        angle, length = lib.atan2(a, b), lib.hypot(a, b)
        return [angle, length, angle.grad_fn.name(), length.grad_fn.name(),
                *_grads((angle + length).sum(), a, b)]

    _both(program)
    _both(lambda lib: [lib.atan2(lib.tensor([1, 2]), lib.tensor([1, 1]))])
    _both(lambda lib: [lib.hypot(lib.tensor([3]), lib.tensor([4]))])


NAN = float("nan")
FUZZ_FINDINGS = {  # each differed from PyTorch before (found by a differential fuzz run)
    "maximum with nan": lambda L: _pair_grads(L, L.maximum, [NAN, 1.0, 2.0], [0.0, NAN, 2.0]),
    "minimum with nan": lambda L: _pair_grads(L, L.minimum, [NAN, 1.0, 2.0], [0.0, NAN, 2.0]),
    "abs at nan": lambda L: _pair_grads(L, lambda a, b: a.abs() + b, [NAN, 0.0, -2.0],
                                        [1.0, 1.0, 1.0]),
    "int ** negative int tensor": lambda L: [L.tensor([-3, -2, -1, 0, 1, 2, 3])
                                             ** L.tensor([-1, -2, -3, -1, -2, -1, 2])],
    "number ** negative int tensor": lambda L: [2 ** L.tensor([-1, 2])],
    "int ** negative number": lambda L: [L.tensor([2]) ** -1],
    "sort of a 0-d tensor": lambda L: _names(L.tensor(2.0, requires_grad=True).sort().values,
                                             L.tensor(2.0, requires_grad=True).topk(1).values),
    "sum(0) of a 0-d tensor": lambda L: _names(L.tensor(2.0, requires_grad=True).sum(0),
                                               L.tensor(2.0, requires_grad=True).mean(0)),
    "lerp end dtype": lambda L: [L.lerp(L.tensor([1]), L.tensor([3.0]), 0.5)],
    "lerp weight dtype": lambda L: [L.lerp(L.tensor([1.0]), L.tensor([3.0]),
                                           L.tensor([0.5], dtype=L.float64))],
    "mse of integers": lambda L: [L.nn.functional.mse_loss(L.tensor([1, 2]), L.tensor([2, 2]))],
    "smooth_l1 of integers": lambda L: [L.nn.functional.smooth_l1_loss(L.tensor([1]),
                                                                       L.tensor([2]))],
    "huber of integers": lambda L: [L.nn.functional.huber_loss(L.tensor([1]), L.tensor([2]))],
    "huber keeps the input dtype": lambda L: [L.nn.functional.huber_loss(
        L.tensor([1.0, 3.0]), L.tensor([2.0, 0.0], dtype=L.float64))],
    "huber int input, float target": lambda L: [L.nn.functional.huber_loss(
        L.tensor([1, 3]), L.tensor([2.0, 0.0]))],
    "bce with logits of integers": lambda L: [
        L.nn.functional.binary_cross_entropy_with_logits(L.tensor([1, 0]), L.tensor([1.0, 0.0]))],
    "bce with logits, float64 logits": lambda L: [
        L.nn.functional.binary_cross_entropy_with_logits(
            L.tensor([1.0, -2.0], dtype=L.float64), L.tensor([1.0, 0.0]))],
    "l1 with a 0-d float64 target": lambda L: [L.nn.functional.l1_loss(
        L.ones(2, 1), L.ones((), dtype=L.float64))],
    "mse with a 0-d float64 target": lambda L: _pair_grads(
        L, L.nn.functional.mse_loss, [1.0, 2.0, 3.0], 2.0),
    "median with ties and nan": lambda L: [
        *_pair_grads(L, lambda a, b: a.median() + b, [[3.0, 1.0], [2.0, 1.0], [2.0, -1.0]], 0.0),
        *_pair_grads(L, lambda a, b: a.median() + b, [1.0, NAN, 2.0, NAN], 0.0),
        *_pair_grads(L, lambda a, b: a.median(1).values + b, [[1.0, NAN, 2.0], [3.0, 1.0, 2.0]],
                     [0.0, 0.0])],
    "topk of bools": lambda L: [L.tensor([True, False]).topk(1).values],
    "clamp with 0-d tensor bounds": lambda L: [
        L.tensor([1, 5], dtype=L.int32).clamp(min=L.tensor(2)),
        L.tensor([1.0, 5.0], dtype=L.float16).clamp(min=L.tensor(2.0)),
        L.tensor([1, 5]).clamp(min=L.tensor([2.0])), L.tensor([1, 5]).clamp(2.5)],
    "setitem and fill names": lambda L: _setitem_names(L),
    "index_put out of place": lambda L: _pair_grads(
        L, lambda a, b: a.index_put((L.tensor([0, 0]),), b, accumulate=True), [1.0, 1.0, 1.0],
        [2.0, 3.0]),
    "permute without dims": lambda L: [L.tensor(1.0).permute()],
    "isclose of mixed dtypes": lambda L: [L.isclose(L.tensor([1.0]), L.tensor([1.0],
                                                                        dtype=L.float64))],
    "normalize of integers": lambda L: [L.nn.functional.normalize(L.tensor([[1, 2]]))],
    "layer_norm of integers": lambda L: [L.nn.functional.layer_norm(L.tensor([1, 2]), (2,))],
    "loss shapes checked before dtypes": lambda L: [L.nn.functional.smooth_l1_loss(
        L.tensor([1, 2, 3]), L.tensor([1, 2, 3, 4, 5, 6]))],
    "isclose of 0-d tensors": lambda L: [L.isclose(L.tensor(2.0), L.tensor(2.0)).masked_select(
        L.tensor(True))],
    "smooth_l1 with a 0-d float64 input": lambda L: _pair_grads(
        L, L.nn.functional.smooth_l1_loss, 1.0, [[0.5, 2.0, 3.0]]),
    "softmax with dtype=": lambda L: [
        *_pair_grads(L, lambda a, b: L.nn.functional.softmax(a, dim=0, dtype=L.float64) + b,
                     [1.0, 2.0], [0.0, 0.0]),
        L.tensor([1, 2]).softmax(0, dtype=L.float32),
        L.tensor([1.0, 2.0]).log_softmax(dim=0, dtype=L.float64)],
    "bool // bool": lambda L: [L.tensor([True]) // L.tensor([True])],
    "bool div trunc": lambda L: [L.tensor([True]).div(L.tensor([True]), rounding_mode="trunc")],
    "median of bools": lambda L: [L.tensor([True, False]).median()],
    "hardtanh of ints and bools": lambda L: [L.nn.functional.hardtanh(L.tensor([-3, 0, 3])),
                                             L.nn.functional.relu6(L.tensor([-3, 0, 9])),
                                             L.nn.functional.hardtanh(L.tensor([True]))],
    "narrow is a slice": lambda L: _names(L.ones(1, requires_grad=True).narrow(0, 0, 1),
                                          L.ones(2, 3, requires_grad=True).narrow(1, 0, 3)),
    "einsum with a 0-d operand": lambda L: _names(
        L.einsum("...,...->", L.tensor(2.0, requires_grad=True), L.tensor(3.0)),
        L.einsum("i,->i", L.ones(2, requires_grad=True), L.tensor(3.0))),
}


def _setitem_names(lib):
    names = []
    writes = [
        lambda y: y.__setitem__(y > 0, 0.0), lambda y: y.__setitem__(lib.tensor([0, 1]), 2.0),
        lambda y: y.__setitem__(0, 2.0), lambda y: y.__setitem__(slice(0, 2), 2.0),
        lambda y: y.__setitem__((slice(None), lib.tensor([0, 1])), 2.0),
        lambda y: y.__setitem__((0, lib.tensor([0, 1])), 2.0),
        lambda y: y.__setitem__(Ellipsis, 2.0), lambda y: y.__setitem__(slice(None), lib.ones(4)),
        lambda y: y.fill_(2.0), lambda y: y.fill_(lib.tensor(2.0)), lambda y: y.zero_(),
        lambda y: y.copy_(lib.ones(3, 4)),
    ]
    for write in writes:
        x = lib.ones(3, 4, requires_grad=True)
        y = x * 1
        write(y)
        names.append(y.grad_fn.name().replace("torch::autograd::", ""))
    return names


def _pair_grads(lib, fn, a_values, b_values):
    a, b = _leaf(lib, a_values), _leaf(lib, b_values)
    out = fn(a, b)
    return [out, *_grads(out.sum(), a, b)]


def _names(*tensors):
    return [t.grad_fn.name() for t in tensors]


@pytest.mark.parametrize("name", FUZZ_FINDINGS)
def test_fuzz_findings_match_pytorch(name):
    _both(FUZZ_FINDINGS[name])


@pytest.mark.parametrize("args", [(1, 2, 2), (1, 2, 1), (0, 2, 1), (-1, 5, 3), (1, 3, 2)])
def test_unfold_windows_are_views_like_pytorchs(args):
    values = np.arange(10.0).reshape(2, 5) / 3

    def program(lib):
        x = _leaf(lib, values)
        u = x.unfold(*args)
        facts = f"{u.grad_fn.name()} {tuple(u.stride())} {u.is_contiguous()}"
        weights = lib.arange(u.numel(), dtype=lib.float64).reshape(u.shape)
        return [u, facts, *_grads((u * weights).sum(), x)]

    _both(program)
    _both(lambda lib: [lib.ones(2, 5).unfold(1, 6, 1)])
    _both(lambda lib: [lib.ones(2, 5).unfold(1, 2, 0)])
    _both(lambda lib: [lib.tensor(3.0).unfold(0, 1, 1)])
    _both(lambda lib: [lib.arange(10.0).reshape(2, 5).unfold(1, 3, 1).unfold(1, 2, 1)])
