"""The nn layers added for chapter 10, against PyTorch: functions, modules, train/eval, init.

Functions: values and gradients of every tensor input (float64, 1e-10), grad_fn names, on
inputs drawn by hypothesis. Modules: the repr, the state_dict keys, the default initialisation's
statistics, and outputs and gradients of the input and of every parameter once our weights are
copied into the torch module. Then the LeNet of PyTorch's blitz tutorial, verbatim.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.nn import functional as F

TOL = dict(rtol=1e-10, atol=1e-10)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def close(ours, theirs, what: str, **tol) -> None:
    assert ours is not None, f"{what}: ours is None where PyTorch has a value"
    np.testing.assert_allclose(np.asarray(ours.detach().numpy()), theirs.detach().numpy(),
                               **(tol or TOL), err_msg=f"{what}: ours differs from PyTorch")


def compare(fn_ours, fn_theirs, arrays, seed=1, grad_fn=True, **tol):
    """Same inputs, same output gradient: compare outputs, grad_fn names and input grads."""
    ours = [tg.tensor(a, requires_grad=a.dtype.kind == "f") if isinstance(a, np.ndarray) else a
            for a in arrays]
    theirs = [torch.tensor(a).requires_grad_(a.dtype.kind == "f") if isinstance(a, np.ndarray)
              else a for a in arrays]
    yo, yt = fn_ours(*ours), fn_theirs(*theirs)
    close(yo, yt, "output", **tol)
    if grad_fn:
        assert yo.grad_fn.name() == type(yt.grad_fn).__name__
    g = np.random.default_rng(seed).standard_normal(tuple(yt.shape))
    yo.backward(tg.tensor(g))
    yt.backward(torch.tensor(g))
    for i, (o, t) in enumerate(zip(ours, theirs)):
        if isinstance(o, tg.Tensor) and o.requires_grad:
            if t.grad is None:  # not used by the graph (e.g. a detached weight)
                assert o.grad is None, f"argument {i}: PyTorch has no gradient, ours has one"
            else:
                close(o.grad, t.grad, f"gradient of argument {i}", **tol)


values = st.floats(-30, 30, allow_nan=False, width=64)


SHAPES = array_shapes(min_dims=0, max_dims=3, max_side=5)


def arrays_of(shape_strategy=SHAPES):
    return shape_strategy.flatmap(lambda s: st.lists(values, min_size=math.prod(s),
                                                     max_size=math.prod(s)).map(
        lambda v, s=s: np.array(v, dtype=np.float64).reshape(s)))


# ------------------------------------------------------------------------------ activations
ACTIVATIONS = [
    ("gelu", lambda x: F.gelu(x), lambda x: TF.gelu(x)),
    ("gelu tanh", lambda x: F.gelu(x, approximate="tanh"),
     lambda x: TF.gelu(x, approximate="tanh")),
    ("leaky_relu", lambda x: F.leaky_relu(x), lambda x: TF.leaky_relu(x)),
    ("leaky_relu 0.2", lambda x: F.leaky_relu(x, 0.2), lambda x: TF.leaky_relu(x, 0.2)),
    ("silu", F.silu, TF.silu),
    ("elu", lambda x: F.elu(x), lambda x: TF.elu(x)),
    ("elu 0.5", lambda x: F.elu(x, 0.5), lambda x: TF.elu(x, 0.5)),
    ("softplus", lambda x: F.softplus(x), lambda x: TF.softplus(x)),
    ("softplus beta", lambda x: F.softplus(x, 2.0, 5.0), lambda x: TF.softplus(x, 2.0, 5.0)),
]


@pytest.mark.parametrize("name,ours,theirs", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
@SETTINGS
@given(x=arrays_of())
def test_activations_match_torch(name, ours, theirs, x):
    compare(ours, theirs, [x])


@pytest.mark.parametrize("name,ours,theirs", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activations_at_zero_and_float32(name, ours, theirs):
    x = np.array([0.0, -0.0, 1e-8, -1e-8, 20.0, -20.0, 100.0, -100.0])
    compare(ours, theirs, [x])
    x32 = np.linspace(-5, 5, 11, dtype=np.float32)
    yo = ours(tg.tensor(x32))
    assert yo.dtype is tg.float32
    np.testing.assert_allclose(yo.numpy(), theirs(torch.tensor(x32)).numpy(), rtol=1e-6,
                               atol=1e-6)


ACT_MODULES = [(nn.GELU(), torch.nn.GELU()), (nn.GELU("tanh"), torch.nn.GELU("tanh")),
               (nn.LeakyReLU(), torch.nn.LeakyReLU()), (nn.LeakyReLU(0.2, True),
                                                        torch.nn.LeakyReLU(0.2, True)),
               (nn.SiLU(), torch.nn.SiLU()), (nn.ELU(), torch.nn.ELU()),
               (nn.ELU(alpha=0.5), torch.nn.ELU(alpha=0.5)), (nn.Softplus(), torch.nn.Softplus()),
               (nn.Softplus(2, 10), torch.nn.Softplus(2, 10)), (nn.Identity(), torch.nn.Identity())]


@pytest.mark.parametrize("ours,theirs", ACT_MODULES, ids=[repr(t) for _, t in ACT_MODULES])
def test_activation_modules_repr_and_values(ours, theirs):
    assert repr(ours) == repr(theirs)
    x = np.linspace(-3, 3, 13)
    close(ours(tg.tensor(x)), theirs(torch.tensor(x)), repr(theirs))


# ------------------------------------------------------------------------------ losses
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy_matches_torch(reduction, weighted):
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(0.01, 0.99, 10), [0.0, 1.0, 0.5]])  # 0 and 1: log clamped
    y = np.concatenate([rng.uniform(0, 1, 10), [0.0, 1.0, 1.0]])
    w = rng.uniform(0.5, 2, 13) if weighted else None
    args = [x, y] + ([w] if weighted else [])

    def ours(a, b, c=None):
        return F.binary_cross_entropy(a, b, c.detach() if c is not None else None, reduction)

    def theirs(a, b, c=None):
        return TF.binary_cross_entropy(a, b, c.detach() if c is not None else None,
                                       reduction=reduction)
    x_mid, y_mid = x[:10], y[:10]  # gradients at exactly 0 or 1 are inf/huge: compare apart
    compare(ours, theirs, [x_mid, y_mid] + ([w[:10]] if weighted else []))
    yo = ours(*[tg.tensor(a) for a in args])
    yt = theirs(*[torch.tensor(a) for a in args])
    close(yo, yt, "loss with x = 0 and 1")
    bce = nn.BCELoss(reduction=reduction)
    assert repr(bce) == "BCELoss()"
    close(bce(tg.tensor(x), tg.tensor(y)), torch.nn.BCELoss(reduction=reduction)(
        torch.tensor(x), torch.tensor(y)), "BCELoss")


def test_binary_cross_entropy_refuses_values_outside_0_1():
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(tg.tensor([1.5]), tg.tensor([1.0]))
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        TF.binary_cross_entropy(torch.tensor([1.5]), torch.tensor([1.0]))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("beta", [1.0, 0.5, 0.0])
def test_l1_and_smooth_l1_match_torch(reduction, beta):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    y[0, :2] = x[0, :2]  # d = 0 exactly
    y[1, 0] = x[1, 0] + beta  # |d| = beta exactly
    compare(lambda a, b: F.smooth_l1_loss(a, b, reduction, beta),
            lambda a, b: TF.smooth_l1_loss(a, b, reduction=reduction, beta=beta), [x, y])
    compare(lambda a, b: F.l1_loss(a, b, reduction), lambda a, b: TF.l1_loss(a, b,
                                                                             reduction=reduction),
            [x, y])
    for ours, theirs in ((nn.L1Loss(reduction=reduction), torch.nn.L1Loss(reduction=reduction)),
                         (nn.SmoothL1Loss(reduction=reduction, beta=beta),
                          torch.nn.SmoothL1Loss(reduction=reduction, beta=beta))):
        assert repr(ours) == repr(theirs)
        close(ours(tg.tensor(x), tg.tensor(y)), theirs(torch.tensor(x), torch.tensor(y)),
              repr(theirs))


# ------------------------------------------------------------------------------ normalization
@pytest.mark.parametrize("shape,normalized", [((4, 6), (6,)), ((2, 3, 4, 5), (4, 5)),
                                              ((3, 5), 5), ((2, 3, 4), (2, 3, 4))])
@pytest.mark.parametrize("affine", [True, False])
def test_layer_norm_matches_torch(shape, normalized, affine):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape) * 3 + 1
    ns = (normalized,) if isinstance(normalized, int) else normalized
    if affine:
        w, b = rng.standard_normal(ns), rng.standard_normal(ns)
        compare(lambda a, c, d: F.layer_norm(a, normalized, c, d),
                lambda a, c, d: TF.layer_norm(a, ns, c, d), [x, w, b])
    else:
        compare(lambda a: F.layer_norm(a, normalized), lambda a: TF.layer_norm(a, ns), [x])


@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5), (2, 3, 4, 4)])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_training_matches_torch_and_updates_running_stats(shape, affine):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape) * 2 + 0.5
    c = shape[1]
    w, b = rng.standard_normal(c), rng.standard_normal(c)
    rm, rv = tg.zeros(c, dtype=tg.float64), tg.ones(c, dtype=tg.float64)
    trm, trv = torch.zeros(c, dtype=torch.float64), torch.ones(c, dtype=torch.float64)
    args = [x, w, b] if affine else [x]
    compare(lambda a, *p: F.batch_norm(a, rm, rv, *p, training=True, momentum=0.3),
            lambda a, *p: TF.batch_norm(a, trm, trv, *p, training=True, momentum=0.3), args)
    close(rm, trm, "running_mean")
    close(rv, trv, "running_var (unbiased)")
    compare(lambda a, *p: F.batch_norm(a, rm, rv, *p, training=False),
            lambda a, *p: TF.batch_norm(a, trm, trv, *p, training=False), args)


def test_normalize_matches_torch():
    x = np.random.default_rng(0).standard_normal((3, 4, 2))
    x[0, :, 0] = 0  # a zero vector: divided by eps, stays 0
    for p, dim in ((2.0, 1), (1.0, 0), (3.0, -1)):
        compare(lambda a, p=p, dim=dim: F.normalize(a, p, dim),
                lambda a, p=p, dim=dim: TF.normalize(a, p, dim), [x], grad_fn=False)


def _copy_state(ours: nn.Module, theirs: torch.nn.Module) -> None:
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})


def test_batchnorm_module_train_eval_and_buffers_match_torch():
    tg.manual_seed(0)
    bn, tbn = nn.BatchNorm2d(3).double(), torch.nn.BatchNorm2d(3).double()
    assert repr(bn) == repr(tbn)
    assert list(bn.state_dict()) == list(tbn.state_dict())
    assert [n for n, _ in bn.named_buffers()] == [n for n, _ in tbn.named_buffers()]
    assert bn.num_batches_tracked.dtype is tg.int64
    rng = np.random.default_rng(0)
    with torch.no_grad():
        tbn.weight.copy_(torch.tensor(rng.uniform(0.5, 2, 3)))
    bn.load_state_dict({k: tg.tensor(v.numpy()) for k, v in tbn.state_dict().items()})
    for step in range(3):
        x = rng.standard_normal((4, 3, 5, 5)) * (step + 1)
        compare(bn, tbn, [x])
        for name, buf in tbn.named_buffers():
            close(getattr(bn, name), buf, f"{name} after training step {step}")
    bn.eval()
    tbn.eval()
    x = rng.standard_normal((2, 3, 5, 5))
    compare(bn, tbn, [x])
    assert bn.num_batches_tracked.item() == 3  # eval steps do not count
    bn.train()
    assert bn.training and all(m.training for m in bn.modules())


@pytest.mark.parametrize("kwargs", [dict(momentum=None), dict(affine=False), dict(bias=False),
                                    dict(track_running_stats=False), dict(eps=1e-3,
                                                                          momentum=0.5)])
def test_batchnorm1d_options_match_torch(kwargs):
    tg.manual_seed(0)
    bn, tbn = nn.BatchNorm1d(4, **kwargs).double(), torch.nn.BatchNorm1d(4, **kwargs).double()
    assert repr(bn) == repr(tbn)
    assert list(bn.state_dict()) == list(tbn.state_dict())
    rng = np.random.default_rng(1)
    for shape in ((6, 4), (3, 4, 5), (5, 4)):
        compare(bn, tbn, [rng.standard_normal(shape)])
    for name, buf in tbn.named_buffers():
        close(getattr(bn, name), buf, name)
    bn.eval()
    tbn.eval()
    compare(bn, tbn, [rng.standard_normal((2, 4))])


def test_batchnorm_errors():
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        nn.BatchNorm1d(3)(tg.ones(2, 3, 4, 5))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        nn.BatchNorm1d(3)(tg.ones(1, 3))


def test_layernorm_module_matches_torch():
    ln, tln = nn.LayerNorm((4, 5)).double(), torch.nn.LayerNorm((4, 5)).double()
    assert repr(ln) == repr(tln) == ("LayerNorm((4, 5), eps=1e-05, elementwise_affine=True, "
                                     "bias=True)")
    assert list(ln.state_dict()) == list(tln.state_dict())
    assert (ln.weight.detach().numpy() == 1).all() and (ln.bias.detach().numpy() == 0).all()
    rng = np.random.default_rng(0)
    with torch.no_grad():
        tln.weight.copy_(torch.tensor(rng.standard_normal((4, 5))))
        tln.bias.copy_(torch.tensor(rng.standard_normal((4, 5))))
    ln.load_state_dict({k: tg.tensor(v.numpy()) for k, v in tln.state_dict().items()})
    compare(ln, tln, [rng.standard_normal((3, 4, 5))])
    x = rng.standard_normal((2, 4, 5))
    yo, yt = ln(tg.tensor(x)), tln(torch.tensor(x))
    yo.sum().backward()
    yt.sum().backward()
    close(ln.weight.grad, tln.weight.grad, "LayerNorm weight grad")
    close(ln.bias.grad, tln.bias.grad, "LayerNorm bias grad")
    assert repr(nn.LayerNorm(3, elementwise_affine=False)) == repr(
        torch.nn.LayerNorm(3, elementwise_affine=False))
    assert list(nn.LayerNorm(3, bias=False).state_dict()) == ["weight"]


# ------------------------------------------------------------------------------ embedding
def test_embedding_matches_torch_with_repeated_ids_and_padding():
    tg.manual_seed(0)
    emb, temb = nn.Embedding(10, 3, padding_idx=2).double(), torch.nn.Embedding(
        10, 3, padding_idx=2).double()
    assert repr(emb) == repr(temb) == "Embedding(10, 3, padding_idx=2)"
    assert list(emb.state_dict()) == ["weight"]
    assert (emb.weight.detach().numpy()[2] == 0).all()
    _copy_state(emb, temb)
    ids = np.array([[1, 2, 1], [9, 2, 0]])
    yo, yt = emb(tg.tensor(ids)), temb(torch.tensor(ids))
    close(yo, yt, "embedding")
    assert yo.grad_fn.name() == type(yt.grad_fn).__name__
    g = np.random.default_rng(1).standard_normal((2, 3, 3))
    yo.backward(tg.tensor(g))
    yt.backward(torch.tensor(g))
    close(emb.weight.grad, temb.weight.grad, "weight grad (row 1 used twice, row 2 padding)")


def test_embedding_init_is_standard_normal_and_errors():
    tg.manual_seed(0)
    w = nn.Embedding(1000, 20).weight.detach().numpy()
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1) < 0.02
    with pytest.raises(IndexError, match="index out of range in self"):
        F.embedding(tg.tensor([10]), tg.ones(10, 2))
    with pytest.raises(RuntimeError, match="Expected tensor for argument #1 'indices'"):
        F.embedding(tg.tensor([1.0]), tg.ones(10, 2))


# ------------------------------------------------------------------------------ conv modules
CONV_MODULES = [
    ("Conv2d", (1, 6, 5), {}),
    ("Conv2d", (4, 6, 3), dict(stride=2, padding=1, groups=2, bias=False)),
    ("Conv2d", (3, 2, (3, 2)), dict(padding="same", dilation=2)),
    ("Conv2d", (2, 4, 3), dict(padding=1, padding_mode="reflect")),
    ("Conv2d", (2, 4, 3), dict(padding=2, padding_mode="replicate")),
    ("Conv2d", (2, 4, 3), dict(padding=1, padding_mode="circular")),
    ("Conv1d", (3, 4, 3), dict(stride=2, padding=1)),
    ("Conv1d", (2, 2, 2), dict(dilation=2, groups=2, padding="same")),
]


@pytest.mark.parametrize("name,args,kwargs", CONV_MODULES, ids=[f"{n}{a}{k}" for n, a, k in
                                                                  CONV_MODULES])
def test_conv_modules_match_torch(name, args, kwargs):
    tg.manual_seed(0)
    ours, theirs = getattr(nn, name)(*args, **kwargs).double(), getattr(torch.nn, name)(
        *args, **kwargs).double()
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    _copy_state(ours, theirs)
    spatial = (7, 8) if name == "Conv2d" else (9,)
    x = np.random.default_rng(0).standard_normal((2, args[0], *spatial))
    xo, xt = tg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yo, yt = ours(xo), theirs(xt)
    close(yo, yt, "output")
    g = np.random.default_rng(1).standard_normal(tuple(yt.shape))
    yo.backward(tg.tensor(g))
    yt.backward(torch.tensor(g))
    close(xo.grad, xt.grad, "grad of the input")
    for (n, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
        close(p.grad, tp.grad, f"grad of {n}")


@pytest.mark.parametrize("cin,cout,k,groups", [(16, 32, 3, 1), (8, 64, 5, 4)])
def test_conv_default_init_is_pytorchs(cin, cout, k, groups):
    tg.manual_seed(0)
    conv = nn.Conv2d(cin, cout, k, groups=groups)
    bound = 1 / math.sqrt(cin // groups * k * k)
    w, b = conv.weight.detach().numpy(), conv.bias.detach().numpy()
    assert conv.weight.shape == (cout, cin // groups, k, k) and conv.weight.dtype is tg.float32
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound  # U(-b, b) has std b/sqrt(3)
    assert np.abs(b).max() <= bound


def test_conv_module_argument_errors_match_torch():
    for kwargs in (dict(groups=3), dict(padding="same", stride=2), dict(padding_mode="zero")):
        with pytest.raises(ValueError) as theirs:
            torch.nn.Conv2d(4, 6, 3, **kwargs)
        with pytest.raises(ValueError) as ours:
            nn.Conv2d(4, 6, 3, **kwargs)
        assert str(ours.value).split(" one of")[0] == str(theirs.value).split(" one of")[0]


POOL_MODULES = [(nn.MaxPool2d(2), torch.nn.MaxPool2d(2)),
                (nn.MaxPool2d((3, 2), stride=1, padding=1), torch.nn.MaxPool2d((3, 2), stride=1,
                                                                               padding=1)),
                (nn.MaxPool2d(3, 2, 1, 2, ceil_mode=True),
                 torch.nn.MaxPool2d(3, 2, 1, 2, ceil_mode=True)),
                (nn.AvgPool2d(2), torch.nn.AvgPool2d(2)),
                (nn.AvgPool2d(3, 2, 1, count_include_pad=False),
                 torch.nn.AvgPool2d(3, 2, 1, count_include_pad=False)),
                (nn.AdaptiveAvgPool2d((1, 1)), torch.nn.AdaptiveAvgPool2d((1, 1))),
                (nn.AdaptiveAvgPool2d(3), torch.nn.AdaptiveAvgPool2d(3))]


@pytest.mark.parametrize("ours,theirs", POOL_MODULES, ids=[repr(t) for _, t in POOL_MODULES])
def test_pool_modules_match_torch(ours, theirs):
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == []
    compare(ours, theirs, [np.random.default_rng(0).standard_normal((2, 3, 7, 8))])


def test_max_pool_module_return_indices():
    x = np.random.default_rng(0).standard_normal((1, 2, 6, 6))
    yo, io = nn.MaxPool2d(2, return_indices=True)(tg.tensor(x))
    yt, it = torch.nn.MaxPool2d(2, return_indices=True)(torch.tensor(x))
    close(yo, yt, "values")
    np.testing.assert_array_equal(io.numpy(), it.numpy())


# ------------------------------------------------------------------------------ containers etc.
def test_module_dict_like_torch():
    ours = nn.ModuleDict({"conv": nn.Conv2d(1, 2, 3), "act": nn.ReLU()})
    theirs = torch.nn.ModuleDict({"conv": torch.nn.Conv2d(1, 2, 3), "act": torch.nn.ReLU()})
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["conv.weight", "conv.bias"]
    ours["fc"] = nn.Linear(2, 2)
    assert list(ours.keys()) == ["conv", "act", "fc"] and "fc" in ours and len(ours) == 3
    assert isinstance(ours.pop("act"), nn.ReLU) and list(ours) == ["conv", "fc"]
    assert [n for n, _ in ours.named_parameters()] == ["conv.weight", "conv.bias", "fc.weight",
                                                       "fc.bias"]


def test_module_list_and_unflatten_like_torch():
    ours = nn.ModuleList([nn.Linear(2, 2), nn.GELU()])
    theirs = torch.nn.ModuleList([torch.nn.Linear(2, 2), torch.nn.GELU()])
    assert repr(ours) == repr(theirs)
    uo, ut = nn.Unflatten(1, (2, 4)), torch.nn.Unflatten(1, (2, 4))
    assert repr(uo) == repr(ut)
    x = np.arange(24.0).reshape(3, 8)
    compare(uo, ut, [x])
    compare(nn.Unflatten(-1, (2, -1)), torch.nn.Unflatten(-1, (2, -1)), [x], grad_fn=False)


def test_dropout_train_and_eval():
    tg.manual_seed(0)
    drop = nn.Dropout(0.25)
    x = tg.ones(200, 200, requires_grad=True)
    y = drop(x)
    kept = y.detach().numpy() != 0
    assert abs(kept.mean() - 0.75) < 0.01
    np.testing.assert_allclose(y.detach().numpy()[kept], 1 / 0.75)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), kept / 0.75)  # the gradient uses the same mask
    drop.eval()
    assert drop(x) is x and F.dropout(x, 0.5, training=False) is x


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
def test_clip_grad_norm_matches_torch(norm_type):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in ((3, 4), (5,), (2, 2, 2))]
    ours = [tg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    for o, t, a in zip(ours, theirs, arrays):
        o.grad, t.grad = tg.tensor(a * 3), torch.tensor(a * 3)
    total = nn.utils.clip_grad_norm_(ours, max_norm=1.5, norm_type=norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(theirs, max_norm=1.5, norm_type=norm_type)
    close(total, ttotal, "total norm")
    for o, t in zip(ours, theirs):
        close(o.grad, t.grad, "clipped grad")
    small = nn.utils.clip_grad_norm_(ours, max_norm=100.0, norm_type=norm_type)
    assert small.item() <= 1.5 + 1e-9  # already short enough: nothing changes


def test_clip_grad_value_matches_torch():
    a = np.random.default_rng(0).standard_normal((4, 5)) * 3
    o, t = tg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    o.grad, t.grad = tg.tensor(a), torch.tensor(a)
    nn.utils.clip_grad_value_([o], 1.0)
    torch.nn.utils.clip_grad_value_([t], 1.0)
    close(o.grad, t.grad, "clipped values")


# ------------------------------------------------------------------------------ simulated GPU
GPU_LAYERS = [
    ("Conv2d", lambda: nn.Conv2d(2, 4, 3, padding=1), (2, 2, 6, 6)),
    ("BatchNorm2d", lambda: nn.BatchNorm2d(2), (3, 2, 4, 4)),
    ("LayerNorm", lambda: nn.LayerNorm(6), (3, 6)),
    ("GELU", lambda: nn.GELU(), (3, 6)),
    ("ELU+SiLU+Softplus+LeakyReLU", lambda: nn.Sequential(nn.ELU(), nn.SiLU(), nn.Softplus(),
                                                          nn.LeakyReLU()), (3, 6)),
]


@pytest.mark.parametrize("name,make,shape", GPU_LAYERS, ids=[g[0] for g in GPU_LAYERS])
def test_layers_on_the_simulated_gpu(fake_cuda, name, make, shape):
    tg.manual_seed(0)
    cpu = make()
    gpu = make()
    gpu.load_state_dict(cpu.state_dict())
    gpu.to("cuda")
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    xc, xg = tg.tensor(x, requires_grad=True), tg.tensor(x, device="cuda", requires_grad=True)
    yc, yg = cpu(xc), gpu(xg)
    assert isinstance(yg.array, fake_cuda.array_types)
    np.testing.assert_allclose(yg.cpu().detach().numpy(), yc.detach().numpy(), rtol=1e-5,
                               atol=1e-5)
    yc.sum().backward()
    yg.sum().backward()
    assert isinstance(xg.grad.array, fake_cuda.array_types)
    np.testing.assert_allclose(xg.grad.cpu().numpy(), xc.grad.numpy(), rtol=1e-4, atol=1e-4)
    for (n, p), q in zip(cpu.named_parameters(), gpu.parameters()):
        assert isinstance(q.grad.array, fake_cuda.array_types), f"{n}: grad left the GPU"
        np.testing.assert_allclose(q.grad.cpu().numpy(), p.grad.numpy(), rtol=1e-4, atol=1e-4)
    for (n, b), c in zip(cpu.named_buffers(), gpu.buffers()):
        np.testing.assert_allclose(c.cpu().numpy(), b.numpy(), rtol=1e-5, err_msg=n)


def test_embedding_on_the_simulated_gpu(fake_cuda):
    tg.manual_seed(0)
    emb = nn.Embedding(5, 3).to("cuda")
    y = emb(tg.tensor([1, 1, 4], device="cuda"))
    y.sum().backward()
    assert isinstance(emb.weight.grad.array, fake_cuda.array_types)
    np.testing.assert_allclose(emb.weight.grad.cpu().numpy()[:, 0], [0, 2, 0, 0, 1])
