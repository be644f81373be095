"""The API a beginner's program touches first (issue #15), each compared with torch.

Printing of 0-d tensors and nodes, the graph's shape (next_functions, nn.Linear, fused losses),
legacy types, device preambles, NumPy-style keywords, ``out=``, sampling, debugging aids.
"""
from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
import pytest
import torch

import tinygrad_edu as tg


def names(nf: tuple) -> list:
    return [None if n is None else type(n).__name__ for n, _ in nf]


# ------------------------------------------------------------------------------ printing
@pytest.mark.parametrize("spec", ["", ".3f", ".2e", "8.2f", "g"])
@pytest.mark.parametrize("value", [2.3112640380859375, -0.1, 3.0, 1e-7])
def test_zero_dim_tensors_format_like_torch(spec: str, value: float) -> None:
    ours, theirs = tg.tensor(value), torch.tensor(value)
    assert format(ours, spec) == format(theirs, spec)
    assert f"{ours}" == f"{theirs}"
    assert format(tg.tensor(3), spec if spec in ("", "g") else "") == format(
        torch.tensor(3), spec if spec in ("", "g") else "")


def test_format_with_a_spec_on_a_vector_raises_like_torch() -> None:
    assert f"{tg.tensor([1.0, 2.0])}" == f"{torch.tensor([1.0, 2.0])}"
    for T in (tg, torch):
        with pytest.raises(TypeError):
            format(T.tensor([1.0, 2.0]), ".2f")


def test_grad_fn_prints_and_is_named_like_torch() -> None:
    x = tg.ones(2, requires_grad=True)
    y = x + 1
    assert re.fullmatch(r"<AddBackward0 object at 0x[0-9a-f]+>", repr(y.grad_fn))
    assert type(y.grad_fn).__name__ == "AddBackward0"
    assert re.fullmatch(r"<AccumulateGrad object at 0x[0-9a-f]+>",
                        repr(y.grad_fn.next_functions[0][0]))
    assert str(type(x)) == "<class 'tinygrad_edu.Tensor'>"
    assert isinstance(y.grad_fn, tg.autograd.Function)  # still the op's Function


