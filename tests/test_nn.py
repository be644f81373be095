"""tinygrad_edu.nn against PyTorch: layers, losses, Module bookkeeping, errors and stability.

Pattern: build our layer, copy its weights into the same torch layer, feed both the same float64
data, compare outputs and gradients to 1e-10.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.nn import functional as F

TOL = dict(rtol=1e-10, atol=1e-10)


def ours(a: np.ndarray, grad: bool = False) -> tg.Tensor:
    return tg.tensor(a, dtype=tg.float64 if a.dtype.kind == "f" else None, requires_grad=grad)


def theirs(a: np.ndarray, grad: bool = False) -> torch.Tensor:
    t = torch.tensor(a, dtype=torch.float64 if a.dtype.kind == "f" else None)
    return t.requires_grad_(grad)


def close(a: tg.Tensor, b: torch.Tensor, what: str = "", **tol) -> None:
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), **(tol or TOL),
                               err_msg=f"{what}: ours differs from PyTorch")


def copy_into_torch(model: nn.Module, tmodel: torch.nn.Module) -> None:
    """Give the torch model our initial weights (the same names must exist in both)."""
    with torch.no_grad():
        for name, p in tmodel.named_parameters():
            p.copy_(torch.from_numpy(dict(model.named_parameters())[name].detach().numpy().copy()))


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# ------------------------------------------------------------------------------------- Linear
def test_linear_default_init_is_pytorchs_uniform_and_repeatable():
    tg.manual_seed(3)
    a = nn.Linear(100, 50)
    tg.manual_seed(3)
    b = nn.Linear(100, 50)
    bound = 1 / math.sqrt(100)
    for p in (a.weight, a.bias):
        assert np.abs(p.detach().numpy()).max() <= bound
        assert np.abs(p.detach().numpy()).max() > 0.9 * bound  # really spread over the range
    np.testing.assert_array_equal(a.weight.detach().numpy(), b.weight.detach().numpy())
    assert a.weight.shape == (50, 100) and a.bias.shape == (50,)
    assert a.weight.dtype is tg.float32 and a.weight.requires_grad and a.weight.is_leaf
    std = a.weight.detach().numpy().std()
    assert abs(std - bound / math.sqrt(3)) < 0.05 * bound  # U(-b, b) has std b/sqrt(3)


@pytest.mark.parametrize("shape", [(4, 3), (2, 5, 3), (3,)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_torch(shape, bias):
    layer = nn.Linear(3, 5, bias=bias).double()
    tlayer = torch.nn.Linear(3, 5, bias=bias).double()
    copy_into_torch(layer, tlayer)
    x = rng().standard_normal(shape)
    xo, xt = ours(x, True), theirs(x, True)
    yo, yt = layer(xo), tlayer(xt)
    close(yo, yt, "Linear output")
    g = rng(1).standard_normal(yt.shape)
    yo.backward(ours(g))
    yt.backward(theirs(g))
    close(xo.grad, xt.grad, "grad of the input")
    close(layer.weight.grad, tlayer.weight.grad, "grad of the weight")
    if bias:
        close(layer.bias.grad, tlayer.bias.grad, "grad of the bias")
    assert yo.grad_fn.name() == yt.grad_fn.name() or len(shape) != 2


def test_linear_wrong_feature_count_names_both_shapes():
    layer = nn.Linear(2, 5)
    with pytest.raises(RuntimeError) as ours_err:
        layer(tg.randn(4, 3))
    with pytest.raises(RuntimeError) as torch_err:
        torch.nn.Linear(2, 5)(torch.randn(4, 3))
    assert "mat1 and mat2 shapes cannot be multiplied (4x3 and 2x5)" in str(ours_err.value)
    assert str(torch_err.value) in str(ours_err.value)
    with pytest.raises(RuntimeError, match=r"\(8x3 and 2x5\)"):
        layer(tg.randn(2, 4, 3))


def test_linear_repr_and_parameter_repr():
    assert repr(nn.Linear(2, 16)) == "Linear(in_features=2, out_features=16, bias=True)"
    no_bias = "Linear(in_features=2, out_features=16, bias=False)"
    assert repr(nn.Linear(2, 16, bias=False)) == no_bias
    p = nn.Parameter(tg.zeros(2))
    assert repr(p) == repr(torch.nn.Parameter(torch.zeros(2))) == (
        "Parameter containing:\ntensor([0., 0.], requires_grad=True)")
    assert isinstance(p, tg.Tensor) and p.requires_grad
    assert not nn.Parameter(tg.zeros(2), requires_grad=False).requires_grad


def test_parameter_shares_memory_and_refuses_integers():
    t = tg.zeros(3)
    p = nn.Parameter(t)
    t.data[0] = 5
    assert p.data[0] == 5
    with pytest.raises(RuntimeError, match="floating point"):
        nn.Parameter(tg.tensor([1, 2]))


# ------------------------------------------------------------------------------------- activations
@pytest.mark.parametrize("name", ["ReLU", "Tanh", "Sigmoid", "Identity", "Flatten"])
def test_activation_modules_match_torch(name):
    x = rng().standard_normal((4, 3, 2))
    xo, xt = ours(x, True), theirs(x, True)
    yo, yt = getattr(nn, name)()(xo), getattr(torch.nn, name)()(xt)
    close(yo, yt, name)
    g = rng(1).standard_normal(yt.shape)
    yo.backward(ours(g))
    yt.backward(theirs(g))
    close(xo.grad, xt.grad, f"{name} grad")


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_functions_match_torch(name, dim):
    x = rng().standard_normal((4, 5))
    xo, xt = ours(x, True), theirs(x, True)
    yo, yt = getattr(F, name)(xo, dim=dim), getattr(torch.nn.functional, name)(xt, dim=dim)
    close(yo, yt, name)
    g = rng(1).standard_normal(yt.shape)
    yo.backward(ours(g))
    yt.backward(theirs(g))
    close(xo.grad, xt.grad, f"{name} grad")
    module = (nn.Softmax if name == "softmax" else nn.LogSoftmax)(dim=dim)
    close(module(xo), yt, f"{name} module")


def test_flatten_of_images():
    x = tg.randn(5, 1, 8, 8)
    assert nn.Flatten()(x).shape == (5, 64)
    assert nn.Flatten(0)(x).shape == (320,)
    assert repr(nn.Flatten()) == repr(torch.nn.Flatten())


# ------------------------------------------------------------------------------------- dropout
def test_dropout_drops_and_rescales_in_training_only():
    tg.manual_seed(0)
    layer = nn.Dropout(0.25)
    x = tg.ones(200, 200, requires_grad=True)
    y = layer(x)
    values = np.unique(y.detach().numpy())
    np.testing.assert_allclose(values, [0.0, 1 / 0.75], rtol=1e-6)
    dropped = (y.detach().numpy() == 0).mean()
    assert 0.23 < dropped < 0.27
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), y.detach().numpy(), rtol=1e-6)  # grad = mask
    layer.eval()
    assert layer(x) is x
    assert F.dropout(x, 1.0).detach().numpy().max() == 0
    assert F.dropout(x, 0.0) is x
    with pytest.raises(ValueError, match="between 0 and 1, but got 1.5"):
        nn.Dropout(1.5)


def test_dropout_is_repeatable_with_manual_seed():
    tg.manual_seed(7)
    a = F.dropout(tg.ones(50)).numpy()
    tg.manual_seed(7)
    b = F.dropout(tg.ones(50)).numpy()
    np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------------------------------- losses
def _loss_pair(fn_ours, fn_torch, x, target, target_grad=False, **kw):
    xo, xt = ours(x, True), theirs(x, True)
    to, tt = ours(target, target_grad), theirs(target, target_grad)
    lo, lt = fn_ours(xo, to, **kw), fn_torch(xt, tt, **kw)
    close(lo, lt, "loss")
    g = rng(5).standard_normal(lt.shape) if lt.ndim else np.array(1.0)
    lo.backward(ours(g))
    lt.backward(theirs(g))
    close(xo.grad, xt.grad, "grad of the input")
    if target_grad:
        close(to.grad, tt.grad, "grad of the target")
    return lo


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_matches_torch(reduction):
    x, t = rng().standard_normal((6, 4)), np.array([0, 3, 1, 1, 2, 0])
    _loss_pair(F.cross_entropy, torch.nn.functional.cross_entropy, x, t, reduction=reduction)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_weight_and_ignore_index_match_torch(reduction):
    x, t = rng().standard_normal((6, 4)), np.array([0, 3, -100, 1, 2, 0])
    w = np.array([1.0, 2.0, 0.5, 3.0])
    xo, xt = ours(x, True), theirs(x, True)
    lo = F.cross_entropy(xo, ours(t), weight=ours(w), reduction=reduction)
    lt = torch.nn.functional.cross_entropy(xt, theirs(t), weight=theirs(w), reduction=reduction)
    close(lo, lt, "weighted loss")
    lo.sum().backward()
    lt.sum().backward()
    close(xo.grad, xt.grad, "weighted grad")


def test_cross_entropy_unbatched_images_and_probability_targets():
    x = rng().standard_normal(5)
    _loss_pair(F.cross_entropy, torch.nn.functional.cross_entropy, x, np.array(3))
    x, t = rng().standard_normal((2, 3, 4, 4)), rng(1).integers(0, 3, (2, 4, 4))
    for reduction in ("mean", "none"):
        _loss_pair(F.cross_entropy, torch.nn.functional.cross_entropy, x, t, reduction=reduction)
    probs = rng(2).dirichlet(np.ones(4), size=6)
    _loss_pair(F.cross_entropy, torch.nn.functional.cross_entropy,
               rng().standard_normal((6, 4)), probs, target_grad=True)


def test_cross_entropy_module_and_graph_names():
    x, t = ours(rng().standard_normal((3, 4)), True), ours(np.array([1, 2, 3]))
    loss = nn.CrossEntropyLoss()(x, t)
    assert loss.grad_fn.name() == "NllLossBackward0"
    assert loss.grad_fn.next_functions[0][0].name() == "LogSoftmaxBackward0"
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"


def test_cross_entropy_target_out_of_range_raises_index_error():
    logits = tg.randn(4, 3)
    with pytest.raises(IndexError) as err:
        F.cross_entropy(logits, tg.tensor([0, 1, 5, 2]))
    with pytest.raises(IndexError) as torch_err:
        torch.nn.functional.cross_entropy(torch.randn(4, 3), torch.tensor([0, 1, 5, 2]))
    assert str(torch_err.value) in str(err.value)  # "Target 5 is out of bounds."
    assert "3 classes" in str(err.value)
    with pytest.raises(IndexError, match="Target -1 is out of bounds"):
        F.cross_entropy(logits, tg.tensor([0, -1, 1, 2]))


@pytest.mark.parametrize("dtype", ["float32", "int32"])
def test_cross_entropy_target_of_wrong_dtype_names_it(dtype):
    target = tg.tensor([0, 1, 1, 2]).to(getattr(tg, dtype))
    with pytest.raises(RuntimeError) as err:
        F.cross_entropy(tg.randn(4, 3), target)
    assert dtype in str(err.value) and "long()" in str(err.value)
    with pytest.raises(RuntimeError) as torch_err:
        torch.nn.functional.cross_entropy(torch.randn(4, 3), torch.tensor([0, 1, 1, 2]).to(
            getattr(torch, dtype)))
    assert str(torch_err.value) in str(err.value)


def test_cross_entropy_accepts_byte_targets_like_torch():
    logits, target = tg.randn(4, 3), tg.tensor([0, 1, 1, 2])
    expected = F.cross_entropy(logits, target).item()
    assert F.cross_entropy(logits, target.to(tg.uint8)).item() == expected


def test_cross_entropy_batch_mismatch_and_bad_reduction():
    with pytest.raises(ValueError, match="batch_size"):
        F.cross_entropy(tg.randn(4, 3), tg.tensor([0, 1]))
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        nn.CrossEntropyLoss(reduction="avg")


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_loss_matches_torch(reduction):
    logp = torch.log_softmax(torch.tensor(rng().standard_normal((5, 3))), 1).numpy()
    _loss_pair(F.nll_loss, torch.nn.functional.nll_loss, logp, np.array([0, 2, 1, 1, 0]),
               reduction=reduction)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss_matches_torch(reduction):
    x, y = rng().standard_normal((4, 3)), rng(1).standard_normal((4, 3))
    _loss_pair(F.mse_loss, torch.nn.functional.mse_loss, x, y, target_grad=True,
               reduction=reduction)
    assert repr(nn.MSELoss()) == "MSELoss()"


def test_mse_loss_warns_about_broadcasting_like_torch():
    with pytest.warns(UserWarning, match="different to the input size"):
        F.mse_loss(tg.randn(4, 1), tg.randn(4))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_with_logits_matches_torch(reduction):
    x, y = rng().standard_normal((5, 3)) * 3, rng(1).random((5, 3))
    _loss_pair(F.binary_cross_entropy_with_logits,
               torch.nn.functional.binary_cross_entropy_with_logits, x, y, target_grad=True,
               reduction=reduction)


def test_bce_with_logits_weight_and_pos_weight_match_torch():
    x, y = rng().standard_normal((5, 3)) * 3, (rng(1).random((5, 3)) > 0.5).astype(float)
    w, pw = rng(2).random(3) + 0.5, np.array([1.0, 3.0, 0.25])
    xo, xt = ours(x, True), theirs(x, True)
    lo = nn.BCEWithLogitsLoss(weight=ours(w), pos_weight=ours(pw))(xo, ours(y))
    lt = torch.nn.BCEWithLogitsLoss(weight=theirs(w), pos_weight=theirs(pw))(xt, theirs(y))
    close(lo, lt, "BCE with weights")
    lo.backward()
    lt.backward()
    close(xo.grad, xt.grad, "BCE with weights, grad")


def test_bce_with_logits_at_zero_has_the_sigmoid_gradient():
    x = tg.zeros(3, requires_grad=True)
    F.binary_cross_entropy_with_logits(x, tg.tensor([0.0, 1.0, 0.5]), reduction="sum").backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.5, -0.5, 0.0])


def test_bce_with_logits_checks_shapes():
    with pytest.raises(ValueError, match="must be the same as input size"):
        F.binary_cross_entropy_with_logits(tg.randn(4, 1), tg.rand(4))


# ------------------------------------------------------------------------------------- stability
@pytest.mark.parametrize("scale", [1e4, -1e4])
def test_losses_and_softmax_stay_finite_for_huge_logits(scale):
    x = np.array([[1.0, -1.0, 0.5], [-1.0, 1.0, 0.0]]) * scale
    t = np.array([1, 0])
    y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    for dtype in (np.float32, np.float64):
        cases = [
            (lambda a: F.softmax(a, 1), lambda a: torch.softmax(a, 1)),
            (lambda a: F.log_softmax(a, 1), lambda a: torch.log_softmax(a, 1)),
            (lambda a: F.cross_entropy(a, tg.tensor(t)),
             lambda a: torch.nn.functional.cross_entropy(a, torch.tensor(t))),
            (lambda a: F.binary_cross_entropy_with_logits(a, tg.tensor(y).to(a.dtype)),
             lambda a: torch.nn.functional.binary_cross_entropy_with_logits(
                 a, torch.tensor(y).to(a.dtype))),
        ]
        for fn_ours, fn_torch in cases:
            xo = tg.tensor(x.astype(dtype), requires_grad=True)
            xt = torch.tensor(x.astype(dtype), requires_grad=True)
            lo, lt = fn_ours(xo), fn_torch(xt)
            assert np.isfinite(lo.detach().numpy()).all()
            close(lo, lt, f"value at {scale}", rtol=1e-6, atol=1e-6)
            lo.sum().backward()
            lt.sum().backward()
            assert np.isfinite(xo.grad.numpy()).all()
            close(xo.grad, xt.grad, f"grad at {scale}", rtol=1e-6, atol=1e-6)


# ------------------------------------------------------------------------------------- Module
class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.body = nn.Sequential(nn.Tanh(), nn.Linear(8, 8), nn.ReLU())
        self.fc2 = nn.Linear(8, 3)
        self.register_buffer("scale", tg.ones(3))

    def forward(self, x):
        return self.fc2(self.body(self.fc1(x))) * self.scale


class TorchNet(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = torch.nn.Linear(4, 8)
        self.body = torch.nn.Sequential(torch.nn.Tanh(), torch.nn.Linear(8, 8), torch.nn.ReLU())
        self.fc2 = torch.nn.Linear(8, 3)
        self.register_buffer("scale", torch.ones(3))

    def forward(self, x):
        return self.fc2(self.body(self.fc1(x))) * self.scale


def test_module_walks_the_tree_like_torch():
    net, tnet = Net(), TorchNet()
    assert [n for n, _ in net.named_parameters()] == [n for n, _ in tnet.named_parameters()]
    assert list(net.state_dict()) == list(tnet.state_dict())
    assert [n for n, _ in net.named_children()] == [n for n, _ in tnet.named_children()]
    assert [n for n, _ in net.named_modules()] == [n for n, _ in tnet.named_modules()]
    kinds = [type(m).__name__ for m in net.modules()]
    assert kinds[1:] == [type(m).__name__ for m in tnet.modules()][1:]
    assert [type(m).__name__ for m in net.children()] == ["Linear", "Sequential", "Linear"]
    assert repr(net).replace("Net", "TorchNet", 1) == repr(tnet)
    assert len(list(net.parameters())) == 6 and len(list(net.buffers())) == 1
    assert net.get_submodule("body.1") is net.body[1]


def test_parameters_are_named_by_their_path_for_viz():
    net = Net()
    assert net.fc1.weight.name == "fc1.weight"
    assert net.body[1].bias.name == "body.1.bias"
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert [p.name for p in seq.parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    outer = nn.Sequential()
    outer.add_module("encoder", seq)  # attached later: the longer path wins
    assert seq[0].weight.name == "encoder.0.weight"
    net.fc1.weight = nn.Parameter(tg.zeros(8, 4))  # replaced after building
    assert dict(net.named_parameters())["fc1.weight"].name == "fc1.weight"


def test_setattr_registers_and_refuses_wrong_types():
    m = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'weight'"):
        m.weight = tg.zeros(2, 2)
    m.bias = None
    assert [n for n, _ in m.named_parameters()] == ["weight"]
    assert "bias" not in m.state_dict()

    class Early(nn.Module):
        def __init__(self) -> None:
            self.w = nn.Parameter(tg.zeros(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Early()
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'nope'"):
        m.nope  # noqa: B018
    m.plain = 3  # ordinary attributes are just attributes
    assert m.plain == 3 and "plain" not in m.state_dict()


def test_forward_missing_raises():
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(tg.zeros(1))


def test_train_eval_reach_every_submodule():
    net = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(), nn.ReLU()))
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    net = Net()
    net(tg.randn(2, 4)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=set_to_none)
    for p in net.parameters():
        assert p.grad is None if set_to_none else not p.grad.numpy().any()


def test_state_dict_round_trip_and_sharing():
    a, b = Net(), Net()
    sd = a.state_dict()
    assert not sd["fc1.weight"].requires_grad
    assert sd["fc1.weight"].array is a.fc1.weight.array or np.shares_memory(
        sd["fc1.weight"].array, a.fc1.weight.array)
    result = b.load_state_dict(sd)
    assert result.missing_keys == [] and result.unexpected_keys == []
    for (name, p), q in zip(a.named_parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy(), err_msg=name)
    assert not np.shares_memory(a.fc1.weight.array, b.fc1.weight.array)  # copied, not shared


def test_load_state_dict_names_missing_and_unexpected_keys():
    layer = nn.Linear(2, 5)
    with pytest.raises(RuntimeError) as err:
        layer.load_state_dict({"weight": tg.zeros(5, 2), "foo": tg.zeros(1)})
    with pytest.raises(RuntimeError) as torch_err:
        torch.nn.Linear(2, 5).load_state_dict({"weight": torch.zeros(5, 2), "foo": torch.zeros(1)})
    assert str(err.value) == str(torch_err.value)
    assert 'Missing key(s) in state_dict: "bias"' in str(err.value)
    assert 'Unexpected key(s) in state_dict: "foo"' in str(err.value)
    result = layer.load_state_dict({"weight": tg.ones(5, 2), "foo": tg.zeros(1)}, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["foo"]
    assert layer.weight.detach().numpy().min() == 1


def test_load_state_dict_names_the_shape_mismatch():
    with pytest.raises(RuntimeError) as err:
        nn.Linear(2, 5).load_state_dict({"weight": tg.zeros(3, 2), "bias": tg.zeros(5)})
    message = str(err.value)
    assert "size mismatch for weight" in message
    assert "[3, 2]" in message and "[5, 2]" in message


def test_double_converts_parameters_in_place():
    net = Net()
    w = net.fc1.weight
    net.double()
    assert net.fc1.weight is w and w.dtype is tg.float64
    assert net.scale.dtype is tg.float64
    assert net(tg.randn(2, 4, dtype=tg.float64)).dtype is tg.float64


def test_deepcopy_makes_an_independent_model():
    import copy

    net = Net()
    net(tg.randn(2, 4)).sum().backward()
    twin = copy.deepcopy(net)
    assert isinstance(twin.fc1.weight, nn.Parameter) and twin.fc1.weight.requires_grad
    assert twin.fc1.weight.name == "fc1.weight"
    np.testing.assert_array_equal(twin.fc1.weight.grad.numpy(), net.fc1.weight.grad.numpy())
    twin.fc1.weight.array[...] = 0
    assert net.fc1.weight.detach().numpy().any()


# ------------------------------------------------------------------------------------- containers
def test_sequential_repr_matches_torch_exactly():
    ours_seq = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Dropout(0.2), nn.Flatten(),
                             nn.Softmax(dim=1), nn.Tanh(), nn.Sigmoid(),
                             nn.ModuleList([nn.Linear(1, 1)]), nn.Identity(),
                             nn.CrossEntropyLoss(), nn.BCEWithLogitsLoss(), nn.LogSoftmax(dim=1))
    torch_seq = torch.nn.Sequential(
        torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Dropout(0.2), torch.nn.Flatten(),
        torch.nn.Softmax(dim=1), torch.nn.Tanh(), torch.nn.Sigmoid(),
        torch.nn.ModuleList([torch.nn.Linear(1, 1)]), torch.nn.Identity(),
        torch.nn.CrossEntropyLoss(), torch.nn.BCEWithLogitsLoss(), torch.nn.LogSoftmax(dim=1))
    assert repr(ours_seq) == repr(torch_seq)
    assert repr(nn.Sequential(nn.Linear(2, 16), nn.ReLU())) == (
        "Sequential(\n  (0): Linear(in_features=2, out_features=16, bias=True)\n  (1): ReLU()\n)")


def test_sequential_indexing_and_ordered_dict():
    from collections import OrderedDict

    seq = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 3)), ("act", nn.ReLU())]))
    assert [n for n, _ in seq.named_parameters()] == ["fc.weight", "fc.bias"]
    assert isinstance(seq[0], nn.Linear) and isinstance(seq[-1], nn.ReLU)
    assert len(seq) == 2 and len(seq[1:]) == 1
    seq.append(nn.Linear(3, 1))
    assert seq(tg.randn(5, 2)).shape == (5, 1)
    with pytest.raises(IndexError):
        seq[3]  # noqa: B018


def test_module_list_registers_its_modules():
    class Stack(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])

        def forward(self, x):
            for layer in self.layers:
                x = layer(x).relu()
            return x

    s = Stack()
    assert len(list(s.parameters())) == 6
    assert s.layers[2].weight.name == "layers.2.weight"
    assert s(tg.randn(2, 4)).shape == (2, 4)


# ------------------------------------------------------------------------------------- init
def test_init_functions():
    w = nn.Parameter(tg.empty(300, 200))
    nn.init.zeros_(w)
    assert not w.detach().numpy().any() and w.is_leaf and w.grad_fn is None
    nn.init.ones_(w)
    assert w.detach().numpy().min() == 1
    nn.init.uniform_(w, -2, 2)
    assert -2 <= w.detach().numpy().min() < -1.9 and 1.9 < w.detach().numpy().max() <= 2
    nn.init.kaiming_uniform_(w, nonlinearity="relu")
    bound = math.sqrt(6 / 200)
    assert np.abs(w.detach().numpy()).max() <= bound
    nn.init.kaiming_normal_(w, nonlinearity="relu")
    assert abs(w.detach().numpy().std() - math.sqrt(2 / 200)) < 0.005
    nn.init.xavier_uniform_(w)
    assert np.abs(w.detach().numpy()).max() <= math.sqrt(6 / 500)
    nn.init.normal_(w, 1.0, 0.1)
    assert abs(w.detach().numpy().mean() - 1.0) < 0.01
    assert nn.init.calculate_gain("relu") == torch.nn.init.calculate_gain("relu")
    assert nn.init.calculate_gain("leaky_relu", math.sqrt(5)) == pytest.approx(
        torch.nn.init.calculate_gain("leaky_relu", math.sqrt(5)))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.kaiming_uniform_(tg.zeros(3))


# ------------------------------------------------------------------------------ training helper
def test_fit_trains_and_prints_one_line(capsys):
    from tinygrad_edu.data import DataLoader, TensorDataset, make_moons
    from tinygrad_edu.nn.training import evaluate, fit

    tg.manual_seed(0)
    X, y = make_moons(200, noise=0.1)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))
    loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)
    opt = tg.optim.Adam(model.parameters(), lr=0.05)
    history = fit(model, loader, nn.CrossEntropyLoss(), opt, epochs=15, val_loader=loader,
                  live_plot=False)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("epoch 15/15 [####################]")
    assert len(history["loss"]) == 15 and len(history["step_loss"]) == 15 * len(loader)
    assert history["loss"][-1] < history["loss"][0]
    assert history["val_accuracy"][-1] > 0.9
    assert evaluate(model, loader)["accuracy"] == history["val_accuracy"][-1]
    assert model.training


def test_live_loss_updates_one_display_in_place(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import IPython.display

    from tinygrad_edu.nn.training import LiveLoss

    shown = []

    class Handle:
        def __init__(self, obj) -> None:
            self.updates = 0
            shown.append(self)

        def update(self, obj) -> None:
            self.updates += 1

    monkeypatch.setattr(IPython.display, "display", lambda obj, display_id=None: Handle(obj))
    progress = LiveLoss(epochs=2, steps_per_epoch=3, live=True, redraw_every=0.0,
                        draw_share=1e9)  # no drawing budget: every call redraws
    for _ in range(2):
        for step in range(3):
            progress.update(1.0 / (step + 1))
        progress.end_epoch({"loss": 0.5, "accuracy": 0.75})
    progress.close()
    assert len(shown) == 2  # one text line and one figure, however many updates
    assert all(h.updates >= 7 for h in shown)
    assert re.match(r"epoch 2/2 \[#+\]  loss 0\.6111  val_loss 0\.5000  val_acc 0\.7500",
                    progress.line())


def test_live_loss_keeps_drawing_under_its_share_of_the_time(monkeypatch):
    """A slow figure (0.2 s a draw) over fast steps (10 ms): drawing stays under 20% of training."""
    from tinygrad_edu.nn import training

    clock = [0.0]
    monkeypatch.setattr(training.time, "perf_counter", lambda: clock[0])

    def slow_draw(self) -> None:
        clock[0] += 0.2

    monkeypatch.setattr(training.LiveLoss, "_draw_now", slow_draw)
    progress = training.LiveLoss(epochs=20, steps_per_epoch=100, live=True)
    for _ in range(20):
        for _ in range(100):
            clock[0] += 0.01  # one training step
            progress.update(0.5)
        progress.end_epoch()
    progress.close()
    elapsed = clock[0]
    training_time = elapsed - progress.draw_seconds
    assert training_time == pytest.approx(20.0)
    assert progress.draws >= 3, "the curve must still move during training"
    assert progress.draw_seconds <= progress.draw_share * elapsed + 0.2  # budget + final draw
    assert progress.draw_seconds < 0.2 * training_time


def test_live_loss_shows_no_figure_for_a_short_training(monkeypatch):
    """0.2 s of training cannot pay for a 0.2 s figure: only the progress line is shown."""
    from tinygrad_edu.nn import training

    clock = [0.0]
    monkeypatch.setattr(training.time, "perf_counter", lambda: clock[0])
    monkeypatch.setattr(training.LiveLoss, "_draw_now", lambda self: None)
    texts = []
    monkeypatch.setattr(training.LiveLoss, "_show_text", lambda self: texts.append(self.line()))
    progress = training.LiveLoss(epochs=2, steps_per_epoch=10, live=True)
    for _ in range(2):
        for _ in range(10):
            clock[0] += 0.01
            progress.update(0.5)
        progress.end_epoch()
    progress.close()
    assert progress.draws == 0 and texts and texts[-1].startswith("epoch 2/2")


# ------------------------------------------------------------------------------ devices
def test_training_on_the_fake_gpu_keeps_everything_there(fake_cuda, tmp_path):
    from tinygrad_edu.data import DataLoader, TensorDataset
    from tinygrad_edu.nn.training import evaluate

    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.1), nn.Linear(8, 3)).to("cuda")
    assert all(p.device.type == "cuda" for p in model.parameters())
    X, y = tg.randn(20, 4).to("cuda"), tg.randint(0, 3, (20,)).to("cuda")
    loader = DataLoader(TensorDataset(X, y), batch_size=8, shuffle=True)
    for opt in (tg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
                tg.optim.Adam(model.parameters(), amsgrad=True)):
        for xb, yb in loader:
            assert xb.device.type == "cuda"
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb) + F.binary_cross_entropy_with_logits(
                model(xb), tg.ones(len(xb), 3).to("cuda")) + F.mse_loss(model(xb), model(xb) * 0)
            loss.backward()
            opt.step()
    assert all(p.device.type == "cuda" and p.grad.device.type == "cuda" for p in model.parameters())
    assert 0 <= evaluate(model, loader, nn.CrossEntropyLoss())["accuracy"] <= 1
    with pytest.raises(IndexError, match="out of bounds"):
        F.cross_entropy(model(X), tg.full((20,), 7).to("cuda"))
    tg.save(model.state_dict(), tmp_path / "m.npz")
    back = tg.load(tmp_path / "m.npz", map_location="cuda")
    assert all(t.device.type == "cuda" for t in back.values())
    model.load_state_dict(back)