def test_custom_function_node_is_named_like_torch() -> None:
    class MyExp(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y

    y = MyExp.apply(tg.ones(2, requires_grad=True))
    assert type(y.grad_fn).__name__ == "MyExpBackward"
    y.sum().backward()


def test_set_printoptions_like_torch() -> None:
    a = np.linspace(0, 1, 7)
    try:
        for kw in ({"precision": 2}, {"sci_mode": True}, {"threshold": 5, "edgeitems": 2},
                   {"profile": "short"}, {"linewidth": 30}):
            tg.set_printoptions(**kw)
            torch.set_printoptions(**kw)
            ours = repr(tg.tensor(a)).replace("tinygrad_edu.", "torch.")
            assert ours == repr(torch.tensor(a)), kw
            tg.set_printoptions(profile="default", sci_mode=None)
            torch.set_printoptions(profile="default", sci_mode=None)
    finally:
        tg.set_printoptions(profile="default", sci_mode=None)
        torch.set_printoptions(profile="default", sci_mode=None)


# ------------------------------------------------------------------------------ graph structure
GRAPHS = {
    "x * 2": lambda T, x: x * 2, "2 * x": lambda T, x: 2 * x, "x + 1": lambda T, x: x + 1,
    "x / 2": lambda T, x: x / 2, "x ** 2": lambda T, x: x**2, "x.sum(1)": lambda T, x: x.sum(1),
    "clamp": lambda T, x: x.clamp(0, 1), "where": lambda T, x: T.where(x > 0, x, 0.0),
    "max dim": lambda T, x: x.max(1)[0], "x[0]": lambda T, x: x[0],
    "x * x.detach()": lambda T, x: x * x.detach(), "masked_fill": lambda T, x: x.masked_fill(
        x > 0, 1.0), "gather": lambda T, x: x.gather(1, T.tensor([[0], [1], [2]])),
    "mse": lambda T, x: T.nn.functional.mse_loss(x, x.detach() * 2),
    "cross_entropy": lambda T, x: T.nn.functional.cross_entropy(x, T.tensor([0, 1, 2])),
    "bce logits": lambda T, x: T.nn.functional.binary_cross_entropy_with_logits(
        x, T.ones(3, 4, dtype=T.float64) * 0.3),
    "nll": lambda T, x: T.nn.functional.nll_loss(x, T.tensor([0, 1, 2])),
    "log_softmax": lambda T, x: T.nn.functional.log_softmax(x, dim=1),
}


@pytest.mark.parametrize("name", list(GRAPHS))
def test_node_names_and_next_functions_like_torch(name: str) -> None:
    a = np.arange(12.0).reshape(3, 4) / 7 - 0.5
    ours = GRAPHS[name](tg, tg.tensor(a, requires_grad=True))
    theirs = GRAPHS[name](torch, torch.tensor(a, requires_grad=True))
    assert type(ours.grad_fn).__name__ == type(theirs.grad_fn).__name__
    assert names(ours.grad_fn.next_functions) == names(theirs.grad_fn.next_functions)
    assert repr(ours).replace("tinygrad_edu.", "torch.") == repr(theirs)


@pytest.mark.parametrize("shape", [(3, 4), (4,), (2, 3, 4)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_records_addmm_with_t_and_accumulate_grad(shape: tuple, bias: bool) -> None:
    graphs = []
    for T in (torch, tg):
        T.manual_seed(0)
        layer = T.nn.Linear(4, 2, bias=bias)
        y = layer(T.ones(*shape, requires_grad=True))
        walk, frontier = [], [y.grad_fn]
        while frontier:  # breadth-first, names only
            node = frontier.pop(0)
            walk.append(type(node).__name__)
            frontier += [n for n, _ in node.next_functions if n is not None]
        graphs.append(walk)
    if bias or len(shape) == 2:
        assert graphs[1] == graphs[0]
    # Without bias, a 1-D or 3-D input goes through matmul's own reshapes, which PyTorch
    # records as Squeeze/UnsafeView nodes around MmBackward0; ours shows one MatMulBackward0.


def test_linear_gradients_unchanged_by_the_new_graph() -> None:
    rng = np.random.default_rng(0)
    w, b, x = rng.standard_normal((2, 4)), rng.standard_normal(2), rng.standard_normal((5, 4))
    grads = []
    for T in (torch, tg):
        layer = T.nn.Linear(4, 2).double() if T is torch else T.nn.Linear(4, 2, dtype=T.float64)
        with T.no_grad():
            layer.weight.copy_(T.tensor(w))
            layer.bias.copy_(T.tensor(b))
        xt = T.tensor(x, requires_grad=True)
        (layer(xt) ** 2).sum().backward()
        grads.append([layer.weight.grad.numpy(), layer.bias.grad.numpy(), xt.grad.numpy()])
    for g_t, g_o in zip(*grads):
        np.testing.assert_allclose(g_o, g_t, rtol=1e-10)


def test_blitz_next_functions_walk_prints_like_torch() -> None:
    """The 60-minute blitz: loss.grad_fn, then .next_functions[0][0] twice."""
    out = []
    for T in (torch, tg):
        T.manual_seed(0)
        net = T.nn.Sequential(T.nn.Linear(4, 3), T.nn.ReLU(), T.nn.Linear(3, 2))
        loss = T.nn.MSELoss()(net(T.ones(1, 4)), T.zeros(1, 2))
        chain = [loss.grad_fn, loss.grad_fn.next_functions[0][0],
                 loss.grad_fn.next_functions[0][0].next_functions[0][0]]
        out.append([re.sub(r"0x[0-9a-f]+", "0x", repr(n)) for n in chain])
    assert out[1] == out[0]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_fused_losses_match_torch(reduction: str) -> None:
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((4, 3)), rng.random((4, 3))
    w, pw = rng.random(3) + 0.5, rng.random(3) + 0.5
    for fn in (
        lambda T, a, b: T.nn.functional.mse_loss(a, b, reduction=reduction),
        lambda T, a, b: T.nn.functional.binary_cross_entropy_with_logits(
            a, b, weight=T.tensor(w), pos_weight=T.tensor(pw), reduction=reduction),
    ):
        res = []
        for T in (torch, tg):
            a, b = T.tensor(x, requires_grad=True), T.tensor(y, requires_grad=True)
            out = fn(T, a, b)
            out.backward(T.ones_like(out))
            res.append((out.detach().numpy(), a.grad.numpy(), b.grad.numpy(),
                        type(out.grad_fn).__name__))
        for r_t, r_o in zip(*res):
            if isinstance(r_t, str):
                assert r_o == r_t
            else:
                np.testing.assert_allclose(r_o, r_t, rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------------------ legacy API
def test_tensor_type_and_legacy_types_like_torch() -> None:
    for T in (tg, torch):
        x = T.tensor([1.5, -2.5])
        assert x.type() == "torch.FloatTensor" and x.long().type() == "torch.LongTensor"
        assert str(x.type(T.float64).dtype).endswith("float64")
        assert str(x.type("torch.LongTensor").dtype).endswith("int64")
        assert str(x.type(T.DoubleTensor).dtype).endswith("float64")
        assert (x > 0).type(T.float).sum().item() == 1.0  # the Learn-the-Basics accuracy line
        assert T.FloatTensor([1, 2]).tolist() == [1.0, 2.0]
        assert tuple(T.FloatTensor(2, 3).shape) == (2, 3)
        assert T.LongTensor([1.7]).tolist() == [1]
        assert isinstance(T.ones(2), T.FloatTensor) and not isinstance(T.ones(2), T.LongTensor)
        v = T.autograd.Variable(T.ones(2), requires_grad=True)
        assert v.requires_grad and isinstance(v, T.Tensor)
        assert isinstance(T.ones(1), T.autograd.Variable)


def test_new_tensor_family_like_torch() -> None:
    for T in (tg, torch):
        x = T.tensor([1, 2], dtype=T.int32)
        for made in (x.new_zeros(2, 3), x.new_ones((2,)), x.new_full((2,), 7), x.new_empty(1),
                     x.new_tensor([4, 5])):
            assert str(made.dtype).endswith("int32")
        assert x.new_zeros(2, dtype=T.float64).dtype == T.float64
        assert x.new_full((2,), 7).tolist() == [7, 7]


# ------------------------------------------------------------------------------ devices
def test_device_selection_preambles() -> None:
    assert tg.backends.mps.is_available() is torch.backends.mps.is_available() is False
    tg.backends.cudnn.benchmark = True  # allowed, changes nothing
    assert tg.backends.cudnn.is_available() is False
    assert tg.accelerator.is_available() is False
    assert tg.accelerator.current_accelerator() is None
    device = (tg.accelerator.current_accelerator().type if tg.accelerator.is_available()
              else "cpu")
    assert tg.zeros(2, device=device).device.type == "cpu"
    assert tg.get_default_device() == tg.device("cpu")


def test_set_default_device(fake_cuda: Any) -> None:
    try:
        tg.set_default_device("cuda")
        assert tg.get_default_device() == tg.device("cuda")
        for t in (tg.zeros(2), tg.tensor([1.0]), tg.randn(3), tg.arange(3),
                  tg.nn.Linear(2, 2).weight):
            assert t.device.type == "cuda", t
        assert tg.zeros(2, device="cpu").device.type == "cpu"
    finally:
        tg.set_default_device(None)
    assert tg.zeros(2).device.type == "cpu"


# ------------------------------------------------------------------------------ keywords, out=
def test_numpy_style_keywords_like_torch() -> None:
    a = np.arange(24.0).reshape(2, 3, 4)
    for expr in ("x.sum(axis=1)", "x.sum(axis=(0, 2), keepdims=True)", "x.mean(axis=-1)",
                 "x.max(axis=1).values", "x.std(axis=0)", "x.var(axis=2, keepdims=True)",
                 "x.permute(dims=(2, 0, 1))", "x.int().sum(dtype=T.float64)",
                 "T.sum(x, axis=0)", "x.amax(axis=1)", "x.mean(dtype=T.float32)"):
        ours = eval(expr, {"x": tg.tensor(a), "T": tg})
        theirs = eval(expr, {"x": torch.tensor(a), "T": torch})
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1], expr
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), err_msg=expr)
    for T in (tg, torch):
        assert tuple(T.randn(size=(2, 3)).shape) == (2, 3)
        assert tuple(T.zeros(size=(4,)).shape) == (4,)
        assert tuple(T.ones(size=[1, 2]).shape) == (1, 2)
        assert tuple(T.rand(size=(2,)).shape) == (2,)


def test_out_arguments_like_torch() -> None:
    for T in (tg, torch):
        r = T.zeros(2)
        assert T.add(T.ones(2), T.ones(2), out=r) is r and r.tolist() == [2.0, 2.0]
        c = T.empty(2, 2)
        T.matmul(T.ones(2, 3), T.ones(3, 2), out=c)
        assert c.tolist() == [[3.0, 3.0], [3.0, 3.0]]
        m = T.zeros(3)
        T.mul(T.tensor([1.0, 2.0, 3.0]), 2, out=m)
        assert m.tolist() == [2.0, 4.0, 6.0]
        s = T.zeros(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            T.cat([T.ones(2), T.zeros(1)], out=s)
        assert s.tolist() == [1.0, 1.0, 0.0]
        i = T.zeros(2, dtype=T.int64)
        with pytest.raises(RuntimeError):
            T.add(T.ones(2), 0.5, out=i)  # float result into an int tensor


# ------------------------------------------------------------------------------ sampling
def test_multinomial_generator_randperm_bernoulli_one_hot() -> None:
    probs = tg.tensor([0.1, 0.0, 0.6, 0.3])
    g = tg.Generator().manual_seed(2147483647)
    first = tg.multinomial(probs, 20, replacement=True, generator=g)
    again = tg.multinomial(probs, 20, replacement=True,
                           generator=tg.Generator().manual_seed(2147483647))
    assert first.tolist() == again.tolist() and first.dtype == tg.int64
    assert 1 not in first.tolist()  # probability 0 is never drawn
    draws = tg.multinomial(probs, 3)  # without replacement: distinct categories
    assert len(set(draws.tolist())) == 3 and 1 not in draws.tolist()
    rows = tg.multinomial(tg.tensor([[1.0, 0.0], [0.0, 1.0]]), 1)
    assert rows.tolist() == [[0], [1]]
    counts = np.bincount(tg.multinomial(probs, 20000, replacement=True).numpy(), minlength=4)
    np.testing.assert_allclose(counts / 20000, [0.1, 0.0, 0.6, 0.3], atol=0.02)
    perm = tg.randperm(10, generator=tg.Generator().manual_seed(1))
    assert sorted(perm.tolist()) == list(range(10))
    b = tg.bernoulli(tg.full((10000,), 0.25))
    assert set(b.unique().tolist()) <= {0.0, 1.0} and abs(b.mean().item() - 0.25) < 0.02
    x = tg.empty(1000).normal_(2.0, 0.5, generator=tg.Generator().manual_seed(0))
    assert abs(x.mean().item() - 2.0) < 0.1 and abs(x.std().item() - 0.5) < 0.1
    u = tg.empty(1000).uniform_(-1, 1)
    assert -1 <= u.min().item() and u.max().item() <= 1
    for T in (tg, torch):
        oh = T.nn.functional.one_hot(T.tensor([0, 2, 1]), 4)
        assert oh.tolist() == [[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0]]
        assert str(oh.dtype).endswith("int64")
        assert tuple(T.nn.functional.one_hot(T.tensor([[1], [2]])).shape) == (2, 1, 3)


# ------------------------------------------------------------------------------ debugging aids
def test_detect_anomaly_names_the_op_like_torch() -> None:
    messages = []
    for T in (torch, tg):
        x = T.tensor([0.0, 1.0], requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with T.autograd.detect_anomaly():
                with pytest.raises(RuntimeError) as info:
                    (x.sqrt() * 0).sum().backward()
        messages.append(str(info.value))
        if T is tg:
            assert any("test_api_surface.py" in str(w.message) for w in caught), (
                "the warning shows the forward line that made the bad node")
    assert messages[1] == messages[0]
    y = tg.tensor([0.0], requires_grad=True)
    (y.sqrt() * 0).sum().backward()  # outside anomaly mode: nan, no error (as torch)
    assert np.isnan(y.grad.item())
    with tg.autograd.set_detect_anomaly(True):
        assert tg.autograd.is_anomaly_enabled()
    assert not tg.autograd.is_anomaly_enabled()


def test_inference_mode() -> None:
    x = tg.ones(2, requires_grad=True)
    with tg.inference_mode():
        assert not (x * 2).requires_grad
    with tg.inference_mode(False):
        assert (x * 2).requires_grad

    @tg.inference_mode()
    def f(t):
        return t * 2

    assert not f(x).requires_grad and tg.is_grad_enabled()


def test_data_is_a_detached_tensor_for_manual_sgd() -> None:
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    w.data -= 0.1 * w.grad
    w.data.norm()
    assert w.tolist() == pytest.approx([0.8, 1.6]) and w.requires_grad


@pytest.mark.parametrize("kw", [{}, {"momentum": 0.9}, {"centered": True, "weight_decay": 0.1},
                                {"alpha": 0.5, "eps": 1e-4}])
def test_rmsprop_matches_torch(kw: dict) -> None:
    results = []
    for T in (torch, tg):
        p = T.tensor([1.0, -2.0, 3.0], dtype=T.float64, requires_grad=True)
        opt = T.optim.RMSprop([p], lr=0.01, **kw)
        for _ in range(6):
            opt.zero_grad()
            (p**3 - p).sum().backward()
            opt.step()
        results.append(p.detach().numpy().copy())
    np.testing.assert_allclose(results[1], results[0], rtol=1e-12)


def test_legacy_constructor_and_load_state_dict_print_like_torch() -> None:
    for T in (tg, torch):
        assert tuple(T.Tensor(2, 3).shape) == (2, 3) and T.Tensor([1, 2]).tolist() == [1.0, 2.0]
        model = T.nn.Linear(2, 2)
        assert repr(model.load_state_dict(model.state_dict())) == "<All keys matched successfully>"


def test_multinomial_distribution_like_torch() -> None:
    from torch.distributions.multinomial import Multinomial as TorchMultinomial

    from tinygrad_edu.distributions.multinomial import Multinomial

    probs = [0.1, 0.2, 0.3, 0.4]
    ours, theirs = Multinomial(20, tg.tensor(probs)), TorchMultinomial(20, torch.tensor(probs))
    for attr in ("mean", "variance", "probs"):
        np.testing.assert_allclose(getattr(ours, attr).numpy(), getattr(theirs, attr).numpy(),
                                   rtol=1e-6)
    value = [2.0, 4.0, 6.0, 8.0]
    np.testing.assert_allclose(ours.log_prob(tg.tensor(value)).item(),
                               theirs.log_prob(torch.tensor(value)).item(), rtol=1e-5)
    draws = ours.sample((2000,))
    assert tuple(draws.shape) == (2000, 4) and draws.dtype == tg.float32
    assert (draws.sum(-1) == 20).all()
    np.testing.assert_allclose(draws.mean(0).numpy(), [2, 4, 6, 8], atol=0.25)
    assert tuple(Multinomial(3, tg.ones(2, 5)).sample((7,)).shape) == (7, 2, 5)
    for bad in ([-1.0, 1.0], [0.0, 0.0]):
        with pytest.raises(ValueError):
            Multinomial(1, tg.tensor(bad))
        with pytest.raises(ValueError):
            TorchMultinomial(1, torch.tensor(bad))
